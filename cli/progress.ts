import { z } from "zod";
import { ZApiRun, type ApiRun } from "../server/contracts/api-v1.ts";
import type { RunEvent } from "./follow.ts";

/**
 * How a followed run is shown: a live display redrawn in place on a terminal, plain timestamped
 * lines (one per change) in CI logs, or NDJSON for machines. All three say the same things.
 */

export type Writable = { write: (text: string) => unknown; columns?: number };

export type ProgressView = {
  event: (e: RunEvent) => void;
  notice: (message: string) => void;
  /** the last word: the run's outcome, or that we stopped waiting */
  finish: (run: ApiRun | null, outcome: { outcome: string; code: number; timedOut: boolean }) => void;
};

const PHASE_LABEL: Record<ApiRun["phase"], string> = {
  pre_deploy: "pre-deploy checks",
  build: "build & optimization checks",
  approval: "approval gate",
  rollout: "rollout",
  post_deploy: "post-deploy verification",
  record: "release record",
  done: "done",
};

const WAITING_LABEL: Record<NonNullable<ApiRun["waitingFor"]>, string> = {
  approval: "waiting for approval",
  waiver: "waiting for a waiver of its blockers",
  weight_confirmation: "waiting for someone to confirm the traffic weight",
  evidence: "waiting for enough canary traffic to judge",
  analysis: "waiting for a person: the analysis asks",
};

/** The run's headline: `#42 storefront 2.3.1 → staging`. */
export const runTitle = (run: ApiRun) => `#${run.number} ${run.service} ${run.flag ? `${run.flag.key}=${run.flag.variant}` : run.version} → ${run.environment}`;

/** Where the run is, in one line: status, phase, step n/N at w%, what it waits for. */
export function progressLine(run: ApiRun): string {
  const parts: string[] = [run.status.replace("_", " "), PHASE_LABEL[run.phase]];
  if (run.currentStep) parts.push(`step ${run.currentStep.index + 1}/${run.currentStep.steps} at ${run.currentStep.weight}%`);
  if (run.waitingFor) {
    const missing = run.waitingFor === "approval" && run.gate && run.gate.approvalsMissing > 0 ? ` (${run.gate.approvalsMissing} more needed)` : "";
    parts.push(WAITING_LABEL[run.waitingFor] + missing);
  }
  return parts.join(" · ");
}

const ZAnalysis = z.object({ verdict: z.string(), summary: z.string(), stepIndex: z.number().optional() });
const ZNotification = z.object({ severity: z.string(), message: z.string() });
const ZLog = z.object({ agent: z.string(), line: z.string() });

/** An event that is not the run's state, as a line (null for those a person need not read). */
function eventLine(e: RunEvent, verbose: boolean): string | null {
  if (e.event === "run.analysis") {
    const a = ZAnalysis.safeParse(e.data);
    return a.success ? `analysis${a.data.stepIndex !== undefined ? ` (step ${a.data.stepIndex + 1})` : ""}: ${a.data.verdict} — ${a.data.summary}` : null;
  }
  if (e.event === "run.notification") {
    const n = ZNotification.safeParse(e.data);
    return n.success ? `${n.data.severity}: ${n.data.message}` : null;
  }
  if (verbose && e.event === "run.log") {
    const l = ZLog.safeParse(e.data);
    return l.success ? `[${l.data.agent}] ${l.data.line}` : null;
  }
  return null;
}

const finalLine = (run: ApiRun | null, o: { outcome: string; timedOut: boolean }) =>
  o.timedOut
    ? `Stopped waiting (--timeout)${run ? `; ${runTitle(run)} goes on: ${progressLine(run)} — ${run.url}` : ""}`
    : run
      ? `${runTitle(run)}: ${o.outcome}${run.outcomeReason ? ` — ${run.outcomeReason}` : ""}\n${run.url}`
      : o.outcome;

/** How often a CI log repeats an unchanged analysis verdict (with its latest numbers). */
const ANALYSIS_REPEAT_MS = 30_000;

/** CI logs: one timestamped line per change, never a control character. */
export function plainView(out: Writable, opts: { verbose: boolean; now?: () => Date }): ProgressView {
  const now = opts.now ?? (() => new Date());
  let last = "";
  let lastAnalysis = "";
  let lastAnalysisAt = 0;
  const say = (text: string) => {
    const at = now().toISOString();
    for (const line of text.split("\n")) out.write(`${at} ${line}\n`);
  };
  return {
    event(e) {
      if (e.event === "run.changed" || e.event === "run.finished") {
        const run = ZApiRun.safeParse(e.data);
        if (!run.success) return;
        const line = `${runTitle(run.data)} ${progressLine(run.data)}`;
        if (line !== last) say(line);
        last = line;
        return;
      }
      const line = eventLine(e, opts.verbose);
      if (!line) return;
      if (e.event === "run.analysis") {
        // The analysis reports every second; a CI log gets a line when the verdict or step changes,
        // else one every 30 s with the latest numbers.
        const a = ZAnalysis.safeParse(e.data);
        const key = a.success ? `${a.data.stepIndex ?? ""}|${a.data.verdict}` : line;
        const at = now().getTime();
        if (key === lastAnalysis && at - lastAnalysisAt < ANALYSIS_REPEAT_MS) return;
        lastAnalysis = key;
        lastAnalysisAt = at;
      }
      say(line);
    },
    notice: (message) => say(message),
    finish: (run, o) => say(finalLine(run, o)),
  };
}

/** Machines: every event as it came, then `{event:"result", outcome, exitCode, run}`. */
export function jsonView(out: Writable): ProgressView {
  return {
    event: (e) => out.write(JSON.stringify(e) + "\n"),
    notice: (message) => out.write(JSON.stringify({ event: "cli.notice", message }) + "\n"),
    finish: (run, o) => out.write(JSON.stringify({ event: "result", outcome: o.timedOut ? "timed out" : o.outcome, exitCode: o.code, run }) + "\n"),
  };
}

/**
 * A terminal: a block of lines redrawn in place (the run, its progress bar, the latest verdict),
 * with notifications and notices printed above it as they come.
 */
export function ttyView(out: Writable, opts: { verbose: boolean; color: boolean }): ProgressView {
  let run: ApiRun | null = null;
  let verdict = "";
  let drawn = 0;
  const paint = (code: string, text: string) => (opts.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const clear = () => {
    // Up to the block's first line, clearing each line on the way.
    let text = "";
    for (let i = 0; i < drawn; i++) text += "\x1b[1A\x1b[2K";
    out.write(text + "\r");
    drawn = 0;
  };
  const bar = (percent: number) => {
    const width = 20;
    const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
    return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${percent}%`;
  };
  const draw = () => {
    if (!run) return;
    const lines = [runTitle(run), `  ${progressLine(run)}`, `  canary traffic ${bar(run.canaryPercent)}`];
    if (verdict) lines.push(`  ${verdict}`);
    // A line wider than the terminal wraps, and the redraw would then climb too few lines: cut it.
    const width = out.columns && out.columns > 20 ? out.columns - 1 : null;
    const fitted = lines.map((l) => (width && l.length > width ? `${l.slice(0, width - 1)}…` : l));
    out.write(fitted.map((l, i) => (i === 0 ? paint("1", l) : l)).join("\n") + "\n");
    drawn = lines.length;
  };
  const above = (text: string) => {
    clear();
    out.write(text + "\n");
    draw();
  };
  return {
    event(e) {
      if (e.event === "run.changed" || e.event === "run.finished") {
        const parsed = ZApiRun.safeParse(e.data);
        if (!parsed.success) return;
        run = parsed.data;
        clear();
        draw();
        return;
      }
      const line = eventLine(e, opts.verbose);
      if (!line) return;
      if (e.event === "run.analysis") {
        verdict = line;
        clear();
        draw();
      } else above(e.event === "run.notification" && /^critical/.test(line) ? paint("31", line) : line);
    },
    notice: (message) => above(paint("2", message)),
    finish: (final, o) => {
      clear();
      if (final) run = final;
      draw();
      const text = finalLine(final, o);
      out.write((o.code === 0 ? paint("32", text) : paint("31", text)) + "\n");
    },
  };
}
