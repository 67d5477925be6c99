import type { ReactNode } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import type { ReleaseHealthView, WireBandVerdict } from "@/server/contracts/release-health-api";
import { pct, perUnit, plural, span } from "./format";

const BAND_TONE: Record<"elite" | "high" | "medium" | "low", BadgeTone> = { elite: "success", high: "info", medium: "warning", low: "danger" };

/** The DORA band as a label with the rule that placed it, or why there is none. */
function BandLine({ verdict, days }: { verdict: WireBandVerdict; days: number }) {
  if (verdict.band === null) {
    return (
      <p className="mt-2 text-xs text-slate-700">
        <Badge tone="muted">No DORA band</Badge> <span>{verdict.why}</span>
      </p>
    );
  }
  return (
    <p className="mt-2 text-xs text-slate-700">
      <Badge tone={BAND_TONE[verdict.band]}>DORA: {verdict.band}</Badge> <span>{verdict.rule}</span> <span>Over {plural(Math.round(days), "day")}.</span>
    </p>
  );
}

/** One figure: its name (a heading), the value, what it was computed from, and the band. */
function Figure({ id, title, value, detail, verdict, days }: { id: string; title: string; value: string; detail: ReactNode; verdict: WireBandVerdict; days: number }) {
  return (
    <section aria-labelledby={id} className="min-w-0 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h2 id={id} className="text-sm font-semibold text-slate-800">
        {title}
      </h2>
      <p className="mt-1 text-3xl font-semibold tabular-nums text-slate-900" data-testid={`${id}-value`}>
        {value}
      </p>
      <div className="mt-1 text-sm text-slate-700">{detail}</div>
      <BandLine verdict={verdict} days={days} />
    </section>
  );
}

/** The four figures side by side on a wide screen, stacked on a phone. */
export function HealthFigures({ health }: { health: ReleaseHealthView }) {
  const { deployments: d, leadTime: l, changeFailure: c, restore: r, period } = health;
  const daily = d.perDay >= 1;
  return (
    <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
      <Figure
        id="figure-deployments"
        title="Deployment frequency"
        value={daily ? `${perUnit(d.perDay)} a day` : `${perUnit(d.perWeek)} a week`}
        detail={<p>{plural(d.count, "release")} reached 100% in {plural(Math.round(period.days), "day")}.</p>}
        verdict={d.verdict}
        days={period.days}
      />
      <Figure
        id="figure-lead-time"
        title="Lead time for changes"
        value={l.medianMs === null ? "No data" : `${span(l.medianMs)} median`}
        detail={
          <p>
            {l.p90Ms === null ? null : <>90th percentile {span(l.p90Ms)}. </>}
            From {plural(l.measured, "release")} with a commit time
            {l.withoutCommitTime > 0 ? `; ${plural(l.withoutCommitTime, "release")} had none and ${l.withoutCommitTime === 1 ? "is" : "are"} not counted` : ""}.
          </p>
        }
        verdict={l.verdict}
        days={period.days}
      />
      <Figure
        id="figure-failure-rate"
        title="Change failure rate"
        value={c.rate === null ? "No changes" : pct(c.rate)}
        detail={
          <p>
            {c.failed} of {plural(c.changes, "change")} rolled back or failed after the rollout started
            {c.notChanges > 0 ? `; ${plural(c.notChanges, "run")} ended before the rollout and ${c.notChanges === 1 ? "is" : "are"} not a change` : ""}.
          </p>
        }
        verdict={c.verdict}
        days={period.days}
      />
      <Figure
        id="figure-restore"
        title="Time to restore"
        value={r.medianMs === null ? "No data" : `${span(r.medianMs)} median`}
        detail={
          <p>
            {r.p90Ms === null ? null : <>90th percentile {span(r.p90Ms)}. </>}
            From {plural(r.restored, "restored failure")}
            {r.notRestored > 0 ? `; ${plural(r.notRestored, "failure")} not restored by a rollback` : ""}.
          </p>
        }
        verdict={r.verdict}
        days={period.days}
      />
    </div>
  );
}
