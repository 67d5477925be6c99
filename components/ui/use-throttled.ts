"use client";
import { useEffect, useRef, useState } from "react";

/**
 * `value`, passed on at most once per `intervalMs`: the first value at once, then the newest one
 * at the end of each interval in which it changed. Nothing is lost; only intermediate values are
 * skipped.
 */
export function useThrottled<T>(value: T, intervalMs: number): T {
  const [shown, setShown] = useState(value);
  const lastAt = useRef(0);
  useEffect(() => {
    if (Object.is(value, shown)) return;
    const wait = Math.max(0, lastAt.current + intervalMs - Date.now());
    const timer = setTimeout(() => {
      lastAt.current = Date.now();
      setShown(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, shown, intervalMs]);
  return shown;
}
