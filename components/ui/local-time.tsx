"use client";
import { useSyncExternalStore } from "react";

const noop = () => () => {};

/** True only in the browser after hydration; the server render shows nothing time-zone dependent. */
export function useIsClient(): boolean {
  return useSyncExternalStore(noop, () => true, () => false);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A stable local format, the same in every browser locale: 2026-03-14 09:05:03. */
export function formatLocal(iso: string | number, withSeconds = true): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}${withSeconds ? `:${pad(d.getSeconds())}` : ""}`;
  return `${date} ${time}`;
}

/** The same time in UTC, as the server writes it before the browser knows the viewer's zone: 2026-03-14 09:05 UTC. */
export function formatUtc(iso: string | number): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * A time in the viewer's zone. Rendered after hydration only, because the server's time zone
 * is not the viewer's (that would be a hydration mismatch).
 */
export function LocalTime({ value, withSeconds = true }: { value: string | number; withSeconds?: boolean }) {
  const isClient = useIsClient();
  const iso = new Date(value).toISOString();
  return (
    <time dateTime={iso} className="tabular-nums">
      {isClient ? formatLocal(value, withSeconds) : formatUtc(iso)}
    </time>
  );
}
