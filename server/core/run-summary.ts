import { approveRefusal } from "./command-states.ts";
import { can, type Permission } from "./permissions.ts";
import type { Role, RunState } from "./types.ts";

/**
 * The run page's one line on what the run waits for, written for the person reading it: an
 * instruction only to someone who may follow it, otherwise who can act and what is missing
 * ("Needs 1 approval from a release manager other than Rhea Manager"). Issue 11: viewers were
 * told to "resume it when you are ready", and nobody was told who paused a run or why.
 */

/** Who reads the page. */
export type SummaryReader = { id: string; role: Role };

/** Who paused the run, when (already in the reader's words, e.g. "14:03:10") and why; from the pause decision. */
export type PauseNote = { by: string; at: string; reason: string };

/** What the line says, and whether it asks the reader to act (the page links it to the controls). */
export type NeedsYou = { text: string; yours: boolean };

const ROLE_NOUNS: Record<Exclude<Role, "admin">, string> = {
  release_manager: "release manager",
  on_call: "on-call engineer",
  viewer: "viewer",
};

/** The roles that may act, in words ("a release manager or on-call engineer"); admins go without saying. `capital` starts a sentence. */
export function whoMay(permission: Permission, { capital = false } = {}): string {
  const roles = (Object.keys(ROLE_NOUNS) as (keyof typeof ROLE_NOUNS)[]).filter((r) => can(r, permission)).map((r) => ROLE_NOUNS[r]);
  const words = roles.length === 0 ? "an admin" : `a ${roles.join(" or ")}`;
  return capital ? `${words.charAt(0).toUpperCase()}${words.slice(1)}` : words;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "A", "A or B", "A, B or C". */
function either(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} or ${names.at(-1) ?? ""}`;
}

/** The gate a person decides on now: the approval gate before the rollout, verification after it. */
function gateInPlay(state: RunState) {
  return state.phase === "post_deploy" ? state.verification : state.gate;
}

function approvalLine(state: RunState, reader: SummaryReader, creatorName: string): NeedsYou {
  const gate = gateInPlay(state);
  const hard = gate.blockers.filter((b) => !b.waivable && b.waived === null);
  if (hard.length > 0) {
    return can(reader.role, "run.reject")
      ? { text: `Policy blocks the gate (${plural(hard.length, "blocker")} that cannot be waived): reject the run`, yours: true }
      : { text: `Policy blocks the gate (${plural(hard.length, "blocker")} that cannot be waived); ${whoMay("run.reject")} can reject the run`, yours: false };
  }
  const missing = Math.max(0, gate.requiredApprovals - gate.approvals.length);
  if (can(reader.role, "run.approve") && approveRefusal(state, reader.id) === null) {
    return { text: `Needs your approval: ${gate.approvals.length} of ${gate.requiredApprovals} given`, yours: true };
  }
  // Those who cannot give the missing approvals: the creator under separation of duties, and whoever already approved.
  const excluded = [...(state.policy.separationOfDuties ? [creatorName] : []), ...gate.approvals.map((a) => a.name)];
  const unique = [...new Set(excluded)];
  const other = unique.length > 0 ? ` other than ${either(unique)}` : "";
  return { text: `Needs ${plural(missing, "approval")} from ${whoMay("run.approve")}${other}`, yours: false };
}

function waiverLine(state: RunState, reader: SummaryReader): NeedsYou {
  const open = gateInPlay(state).blockers.filter((b) => b.waivable && b.waived === null).length;
  const blockers = plural(open, "blocker");
  return can(reader.role, "run.waive")
    ? { text: `Needs you to waive or fix ${blockers} before the gate can pass`, yours: true }
    : { text: `Needs ${whoMay("run.waive")} to waive ${blockers}`, yours: false };
}

function weightLine(state: RunState, reader: SummaryReader): NeedsYou {
  const percent = state.status === "rolling_back" ? 0 : (state.steps[state.stepIndex]?.percent ?? 0);
  const flag = state.params.flag;
  if (flag) {
    // The flag router writes the flag itself; a flag run waits for a person only when it could not.
    const what = `The flag router could not give ${flag.variant} of ${flag.key} to ${percent}% of users`;
    return can(reader.role, "run.confirmWeight")
      ? { text: `${what}: fix the flag in Settings and confirm ${percent}%, or roll back`, yours: true }
      : { text: `${what}; ${whoMay("run.confirmWeight")} can confirm it or roll back`, yours: false };
  }
  return can(reader.role, "run.confirmWeight")
    ? { text: `Set canary traffic to ${percent}% in your deploy tool, then confirm it`, yours: true }
    : { text: `Needs ${whoMay("run.confirmWeight")} to confirm ${percent}% of traffic on the canary`, yours: false };
}

function analysisLine(state: RunState, reader: SummaryReader): NeedsYou {
  const evidence = state.waitingFor === "evidence";
  if (can(reader.role, "run.promote")) {
    return evidence
      ? { text: "Not enough evidence yet: wait, promote the step anyway or roll back", yours: true }
      : { text: "The analysis asks a person: promote the step or roll back", yours: true };
  }
  const what = evidence ? "The hold is over without enough evidence" : "The analysis asks a person to decide";
  if (can(reader.role, "run.rollback")) return { text: `${what}: you may roll back; ${whoMay("run.promote")} can promote the step`, yours: true };
  return { text: `${what}; ${whoMay("run.promote")} can promote the step or roll back`, yours: false };
}

function pausedLine(reader: SummaryReader, pause: PauseNote | null): NeedsYou {
  const who = pause ? `Paused by ${pause.by} at ${pause.at}: ${pause.reason.trim() || "no reason given"}` : "Paused";
  return can(reader.role, "run.resume")
    ? { text: `${who} — resume it when you are ready, or roll back`, yours: true }
    : { text: `${who} — ${whoMay("run.resume")} can resume it`, yours: false };
}

/** What nobody needs to do anything about: the run is working or has ended. */
function idleLine(state: RunState): string {
  if (state.status === "succeeded") return "Nothing: the release is done";
  if (state.status === "rolled_back" || state.status === "failed" || state.status === "aborted") return "Nothing: the run has ended";
  if (state.status === "rolling_back") return "The rollback procedure is running; nothing needs a person right now";
  const flag = state.params.flag;
  // A flag run's canary is the users on its new variant (issue 15).
  if (state.phase === "rollout" && flag && state.params.analysis) {
    return `${flag.variant} is on for ${state.canaryPercent}% of users while the analysis compares them with those on ${flag.baselineVariant}; nothing needs a person right now`;
  }
  if (state.phase === "rollout" && !state.params.analysis) return "The canary is holding. No automated analysis watches it: keep an eye on your own dashboards";
  if (state.phase === "rollout") return "The canary is holding while the analysis watches it; nothing needs a person right now";
  return "Checks are running; nothing needs a person right now";
}

/**
 * The one thing the run needs, for this reader: `creatorName` names the person separation of
 * duties excludes; `pause` is who paused the run (always shown while it is paused).
 */
export function needsYou(state: RunState, reader: SummaryReader, creatorName: string, pause: PauseNote | null): NeedsYou {
  // A pause outranks what the step was waiting for (a canary short of evidence can be paused too): nothing moves until someone resumes.
  if (state.status === "paused") return pausedLine(reader, pause);
  switch (state.waitingFor) {
    case "approval":
      return approvalLine(state, reader, creatorName);
    case "waiver":
      return waiverLine(state, reader);
    case "weight_confirmation":
      return weightLine(state, reader);
    case "evidence":
    case "analysis":
      return analysisLine(state, reader);
    case null:
      return { text: idleLine(state), yours: false };
    default: {
      const never: never = state.waitingFor;
      return never;
    }
  }
}

/**
 * Whether an automated analysis watches the run: it has one, and some router that moves its
 * traffic measures it — the environment's, or, region by region, one of its regions' own (a
 * production whose environment router is manual may still have built-in routers per region).
 */
export function isWatched(state: RunState): boolean {
  if (!state.params.analysis) return false;
  const kinds = state.regionPlan ? state.regionPlan.regions.map((r) => r.router ?? state.params.router) : [state.params.router];
  return kinds.some((kind) => kind !== "manual");
}
