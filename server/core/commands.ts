import { z } from "zod";
import type { Permission } from "./permissions.ts";
import type { CommandKind } from "./command-states.ts";
import type { Actor } from "./types.ts";
import { STORABLE, UNSTORABLE_MESSAGE } from "./storable-text.ts";

/**
 * Every command a person can send to a run, declared once: who may send it, what it carries and
 * how the audit trail words it (when it can act is in command-states.ts, which the browser reads). `decide` checks the permission and the
 * rollback rule from here; the server actions, the HTTP API, the audit and the run page's
 * controls read the same entries. Adding a command is one entry here plus its transition in
 * decide.
 */

const storable = (s: z.ZodString) => s.regex(STORABLE, UNSTORABLE_MESSAGE);
const ZReason = storable(z.string().trim().min(3, "Give a reason (at least 3 characters)").max(500, "At most 500 characters"));
const ZOptionalReason = storable(z.string().trim().max(500, "At most 500 characters")).default("");
/** A run id as it arrives in a URL or form: a UUID. */
export const ZRunId = z.string().uuid("Unknown run");

type CommandSpec = {
  /** the role permission a sender needs (core/permissions.ts) */
  permission: Permission;
  /** what the command carries besides its kind and run */
  input: z.ZodObject;
  /** the audit trail's action and its sentence (reason and the engine's note are appended where `withReason`/`withNote`) */
  audit: { action: string; says: (input: { reason?: string; percent?: number }) => string; withReason: boolean; withNote: boolean };
  /** refused while a rollback is in progress, with the word the refusal uses ("cannot be approved now") */
  refusedWhileRollingBack: string | null;
};

export const COMMANDS = {
  approve: {
    permission: "run.approve",
    input: z.object({ reason: ZOptionalReason }),
    audit: { action: "run.approve", says: () => "Approved the gate", withReason: true, withNote: true },
    refusedWhileRollingBack: "approved",
  },
  reject: {
    permission: "run.reject",
    input: z.object({ reason: ZReason }),
    audit: { action: "run.reject", says: () => "Rejected the gate", withReason: true, withNote: false },
    refusedWhileRollingBack: "rejected",
  },
  waive: {
    permission: "run.waive",
    input: z.object({ reason: ZReason }),
    audit: { action: "run.waive", says: () => "Waived blockers", withReason: true, withNote: false },
    refusedWhileRollingBack: "waived",
  },
  confirmWeight: {
    permission: "run.confirmWeight",
    input: z.object({ percent: z.coerce.number().int().min(0).max(100) }),
    audit: { action: "run.confirm_weight", says: ({ percent }) => `Confirmed canary weight ${percent ?? 0}%`, withReason: false, withNote: true },
    refusedWhileRollingBack: null,
  },
  pause: {
    permission: "run.pause",
    input: z.object({ reason: ZOptionalReason }),
    audit: { action: "run.pause", says: () => "Paused the rollout", withReason: true, withNote: true },
    refusedWhileRollingBack: "paused",
  },
  resume: {
    permission: "run.resume",
    input: z.object({}),
    audit: { action: "run.resume", says: () => "Resumed the rollout", withReason: false, withNote: true },
    refusedWhileRollingBack: null,
  },
  promote: {
    permission: "run.promote",
    input: z.object({ reason: ZReason }),
    audit: { action: "run.promote", says: () => "Promoted the current step", withReason: true, withNote: false },
    refusedWhileRollingBack: "promoted",
  },
  rollback: {
    permission: "run.rollback",
    input: z.object({ reason: ZReason }),
    audit: { action: "run.rollback", says: () => "Requested rollback", withReason: true, withNote: true },
    refusedWhileRollingBack: null,
  },
  abort: {
    permission: "run.abort",
    input: z.object({ reason: ZReason }),
    audit: { action: "run.abort", says: () => "Aborted the run", withReason: true, withNote: false },
    refusedWhileRollingBack: null,
  },
} as const satisfies Record<CommandKind, CommandSpec>;

export { COMMAND_KINDS, possibleCommands, type CommandKind } from "./command-states.ts";

/** The entry for `kind`, or null for anything else — `__proto__` and `constructor` included. */
export function commandSpec(kind: unknown): (typeof COMMANDS)[CommandKind] | null {
  return typeof kind === "string" && Object.hasOwn(COMMANDS, kind) ? COMMANDS[kind as CommandKind] : null;
}

/** A command as the actions and the HTTP API accept it: its kind, its run, and what its entry says it carries. */
export const ZRunCommandInput = z.discriminatedUnion("kind", [
  COMMANDS.approve.input.extend({ kind: z.literal("approve"), runId: ZRunId }),
  COMMANDS.reject.input.extend({ kind: z.literal("reject"), runId: ZRunId }),
  COMMANDS.waive.input.extend({ kind: z.literal("waive"), runId: ZRunId }),
  COMMANDS.confirmWeight.input.extend({ kind: z.literal("confirmWeight"), runId: ZRunId }),
  COMMANDS.pause.input.extend({ kind: z.literal("pause"), runId: ZRunId }),
  COMMANDS.resume.input.extend({ kind: z.literal("resume"), runId: ZRunId }),
  COMMANDS.promote.input.extend({ kind: z.literal("promote"), runId: ZRunId }),
  COMMANDS.rollback.input.extend({ kind: z.literal("rollback"), runId: ZRunId }),
  COMMANDS.abort.input.extend({ kind: z.literal("abort"), runId: ZRunId }),
]);
export type TRunCommandInput = z.infer<typeof ZRunCommandInput>;

/** The audit trail's line for a command that was accepted. */
export function auditLineFor(kind: CommandKind, input: { reason?: string; percent?: number }, note: string | null): { action: string; summary: string } {
  const { audit } = COMMANDS[kind];
  const reason = audit.withReason && input.reason ? `: ${input.reason}` : "";
  const suffix = audit.withNote && note ? ` (${note})` : "";
  return { action: audit.action, summary: `${audit.says(input)}${reason}${suffix}` };
}

/** The refusal a role gets for a command it may not send. */
export function roleRefusal(kind: CommandKind, actor: Actor): string {
  return `Your role (${actor.role}) may not ${kind === "confirmWeight" ? "confirm traffic weights on" : kind} runs.`;
}
