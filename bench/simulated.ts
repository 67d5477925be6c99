/**
 * Issue 9's simulated figures, from the project's seeded simulator (`simulateCanary`, which
 * judges every batch with the real `evaluateStep`):
 *
 * - detection: seconds from a fault's onset to the rollback verdict, at the start of a step or
 *   after 5 minutes of healthy canary traffic (the change detector's case);
 * - false rollbacks per whole three-step run (5% → 50% → 100%), for a healthy canary and for
 *   one 25% slower (within policy);
 * - a 0.5 req/s canary must never be promoted automatically in 30 minutes (no evidence of health).
 *
 * The three-step runs are the costly part; they are split over child processes (one per core,
 * `bench/simulated-child.ts`). Everything is seeded: the same options give the same figures.
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { simulateCanary, type CanaryScenario } from "../server/core/analysis/simulate.ts";
import { analysisFor } from "../server/core/policy.ts";
import { quantileOf, startChild } from "./lib.ts";

/** One step of the simulated three-step run. */
export type StepPlan = {
  /** the canary's share of traffic, for the notes */
  percent: number;
  canaryRps: number;
  baselineRps: number;
  durationMs: number;
  evaluateEveryMs: number;
};

export type SimulatedOptions = {
  /** seeds per detection scenario */
  seeds: number;
  /** canary requests per second in the detection scenarios */
  detectionRps: number;
  /** the detection scenarios' step index and count (the α split) */
  stepIndex: number;
  stepCount: number;
  /** "late": healthy canary traffic before the fault begins */
  lateOnsetMs: number;
  /** how long after the onset a fault may go unseen before it counts as not detected */
  watchMs: number;
  /** three-step runs per set (healthy, +25% latency) */
  runs: number;
  steps: StepPlan[];
  /** the full-length plan the steps may have been shortened from, for the note */
  fullSteps: StepPlan[];
  lowTraffic: { rps: number; minutes: number; seeds: number; judgeHealthEveryMs: number };
};

/** A detection figure: seconds from onset to rollback over the seeds; null percentile = Infinity. */
export type DetectionFigure = { median: number | null; p90: number | null; detected: number; runs: number };
export type RunsFigure = { runs: number; false_rollbacks: number };

export type SimulatedFigures = {
  simulated: {
    errors_5pct: DetectionFigure;
    errors_5pct_late: DetectionFigure;
    latency_p95_x2: DetectionFigure;
    latency_p95_x2_late: DetectionFigure;
    aa_per_run: RunsFigure;
    latency_x1_25: RunsFigure;
  };
  low_traffic: { rps: number; minutes: number; runs: number; promoted: boolean; promoted_runs: number };
  notes: string[];
};

/** The issue's targets, in seconds (detection) and as a share of runs (false rollbacks). */
export const SIMULATED_TARGETS = {
  errors: { median: 20, p90: 40 },
  latency: { median: 15, p90: 30 },
  falseRollbacksPerRun: 0.01,
} as const;

const config = analysisFor("production");
const HEALTHY_ERROR_RATE = 0.001;

type Fault = { errorRate: number; canaryMultiplier: number };

function detection(o: SimulatedOptions, fault: Fault, onsetMs: number): { figure: DetectionFigure; early: number; triggers: Record<string, number> } {
  const seconds: number[] = [];
  const triggers: Record<string, number> = {};
  let early = 0;
  for (let seed = 1; seed <= o.seeds; seed++) {
    const r = simulateCanary({
      seed,
      requestsPerSecond: o.detectionRps,
      errorRate: fault.errorRate,
      latency: { canaryMultiplier: fault.canaryMultiplier },
      onsetMs,
      durationMs: onsetMs + o.watchMs,
      config,
      stepIndex: o.stepIndex,
      stepCount: o.stepCount,
      watch: "rollback",
    });
    // A rollback before the onset is a false alarm on a healthy canary, not a detection: it
    // counts as undetected (Infinity) and is reported on its own.
    if (r.detectedAtMs !== null && r.detectedAtMs < onsetMs) early++;
    if (r.detectedAtMs === null || r.detectedAtMs < onsetMs) {
      seconds.push(Infinity);
      continue;
    }
    seconds.push((r.detectedAtMs - onsetMs) / 1_000);
    const trigger = r.rollback?.trigger ?? "unknown";
    triggers[trigger] = (triggers[trigger] ?? 0) + 1;
  }
  const at = (q: number) => {
    const v = quantileOf(seconds, q);
    return v === null || !Number.isFinite(v) ? null : Math.round(v * 100) / 100;
  };
  return { figure: { median: at(0.5), p90: at(0.9), detected: seconds.filter(Number.isFinite).length, runs: o.seeds }, early, triggers };
}

/** How one three-step run ended: the step that rolled back (and by which trigger), or none. */
export type RunOutcome = { rolledBackAtStep: number | null; trigger: string | null };

/** One whole run, step after step with its own α share; it ends at the first rollback. */
export function simulateRun(seed: number, steps: readonly StepPlan[], canaryMultiplier: number): RunOutcome {
  for (const [stepIndex, step] of steps.entries()) {
    const scenario: CanaryScenario = {
      seed: seed * 16 + stepIndex,
      requestsPerSecond: step.canaryRps,
      baselineRequestsPerSecond: step.baselineRps,
      errorRate: HEALTHY_ERROR_RATE,
      latency: { canaryMultiplier },
      durationMs: step.durationMs,
      evaluateEveryMs: step.evaluateEveryMs,
      config,
      stepIndex,
      stepCount: steps.length,
      watch: "rollback",
    };
    const r = simulateCanary(scenario);
    if (r.detectedAtMs !== null) return { rolledBackAtStep: stepIndex, trigger: r.rollback?.trigger ?? "unknown" };
  }
  return { rolledBackAtStep: null, trigger: null };
}

/** A share of a run set, as a child computes it. */
export type RunJob = { kind: "runs"; seeds: number[]; steps: StepPlan[]; canaryMultiplier: number };
export type RunJobDone = { kind: "runs-done"; outcomes: RunOutcome[] };

/** The run set over one child per core; resolves with the outcomes in seed order. */
async function runSet(o: SimulatedOptions, firstSeed: number, canaryMultiplier: number): Promise<RunOutcome[]> {
  const seeds = Array.from({ length: o.runs }, (_, i) => firstSeed + i);
  const workers = Math.max(1, Math.min(os.cpus().length, seeds.length));
  const shares = Array.from({ length: workers }, (_, w) => seeds.filter((_, i) => i % workers === w));
  const done = await Promise.all(
    shares.map(async (share) => {
      const child = startChild("simulated-child.ts");
      try {
        child.send({ kind: "runs", seeds: share, steps: o.steps, canaryMultiplier } satisfies RunJob);
        const isDone = (m: unknown): RunJobDone | undefined =>
          typeof m === "object" && m !== null && (m as { kind?: unknown }).kind === "runs-done" ? (m as RunJobDone) : undefined;
        return { share, outcomes: (await child.next(isDone, 15 * 60_000, "run outcomes")).outcomes };
      } finally {
        await child.stop();
      }
    }),
  );
  const bySeed = new Map<number, RunOutcome>();
  for (const { share, outcomes } of done) share.forEach((seed, i) => bySeed.set(seed, outcomes[i] ?? { rolledBackAtStep: null, trigger: "missing" }));
  return seeds.map((seed) => bySeed.get(seed) ?? { rolledBackAtStep: null, trigger: "missing" });
}

function describeOutcomes(outcomes: RunOutcome[]): string {
  const rolled = outcomes.filter((r) => r.rolledBackAtStep !== null);
  if (rolled.length === 0) return "none rolled back";
  return rolled.map((r) => `step ${r.rolledBackAtStep} by ${r.trigger}`).join(", ");
}

const minutes = (ms: number) => (ms >= 3_600_000 && ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Number((ms / 60_000).toFixed(1))} min`);
const planText = (steps: readonly StepPlan[]) =>
  steps.map((s) => `${s.percent}% (${s.canaryRps} canary req/s, ${minutes(s.durationMs)}, every ${s.evaluateEveryMs} ms)`).join(" → ");

export async function benchSimulated(o: SimulatedOptions, log: (line: string) => void): Promise<SimulatedFigures> {
  const notes: string[] = [];
  const errors: Fault = { errorRate: 0.05, canaryMultiplier: 1 };
  const slow: Fault = { errorRate: HEALTHY_ERROR_RATE, canaryMultiplier: 2 };

  let t = performance.now();
  const scenarios = {
    errors_5pct: detection(o, errors, 0),
    errors_5pct_late: detection(o, errors, o.lateOnsetMs),
    latency_p95_x2: detection(o, slow, 0),
    latency_p95_x2_late: detection(o, slow, o.lateOnsetMs),
  };
  const detectionSeconds = (performance.now() - t) / 1_000;
  for (const [name, s] of Object.entries(scenarios)) {
    log(`simulated: ${name} median ${s.figure.median ?? "∞"} s, p90 ${s.figure.p90 ?? "∞"} s, ${s.figure.detected}/${s.figure.runs} detected`);
  }
  const triggerText = (name: keyof typeof scenarios) =>
    `${name} ${JSON.stringify(scenarios[name].triggers)}${scenarios[name].early > 0 ? `, ${scenarios[name].early} rolled back before the onset` : ""}`;
  notes.push(
    `simulated detection: simulateCanary, ${o.seeds} seeds each at ${o.detectionRps} canary req/s, analysisFor("production"), step ${o.stepIndex + 1} of ${o.stepCount} ` +
      `(stepIndex ${o.stepIndex}), evaluated every 250 ms, watch "rollback"; seconds from the onset (0, or ${o.lateOnsetMs / 60_000} min of healthy ` +
      `0.1%-error traffic for "late") to the rollback verdict; a fault not rolled back within ${o.watchMs / 60_000} min of its onset counts as Infinity ` +
      `(a percentile at Infinity is written null); nearest-rank percentiles; 5% errors: errorRate 0.05; p95 ×2: canary latency ×2, errorRate 0.001. ` +
      `Rolled back by: ${(Object.keys(scenarios) as (keyof typeof scenarios)[]).map(triggerText).join("; ")}; ${detectionSeconds.toFixed(1)} s`,
  );

  t = performance.now();
  const healthy = await runSet(o, 100_000, 1);
  const healthySeconds = (performance.now() - t) / 1_000;
  log(`simulated: ${o.runs} healthy three-step runs in ${healthySeconds.toFixed(1)} s: ${describeOutcomes(healthy)}`);
  t = performance.now();
  const slower = await runSet(o, 200_000, 1.25);
  const slowerSeconds = (performance.now() - t) / 1_000;
  log(`simulated: ${o.runs} three-step runs with a +25% canary in ${slowerSeconds.toFixed(1)} s: ${describeOutcomes(slower)}`);
  const shortened = o.steps.some((s, i) => s.durationMs !== o.fullSteps[i]?.durationMs);
  notes.push(
    `simulated per run: ${o.runs} whole runs ${planText(o.steps)}, each step with its own α share (stepIndex/stepCount 3), canary errorRate 0.001, ` +
      `analysisFor("production"), watch "rollback"; a run counts once if any step rolled back. Healthy: ${describeOutcomes(healthy)} ` +
      `(${healthySeconds.toFixed(1)} s wall); +25% latency: ${describeOutcomes(slower)} (${slowerSeconds.toFixed(1)} s wall), ` +
      `on ${os.cpus().length} child processes.` +
      (shortened
        ? ` SHORTENED to fit the bench's time: the procedure's steps are ${o.fullSteps.map((s) => minutes(s.durationMs)).join(" → ")}; ` +
          `fewer minutes watched means fewer chances of a false rollback, so these counts are a lower bound ` +
          `(npm run bench -- --only simulated --full-steps runs the full lengths)`
        : ""),
  );

  const lt = o.lowTraffic;
  let promotedRuns = 0;
  let rolledBack = 0;
  for (let seed = 1; seed <= lt.seeds; seed++) {
    const r = simulateCanary({
      seed: 300_000 + seed,
      requestsPerSecond: lt.rps,
      errorRate: HEALTHY_ERROR_RATE,
      durationMs: lt.minutes * 60_000,
      config,
      judgeHealthEveryMs: lt.judgeHealthEveryMs,
    });
    if (r.promotableAtMs !== null) promotedRuns++;
    if (r.detectedAtMs !== null) rolledBack++;
  }
  notes.push(
    `low traffic: ${lt.seeds} healthy production canaries (0.1% errors) at ${lt.rps} canary req/s watched ${lt.minutes} min, health judged every ` +
      `${lt.judgeHealthEveryMs / 1_000} s: ${promotedRuns} ever showed "pass" (promotable), ${rolledBack} rolled back; the rest stay "insufficient evidence" for a human`,
  );

  return {
    simulated: {
      errors_5pct: scenarios.errors_5pct.figure,
      errors_5pct_late: scenarios.errors_5pct_late.figure,
      latency_p95_x2: scenarios.latency_p95_x2.figure,
      latency_p95_x2_late: scenarios.latency_p95_x2_late.figure,
      aa_per_run: { runs: o.runs, false_rollbacks: healthy.filter((r) => r.rolledBackAtStep !== null).length },
      latency_x1_25: { runs: o.runs, false_rollbacks: slower.filter((r) => r.rolledBackAtStep !== null).length },
    },
    low_traffic: { rps: lt.rps, minutes: lt.minutes, runs: lt.seeds, promoted: promotedRuns > 0, promoted_runs: promotedRuns },
    notes,
  };
}

/** Table rows (figure, measured, target, ✓/✗) for the simulated figures; null: the phase did not run. */
export function simulatedRows(f: Pick<SimulatedFigures, "simulated" | "low_traffic"> | null, failure: string | undefined): [string, string, string, string][] {
  const why = failure ? ` (${failure})` : "";
  const secs = (v: number | null) => (v === null ? "∞" : `${v.toFixed(2)} s`);
  const detectionRow = (label: string, d: DetectionFigure | undefined, target: { median: number; p90: number }): [string, string, string, string] => {
    if (!d) return [label, `null${why}`, `median ≤ ${target.median} s, p90 ≤ ${target.p90} s`, "✗"];
    const met = d.median !== null && d.p90 !== null && d.median <= target.median && d.p90 <= target.p90;
    return [label, `median ${secs(d.median)}, p90 ${secs(d.p90)} (${d.detected}/${d.runs} detected)`, `median ≤ ${target.median} s, p90 ≤ ${target.p90} s`, met ? "✓" : "✗"];
  };
  const runsRow = (label: string, r: RunsFigure | undefined): [string, string, string, string] => {
    if (!r) return [label, `null${why}`, "≤ 1% of runs", "✗"];
    const rate = r.false_rollbacks / r.runs;
    return [label, `${r.false_rollbacks} of ${r.runs} (${(rate * 100).toFixed(1)}%)`, "≤ 1% of runs", rate <= SIMULATED_TARGETS.falseRollbacksPerRun ? "✓" : "✗"];
  };
  const s = f?.simulated;
  const lt = f?.low_traffic;
  return [
    detectionRow("sim: 5% errors, from step start", s?.errors_5pct, SIMULATED_TARGETS.errors),
    detectionRow("sim: 5% errors, onset after 5 min", s?.errors_5pct_late, SIMULATED_TARGETS.errors),
    detectionRow("sim: p95 ×2, from step start", s?.latency_p95_x2, SIMULATED_TARGETS.latency),
    detectionRow("sim: p95 ×2, onset after 5 min", s?.latency_p95_x2_late, SIMULATED_TARGETS.latency),
    runsRow("sim: false rollbacks per 3-step run, healthy", s?.aa_per_run),
    runsRow("sim: false rollbacks per 3-step run, +25% p95", s?.latency_x1_25),
    lt
      ? [`sim: ${lt.rps} req/s canary promoted in ${lt.minutes} min`, lt.promoted ? `yes (${lt.promoted_runs} of ${lt.runs} seeds)` : `never (0 of ${lt.runs} seeds)`, "never", lt.promoted ? "✗" : "✓"]
      : ["sim: 0.5 req/s canary promoted in 30 min", `null${why}`, "never", "✗"],
  ];
}
