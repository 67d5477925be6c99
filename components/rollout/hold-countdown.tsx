"use client";
import { useEffect, useState } from "react";
import { formatDuration } from "@/components/runs/labels";

/**
 * Time left in the current hold, on the server's clock: `clockOffsetMs` (server − browser)
 * corrects a browser clock that is off, so two screens show the same countdown.
 */
export function HoldCountdown({ holdEndsAt, clockOffsetMs }: { holdEndsAt: number; clockOffsetMs: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);
  const left = holdEndsAt - (now + clockOffsetMs);
  return (
    <span className="tabular-nums" suppressHydrationWarning>
      {left > 0 ? `${formatDuration(Math.ceil(left / 1000) * 1000)} left in hold` : "Hold complete — moving on…"}
    </span>
  );
}
