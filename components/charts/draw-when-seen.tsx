"use client";
import { useEffect, useRef, useState, type ReactNode } from "react";

// Charts that came into view wait here to be drawn, one per task: drawn together (the page's
// first render draws four) they were one task of 400–600 ms on a busy laptop, which held up
// everything else the page had to do; one by one each is a task of its own, with input and
// paints in between.
const waiting: (() => void)[] = [];
let draining = false;

function drawNext(): void {
  const draw = waiting.shift();
  if (!draw) {
    draining = false;
    return;
  }
  draw();
  // A frame later: time for React to draw this chart (its update runs in a task of its own) first.
  setTimeout(drawNext, 16);
}

function queueDraw(draw: () => void): () => void {
  waiting.push(draw);
  if (!draining) {
    draining = true;
    setTimeout(drawNext, 0);
  }
  return () => {
    const i = waiting.indexOf(draw);
    if (i >= 0) waiting.splice(i, 1);
  };
}

/**
 * A chart's drawing area, `height` pixels tall from the start, whose drawing (the Recharts tree)
 * is made only once the area comes within `margin` of the screen, and then kept. Recharts is
 * most of the run page's main-thread time as it loads (a chart draws in several synchronous
 * passes while its store settles after mount), so the charts further down (resources, the
 * evidence's difference charts) are drawn when the reader gets there, and those on screen one
 * after the other. The area keeps its height, so nothing under it moves when it draws and the
 * section links land where they did.
 */
export function DrawWhenSeen({ height, margin = "200px", children }: { height: number; margin?: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || seen) return;
    let cancelDraw: (() => void) | null = null;
    const draw = () => {
      cancelDraw ??= queueDraw(() => setSeen(true));
    };
    // No observer (an old browser): draw now, as before.
    if (typeof IntersectionObserver === "undefined") {
      draw();
      return () => cancelDraw?.();
    }
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) draw();
    }, { rootMargin: margin });
    observer.observe(el);
    return () => {
      observer.disconnect();
      cancelDraw?.();
    };
  }, [seen, margin]);
  return (
    <div ref={ref} style={{ height }}>
      {seen ? children : null}
    </div>
  );
}
