import type { AgentState, AgentStatus, Blocker, CheckReport, Policy, Severity, SeverityCounts, SubCheckRun } from "./types.ts";
import { SEVERITIES } from "./types.ts";

/**
 * The one judge of pre- and post-deploy checks. Runners report what they found and which
 * sub-checks ran; only this file turns that into an agent's verdict and the gate's blockers, from
 * the run's policy. A finding below the policy's blocking severity is shown and counted, never
 * blocking; a sub-check that could not run is never read as a pass.
 */

export type AgentVerdict = { status: Exclude<AgentStatus, "pending" | "running" | "cancelled">; summary: string };

/**
 * A runner's result as the judge reads it: findings counted per severity, and each sub-check's
 * count at high or above (rules such as "failing tests always block" look at one sub-check).
 */
export function reportFrom(result: { findings: readonly { severity: Severity; check?: string }[]; checks: readonly SubCheckRun[]; summary: string }): CheckReport {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
  for (const f of result.findings) counts[f.severity]++;
  const high = SEVERITIES.indexOf("high");
  const highOrAbove = (check: string) => result.findings.filter((f) => f.check === check && SEVERITIES.indexOf(f.severity) <= high).length;
  return { checks: result.checks.map((c) => ({ ...c, highOrAbove: highOrAbove(c.name) })), counts, summary: result.summary };
}

/** Findings at `floor` or more severe. */
export function atOrAbove(counts: SeverityCounts, floor: Severity): number {
  const limit = SEVERITIES.indexOf(floor);
  return SEVERITIES.slice(0, limit + 1).reduce((n, s) => n + counts[s], 0);
}

/** "1 high, 2 medium" — the non-info findings, most severe first; "" when there are none. */
export function describeCounts(counts: SeverityCounts, only: readonly Severity[] = SEVERITIES.filter((s) => s !== "info")): string {
  return only
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(", ");
}

/** Sub-checks the policy always blocks on (failing tests) that have high or critical findings. */
function failingBlockingChecks(checks: readonly SubCheckRun[] | undefined, policy: Policy) {
  return (checks ?? []).filter((c) => (policy.blockingChecks ?? []).includes(c.name) && (c.highOrAbove ?? 0) > 0);
}

/** The severities at or above the policy's floor, most severe first. */
export function blockingSeverities(policy: Policy): Severity[] {
  return SEVERITIES.slice(0, SEVERITIES.indexOf(policy.blockingSeverity) + 1);
}

/**
 * An agent's verdict from its report under `policy`: `failed` when a finding is at or above the
 * blocking severity (whatever else happened: a blocking finding must not turn waivable because
 * another sub-check broke); `error` when a configured sub-check could not run; `not_configured`
 * when nothing was configured; otherwise `passed`, naming the findings that were shown but did
 * not block.
 */
export function judgeAgent(report: CheckReport, policy: Policy): AgentVerdict {
  const { checks, counts } = report;
  const measured = report.summary.trim();
  const broken = checks.filter((c) => c.outcome === "could_not_run");
  const brokenText = broken.map((c) => `${c.name}${c.detail ? `: ${c.detail}` : ""}`).join("; ");
  const blocking = atOrAbove(counts, policy.blockingSeverity);
  const alwaysBlocking = failingBlockingChecks(report.checks, policy);
  if (blocking > 0 || alwaysBlocking.length > 0) {
    const which = blocking > 0 ? `${describeCounts(counts, blockingSeverities(policy))} finding(s) block (${policy.blockingSeverity} or above)` : "";
    const always = alwaysBlocking.length > 0 ? `${alwaysBlocking.map((c) => c.name).join(", ")} failing, which always blocks` : "";
    return { status: "failed", summary: [measured, which, always, broken.length > 0 ? `could not run: ${brokenText}` : ""].filter(Boolean).join("; ") };
  }
  if (broken.length > 0) return { status: "error", summary: `Could not run: ${brokenText}${measured ? ` — ${measured}` : ""}` };
  if (checks.length === 0 || checks.every((c) => c.outcome === "not_configured")) {
    return { status: "not_configured", summary: measured || "No checks configured for this service and environment" };
  }
  const shown = describeCounts(counts);
  const note = shown ? `${shown} shown, not blocking (${policy.blockingSeverity} or above blocks)` : "";
  return { status: "passed", summary: [measured || "Every configured check ran", note].filter(Boolean).join("; ") };
}

/**
 * What stops a gate, given the agents' verdicts. Findings at or above the blocking severity
 * cannot be waived; a check that did not earn a pass (error, cancelled, or not configured where
 * policy says so) blocks until a release manager waives it with a reason.
 */
export function blockersFor(agents: AgentState[], policy: Policy): Blocker[] {
  const blockers: Blocker[] = [];
  for (const a of agents) {
    const severe = atOrAbove(a.counts, policy.blockingSeverity);
    const always = failingBlockingChecks(a.checks, policy);
    if (severe === 0 && always.length > 0) {
      const n = always.reduce((sum, c) => sum + (c.highOrAbove ?? 0), 0);
      blockers.push({ id: `findings:${a.agent}`, message: `${a.agent}: ${n} failing test finding(s) in ${always.map((c) => c.name).join(", ")}; failing tests always block`, waivable: false, waived: null });
    } else if (severe > 0) {
      blockers.push({
        id: `findings:${a.agent}`,
        message: `${a.agent}: ${severe} finding(s) at ${policy.blockingSeverity} or above`,
        waivable: false,
        waived: null,
      });
    } else if (a.status === "failed") {
      // Runs judged before policy v2 stored the runner's own "failed": it stays a blocker.
      blockers.push({ id: `failed:${a.agent}`, message: `${a.agent} failed: ${a.summary}`, waivable: false, waived: null });
    } else if (a.status === "error") {
      blockers.push({ id: `error:${a.agent}`, message: `${a.agent}: ${a.summary}`, waivable: true, waived: null });
    } else if (a.status === "not_configured" && policy.notConfiguredBlocks) {
      blockers.push({ id: `not_configured:${a.agent}`, message: `${a.agent} has no checks configured`, waivable: true, waived: null });
    } else if (a.status === "cancelled") {
      blockers.push({ id: `cancelled:${a.agent}`, message: `${a.agent} was cancelled`, waivable: true, waived: null });
    }
  }
  return blockers;
}
