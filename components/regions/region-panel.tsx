import type { RunState } from "@/server/core/types";
import type { RegionPlanEntry, RegionState } from "@/server/core/regions";

// A region-by-region run's regions at a glance (issue 15): each region's state, its traffic split
// on its own router and its verdict, in wave order; between waves, when the next region's window
// opens, in that region's local time. Renders nothing for a run without regions.

const STATE_WORDS: Record<RegionState, string> = {
  pending: "Waiting its turn",
  active: "Rolling out",
  released: "Released",
  failed: "Failed, rolled back",
  rolledBack: "Rolled back",
  skipped: "Not started",
};

const STATE_STYLE: Record<RegionState, string> = {
  pending: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200",
  active: "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-100",
  released: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100",
  failed: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-100",
  rolledBack: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-100",
  skipped: "bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300",
};

/** The canary's share on this region's router now. */
function canaryShare(state: RunState, region: RegionPlanEntry): number {
  if (region.state === "released") return 100;
  // While its first weight is being applied the router still serves none of the canary.
  if (region.state === "active") return state.steps[state.stepIndex]?.region === region.name && state.stepPhase === "holding" ? state.canaryPercent : 0;
  return 0;
}

function verdictOf(state: RunState, region: RegionPlanEntry): string {
  if (region.state === "active") return state.analysis ? `${state.analysis.verdict}: ${state.analysis.summary}` : "No verdict yet";
  if (region.state === "released") return "Healthy: all its steps passed";
  if (region.state === "pending" && state.regionWait?.region === region.name) return state.regionWait.message;
  return region.reason ?? "—";
}

export function RegionPanel({ state }: { state: RunState }) {
  const plan = state.regionPlan;
  if (!plan || plan.regions.length === 0) return null;
  return (
    <section id="regions" aria-labelledby="regions-heading" className="rounded-lg border border-slate-200 p-4 dark:border-slate-700" data-testid="region-panel">
      <h2 id="regions-heading" className="text-lg font-semibold text-slate-900 dark:text-slate-100">
        Regions
      </h2>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
        Released wave by wave; a failing region is rolled back and stops the waves
        {plan.policy.rollbackReleasedRegions ? ", and the regions already released are rolled back too" : "; regions already released keep the release"}.
      </p>
      {state.regionWait ? (
        <p role="status" className="mt-2 rounded bg-amber-50 p-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100" data-testid="region-wait">
          {state.regionWait.message}
        </p>
      ) : null}
      <div className="mt-3 overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Each region&apos;s state, traffic split and verdict, in wave order</caption>
          <thead className="text-slate-600 dark:text-slate-300">
            <tr>
              <th scope="col" className="py-1 pr-3 font-medium">Wave</th>
              <th scope="col" className="py-1 pr-3 font-medium">Region</th>
              <th scope="col" className="py-1 pr-3 font-medium">State</th>
              <th scope="col" className="py-1 pr-3 font-medium">Traffic (canary / baseline)</th>
              <th scope="col" className="py-1 font-medium">Verdict</th>
            </tr>
          </thead>
          <tbody>
            {plan.regions.map((region) => {
              const share = canaryShare(state, region);
              return (
                <tr key={region.name} className="border-t border-slate-100 align-top dark:border-slate-800" data-testid={`region-${region.name}`} data-state={region.state}>
                  <td className="py-2 pr-3 tabular-nums">{region.wave}</td>
                  <td className="py-2 pr-3">
                    <span className="font-medium text-slate-900 dark:text-slate-100">{region.name}</span>
                    <span className="block text-xs text-slate-500 dark:text-slate-400">{region.timeZone}</span>
                  </td>
                  <td className="py-2 pr-3">
                    <span className={`rounded px-2 py-0.5 text-xs font-medium ${STATE_STYLE[region.state]}`}>{STATE_WORDS[region.state]}</span>
                  </td>
                  <td className="py-2 pr-3 tabular-nums">
                    {share}% / {100 - share}%
                  </td>
                  <td className="py-2 break-words text-slate-700 dark:text-slate-200">{verdictOf(state, region)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
