import type { RunState } from "@/server/core/types";
import { triggerName } from "./evaluations";

/**
 * "Why it rolled back": which trigger crossed and the numbers it crossed with, in the engine's
 * own sentence (STATISTICS.md: "on rollback, exactly which trigger crossed and with what numbers").
 */
export function RollbackWhy({ state }: { state: RunState }) {
  const rollback = state.rollback;
  if (!rollback?.trigger || rollback.requestedBy !== "engine") return null;
  const decidedBy = state.analysis?.decidedBy ?? null;
  const trigger = decidedBy?.trigger ?? rollback.trigger;
  return (
    <section aria-labelledby="rollback-why-title" className="rounded-md border-2 border-red-700 bg-red-50 p-4 text-red-950">
      <h3 id="rollback-why-title" className="flex items-center gap-2 text-base font-semibold">
        <span aria-hidden="true">↩</span> Why it rolled back
      </h3>
      <p className="mt-1 text-sm">
        The <span className="font-semibold">{triggerName(trigger)}</span> trigger (<code className="font-mono text-xs">{trigger}</code>) fired, and Flightdeck
        rolled the canary back on its own:
      </p>
      <blockquote className="mt-2 border-l-4 border-red-700 bg-white px-3 py-2 font-mono text-sm text-slate-900">{rollback.reason}</blockquote>
      {decidedBy && decidedBy.message !== rollback.reason ? <p className="mt-2 text-sm">{decidedBy.message}</p> : null}
    </section>
  );
}
