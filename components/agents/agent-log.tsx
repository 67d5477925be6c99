"use client";
import { useEffect, useRef } from "react";
import { LocalTime } from "@/components/ui/local-time";

const SHOWN = 100;

/** An agent's live log, following the newest line unless the reader scrolled up to read. */
export function AgentLog({ agent, lines }: { agent: string; lines: { id: string; at: string; line: string }[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const shown = lines.slice(-SHOWN);
  const last = shown.at(-1)?.id;

  useEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [last]);

  if (shown.length === 0) return <p className="text-xs text-slate-700">No log lines yet.</p>;
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
      className="max-h-48 overflow-y-auto rounded-md bg-slate-950 p-2 font-mono text-xs leading-relaxed text-slate-100 focus-visible:outline-2 focus-visible:outline-blue-500"
    >
      {shown.map((l) => (
        <div key={l.id} className="whitespace-pre-wrap break-words">
          <span className="text-slate-300">
            <LocalTime value={l.at} />
          </span>{" "}
          {l.line}
        </div>
      ))}
    </div>
  );
}
