"use client";
import { useEffect, useRef, useState, type ReactNode } from "react";

/**
 * A horizontally scrolling region that keyboard users can focus and scroll (tabIndex with an
 * accessible name: axe's scrollable-region-focusable), and that says so in words whenever its
 * content is wider than the screen — a phone hides scroll bars until one touches them.
 */
export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [overflowing, setOverflowing] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setOverflowing(el.scrollWidth > el.clientWidth + 1);
    const observer = new ResizeObserver(measure);
    // The region's width changes with the screen, the table's with its fonts and content.
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <div className="space-y-1">
      <div
        ref={ref}
        role="region"
        aria-label={label}
        tabIndex={0}
        className="overflow-x-auto rounded-md border border-slate-200 [scrollbar-width:thin] focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700"
      >
        {children}
      </div>
      {overflowing ? (
        <p aria-hidden="true" className="text-xs text-slate-700">
          Scroll the table sideways to see every column →
        </p>
      ) : null}
    </div>
  );
}
