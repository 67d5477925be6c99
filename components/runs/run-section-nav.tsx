"use client";
import { useEffect, useState } from "react";

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

/**
 * A link to the page's #fragment, opened once its element exists. The run is fetched in the
 * browser and some sections load on their own, so the browser's own jump on load finds nothing:
 * this one waits (at most 10 s) for the element, then scrolls to it.
 */
function useDeepLink() {
  useEffect(() => {
    const id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) return;
    const open = () => {
      const el = document.getElementById(id);
      if (!el) return false;
      el.scrollIntoView({ block: "start" });
      return true;
    };
    if (open()) return;
    const observer = new MutationObserver(() => {
      if (open()) observer.disconnect();
    });
    observer.observe(document.body, { childList: true, subtree: true });
    const giveUp = setTimeout(() => observer.disconnect(), 10_000);
    return () => {
      observer.disconnect();
      clearTimeout(giveUp);
    };
  }, []);
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
    update();
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
