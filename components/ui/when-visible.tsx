"use client";
import { memo, useEffect, useRef, useState, type ReactNode } from "react";

/**
 * Whether an element is on (or within `margin` of) the screen. Until the observer answers it is
 * taken as visible, so the first render always draws.
 */
export function useInView<T extends Element>(margin = "200px") {
  const ref = useRef<T>(null);
  const [inView, setInView] = useState(true);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      const entry = entries.at(-1);
      if (entry) setInView(entry.isIntersecting);
    }, { rootMargin: margin });
    observer.observe(el);
    return () => observer.disconnect();
  }, [margin]);
  return [ref, inView] as const;
}

// While `frozen`, a new parent render is skipped: the subtree keeps what it last drew. Its own
// state (a chart's quantile picker) still updates it.
const Frozen = memo(
  function Frozen({ children }: { children: ReactNode; frozen: boolean }) {
    return <>{children}</>;
  },
  (_prev, next) => next.frozen,
);

/** `value`, `lagMs` later (the newest one if it changed meanwhile); 0 passes it straight through. */
function useLagged<T>(value: T, lagMs: number): T {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    if (lagMs === 0) return;
    const timer = setTimeout(() => setShown(() => value), lagMs);
    return () => clearTimeout(timer);
  }, [value, lagMs]);
  return lagMs === 0 ? value : shown;
}

/**
 * Redraws its children only while they are on screen: a live chart scrolled out of view keeps its
 * last drawing and catches up when it comes back, instead of redrawing every second for nobody
 * (four charts redrawn each second were most of the run page's main-thread time during a rollout).
 * `lagMs` staggers siblings: four charts redrawn one after the other are four short tasks, where
 * all at once were one long one that held up the page.
 */
export function WhenVisible({ children, className, lagMs = 0 }: { children: ReactNode; className?: string; lagMs?: number }) {
  const [ref, inView] = useInView<HTMLDivElement>();
  const shown = useLagged(children, lagMs);
  return (
    <div ref={ref} className={className}>
      <Frozen frozen={!inView}>{shown}</Frozen>
    </div>
  );
}
