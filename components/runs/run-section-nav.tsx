"use client";
import { useEffect, useState, type MouseEvent } from "react";

/** A section of the run page the navigation links to; `id` is its element's id (and the URL's #fragment). */
export type RunSection = { id: string; label: string };

// A section is "being read" once its top has passed this fraction of the window, or the bottom of
// the sticky summary (--run-summary-h, run-header.tsx) where a section opened by its link starts.
const READING_LINE = 0.35;

/** The section being read: the last one, in page order, whose top is above the reading line. */
function sectionInView(ids: string[]): string | null {
  const summary = Number.parseFloat(getComputedStyle(document.documentElement).getPropertyValue("--run-summary-h")) || 0;
  const line = Math.max(window.innerHeight * READING_LINE, summary + 24);
  let current: string | null = null;
  for (const id of ids) {
    const el = document.getElementById(id);
    if (el && el.getBoundingClientRect().top <= line) current = id;
  }
  return current;
}

// How long a section opened by its link is kept in place while the page above it settles.
const SETTLE_MS = 4_000;
// What a reader does to scroll on their own: from then on the page is theirs.
const READER_SCROLLS = ["wheel", "touchstart", "keydown", "pointerdown"] as const;
let stopKeeping: () => void = () => {};

/**
 * Keeps the section with this id where its link put it for a few seconds. While the page loads,
 * what is above it changes height (the charts replace their placeholder, a late section chunk
 * arrives, the summary grows a line), and a section opened in the first second ended a screen
 * away from where it was opened. Stops at once when the reader scrolls, types or clicks.
 */
function keepInPlace(id: string): void {
  stopKeeping();
  const until = performance.now() + SETTLE_MS;
  let target = document.getElementById(id)?.getBoundingClientRect().top ?? 0;
  let frame = 0;
  const stop = () => {
    cancelAnimationFrame(frame);
    for (const type of READER_SCROLLS) window.removeEventListener(type, stop, true);
  };
  const check = () => {
    const el = document.getElementById(id);
    if (!el || performance.now() > until) return stop();
    if (Math.abs(el.getBoundingClientRect().top - target) > 2) {
      el.scrollIntoView({ block: "start" });
      target = el.getBoundingClientRect().top;
    }
    frame = requestAnimationFrame(check);
  };
  for (const type of READER_SCROLLS) window.addEventListener(type, stop, { capture: true, passive: true });
  frame = requestAnimationFrame(check);
  stopKeeping = stop;
}

/**
 * Scrolls to the element with this id once it exists, keeps it there while the page settles, then
 * calls `then` with it. The run is fetched in the browser and the sections under the summary load
 * as their own chunk, so a link followed on load, or clicked in the first instant, finds nothing
 * yet: this waits (at most 10 s) for the element. Returns a function that stops waiting.
 */
function scrollWhenPresent(id: string, then: (el: HTMLElement) => void = () => {}): () => void {
  const open = () => {
    const el = document.getElementById(id);
    if (!el) return false;
    el.scrollIntoView({ block: "start" });
    keepInPlace(id);
    then(el);
    return true;
  };
  if (open()) return () => {};
  const observer = new MutationObserver(() => {
    if (open()) stop();
  });
  const giveUp = setTimeout(() => observer.disconnect(), 10_000);
  const stop = () => {
    observer.disconnect();
    clearTimeout(giveUp);
  };
  observer.observe(document.body, { childList: true, subtree: true });
  return stop;
}

/** A link to the page's #fragment, opened once its element exists (the browser's own jump on load finds nothing). */
function useDeepLink() {
  useEffect(() => {
    const id = decodeURIComponent(window.location.hash.slice(1));
    return id ? scrollWhenPresent(id) : undefined;
  }, []);
}

/**
 * Opens a section from its link: the URL takes its #fragment (so it can be shared), the section
 * scrolls to just below the sticky summary, once it has loaded, and takes focus, so the keyboard
 * and screen readers continue there (the browser's own jump does neither when the section is
 * still loading: the hash changed and the page stayed at the top).
 */
function openSection(e: MouseEvent<HTMLAnchorElement>, id: string): void {
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  window.history.pushState(null, "", `#${id}`);
  window.dispatchEvent(new HashChangeEvent("hashchange"));
  scrollWhenPresent(id, (el) => {
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: true });
  });
}

/**
 * "On this page": plain links to the run's sections (keyboard and screen readers need nothing
 * more), the one being read marked with aria-current. Wraps on a phone instead of scrolling sideways.
 */
export function RunSectionNav({ sections }: { sections: RunSection[] }) {
  const [active, setActive] = useState<string | null>(null);
  const ids = sections.map((s) => s.id).join(" ");
  useDeepLink();
  useEffect(() => {
    const list = ids.split(" ");
    let frame = 0;
    const update = () => {
      frame = 0;
      setActive(sectionInView(list));
    };
    const schedule = () => {
      if (frame === 0) frame = requestAnimationFrame(update);
    };
    // At the next frame, not now: measuring in the commit would force a layout of the page there.
    schedule();
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    window.addEventListener("hashchange", schedule);
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener("scroll", schedule);
      window.removeEventListener("resize", schedule);
      window.removeEventListener("hashchange", schedule);
    };
  }, [ids]);

  return (
    <nav aria-label="Sections of this run" className="mt-3">
      <ul className="flex flex-wrap gap-1.5 text-sm">
        {sections.map((s) => (
          <li key={s.id}>
            <a
              href={`#${s.id}`}
              onClick={(e) => openSection(e, s.id)}
              aria-current={active === s.id ? "location" : undefined}
              className="block rounded-md border border-slate-300 bg-white px-2.5 py-1 text-slate-800 hover:border-blue-700 hover:text-blue-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 aria-[current=location]:border-blue-700 aria-[current=location]:bg-blue-50 aria-[current=location]:font-semibold aria-[current=location]:text-blue-900"
            >
              {s.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
