"use client";
import { useEffect, useRef, useState } from "react";
import { LocalTime } from "@/components/ui/local-time";

const SHOWN = 100;
// A log this short is drawn at once; a longer one (ten lines of 1.2rem and the padding) fills its whole scrolling box (12rem).
const FEW = 9;

/**
 * Whether the element has come within `margin` of the screen (and stays so once it has). Until
 * then a long log is not drawn: five agents' hundred lines were a third of the run page's
 * elements, laid out and styled as the page loaded, most of them screens below what it shows.
 */
function useSeen(margin: string) {
  const ref = useRef<HTMLDivElement>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || seen) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setSeen(true);
    }, { rootMargin: margin });
    observer.observe(el);
    return () => observer.disconnect();
  }, [seen, margin]);
  return [ref, seen] as const;
}

/** An agent's live log, following the newest line unless the reader scrolled up to read. */
export function AgentLog({ agent, lines }: { agent: string; lines: { id: string; at: string; line: string }[] }) {
  const [ref, seen] = useSeen("600px");
  const stick = useRef(true);
  const shown = lines.slice(-SHOWN);
  const drawn = seen || shown.length <= FEW;
  const empty = shown.length === 0;

  useEffect(() => {
    const el = ref.current;
    const content = el?.firstElementChild;
    if (!el || !content || !drawn) return;
    // Follows the newest line when the lines' height changes, measured by the observer after the
    // browser's own layout: reading scrollHeight in the commit (or a frame callback) forced a
    // layout of the whole page there, 60–100 ms as the page loaded.
    const observer = new ResizeObserver(() => {
      if (stick.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(content);
    return () => observer.disconnect();
  }, [drawn, empty, ref]);

  if (empty) return <p className="text-xs text-slate-700">No log lines yet.</p>;
  return (
    <div
      ref={ref}
      role="log"
      aria-label={`${agent} log`}
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
      // Not yet drawn: as tall as it will be, so nothing under it moves when it is.
      className={`${drawn ? "max-h-48" : "h-48"} overflow-y-auto rounded-md bg-slate-950 p-2 font-mono text-xs leading-relaxed text-slate-100 focus-visible:outline-2 focus-visible:outline-blue-500`}
    >
      {drawn ? (
        <div>
          {shown.map((l) => (
            <div key={l.id} className="whitespace-pre-wrap break-words">
              <span className="text-slate-300">
                <LocalTime value={l.at} />
              </span>{" "}
              {l.line}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
