import { useId } from "react";
import { clockTime, count, evidence, ms, percent } from "@/server/core/analysis/format";
import { Badge } from "@/components/ui/badge";
import { EvidenceMeter } from "./evidence-meter";
import { triggerName, verdictLook, type ShownEvaluation, type ShownRule, type ShownSequential } from "./evaluations";

function rate(value: number | null): string {
  return value === null ? "—" : percent(value);
}

/** "n requests, k bad" in the trigger's own words. */
function countsText(e: ShownEvaluation): string {
  switch (e.trigger) {
    case "error-rate":
    case "error-rate-hold":
      return `${count(e.n)} canary requests, ${count(e.k)} errors`;
    case "latency-p95":
    case "latency-p95-hold":
    case "latency-p99":
      return `${count(e.n)} canary requests, ${count(e.k)} slow`;
    case "feed":
      return `no usable canary data for ${count(e.n)} s (limit ${count(e.method === "rule" ? (e.limit ?? 0) : 0)} s)`;
    case "business-metric":
      return `${count(e.n)} attempts, ${count(e.k)} not converted`;
    case "cpu":
    case "memory":
      return `${count(e.n)} samples, longest run above the limit ${count(e.k)}`;
    case "security":
      return `${count(e.k)} signal${e.k === 1 ? "" : "s"} received`;
    default:
      return `n = ${count(e.n)}, k = ${count(e.k)}`;
  }
}

/** The baseline's figure, for context: its error rate, its quantile in ms, or its conversion rate. */
function baselineText(e: ShownSequential): string | null {
  if (e.baselineFigure === null) return null;
  if (e.trigger === "latency-p95" || e.trigger === "latency-p95-hold") return `baseline p95 ${ms(e.baselineFigure)}`;
  if (e.trigger === "latency-p99") return `baseline p99 ${ms(e.baselineFigure)}`;
  if (e.trigger === "business-metric") return `baseline converts ${percent(e.baselineFigure)}`;
  return `baseline ${percent(e.baselineFigure)}`;
}

function sequentialFacts(e: ShownSequential): string[] {
  const threshold = e.trigger.startsWith("latency") ? "allowed slow share" : e.trigger === "business-metric" ? "allowed failures" : e.level === "hold" ? "hold level" : "threshold";
  // Only the rollback-level request tests gate promotion (step-analysis.ts combine); the others may stay open.
  const gates = e.level === "rollback" && e.trigger !== "business-metric";
  const since = e.window && e.window.n > 0 ? `since ${clockTime(e.window.since)} UTC: ${count(e.window.k)} of ${count(e.window.n)} (${rate(e.window.k / e.window.n)})` : null;
  const bound = e.upperBound === null ? null : `upper bound ${rate(e.upperBound)}`;
  const promote = !gates
    ? "not required to promote"
    : e.requestsToPromote === null
      ? "cannot show health at the current rate"
      : e.requestsToPromote === 0
        ? "healthy: may promote"
        : `${count(e.requestsToPromote)} more requests to show health`;
  return [countsText(e), `observed ${rate(e.observedRate)} vs ${threshold} ${rate(e.p0)}`, since, bound, baselineText(e), promote].filter((f): f is string => f !== null);
}

function ruleText(e: ShownRule): string {
  if (e.limit === null) return `${count(e.k)} counted`;
  return e.trigger === "security" ? `${count(e.k)} of ${count(e.limit)} signal rolls back` : `${count(e.k)} of ${count(e.limit)} consecutive samples roll back`;
}

/** One trigger: its verdict, its numbers, how close it is to firing, and its sentence. */
export function EvidenceRow({ evaluation: e, decided }: { evaluation: ShownEvaluation; decided: boolean }) {
  const nameId = useId();
  const look = verdictLook(e.verdict);
  const facts = e.method === "e-process" ? sequentialFacts(e) : [countsText(e)];
  return (
    <li className={`space-y-2 rounded-md border p-3 ${decided ? "border-red-300 ring-1 ring-red-200" : "border-slate-200"}`}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="font-medium text-slate-900">
          <span id={nameId}>{triggerName(e.trigger)}</span>
          {decided ? <span className="ml-2 text-xs font-semibold text-red-800">{" "}(decided this)</span> : null}
        </p>
        <Badge tone={look.tone} icon={look.icon}>
          {look.text}
        </Badge>
      </div>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-800">
        {facts.map((f) => (
          <li key={f}>{f}</li>
        ))}
      </ul>
      {e.method === "e-process" ? (
        e.logE !== null && e.logThreshold !== null ? (
          <EvidenceMeter
            labelledBy={nameId}
            value={e.logE}
            max={e.logThreshold}
            verdict={e.verdict}
            text={`evidence ${evidence(e.logE)} of ${evidence(e.logThreshold)} needed${e.alpha !== null ? ` (α = ${Number(e.alpha.toPrecision(2))})` : ""}`}
          />
        ) : (
          <p className="text-xs text-slate-700">No evidence figure yet.</p>
        )
      ) : e.limit !== null ? (
        <EvidenceMeter labelledBy={nameId} value={e.k} max={e.limit} verdict={e.verdict} text={ruleText(e)} />
      ) : null}
      {e.message ? <p className="text-sm text-slate-700">{e.message}</p> : null}
    </li>
  );
}
