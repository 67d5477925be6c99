import { describe, expect, it } from "vitest";
import { COMMAND_KINDS, COMMANDS, ZRunCommandInput, auditLineFor, commandSpec, possibleCommands } from "./commands.ts";
import { decide } from "./decide.ts";
import type { RunCommand } from "./events.ts";
import { can } from "./permissions.ts";
import { T0, actors, atApprovalGate, confirmStep, createRun, feed, inRollout } from "./testing.ts";
import { ROLES } from "./types.ts";

const RUN = "8f14e45f-ceea-467f-a0e6-3b2b1d1f0a11";

/** The smallest valid command of each kind, as the actions and the HTTP API would build it. */
function commandOf(kind: (typeof COMMAND_KINDS)[number]): RunCommand {
  const actor = actors.admin;
  if (kind === "resume") return { kind, actor };
  if (kind === "confirmWeight") return { kind, actor, percent: 5 };
  return { kind, actor, reason: "because" };
}

describe("the command table", () => {
  it("declares every command the core accepts from people, and the input schema knows each kind", () => {
    expect(COMMAND_KINDS).toEqual(["approve", "reject", "waive", "confirmWeight", "pause", "resume", "promote", "rollback", "abort"]);
    expect(ZRunCommandInput.options.map((o) => o.shape.kind.value)).toEqual(COMMAND_KINDS);
  });

  it("knows nothing of prototype names or anything else", () => {
    for (const kind of ["__proto__", "constructor", "toString", "hasOwnProperty", "deploy", "", 42, null, undefined]) expect(commandSpec(kind)).toBeNull();
    expect(commandSpec("rollback")).toBe(COMMANDS.rollback);
  });

  it("decide refuses every command to a role without the table's permission, in the same words", () => {
    const run = atApprovalGate();
    for (const role of ROLES) {
      for (const kind of COMMAND_KINDS) {
        const event = { ...commandOf(kind), actor: { ...actors.admin, role } } as RunCommand;
        const t = decide(run, event, T0);
        if (!can(role, COMMANDS[kind].permission)) expect(t.rejected, `${role} ${kind}`).toMatch(/^Your role \(.+\) may not /);
        else expect(t.rejected ?? "", `${role} ${kind}`).not.toMatch(/^Your role/);
      }
    }
  });

  it("validates what each command carries: reasons where the table asks for one, a percent for confirmWeight", () => {
    expect(ZRunCommandInput.safeParse({ kind: "rollback", runId: RUN, reason: "p95 doubled" }).success).toBe(true);
    expect(ZRunCommandInput.safeParse({ kind: "rollback", runId: RUN, reason: " " }).success).toBe(false);
    expect(ZRunCommandInput.safeParse({ kind: "approve", runId: RUN }).success).toBe(true);
    expect(ZRunCommandInput.safeParse({ kind: "confirmWeight", runId: RUN, percent: 101 }).success).toBe(false);
    expect(ZRunCommandInput.safeParse({ kind: "__proto__", runId: RUN }).success).toBe(false);
  });

  it("words the audit line from the table, with the reason and the engine's note where they belong", () => {
    expect(auditLineFor("rollback", { reason: "p95 doubled" }, "Already rolling back.")).toEqual({ action: "run.rollback", summary: "Requested rollback: p95 doubled (Already rolling back.)" });
    expect(auditLineFor("confirmWeight", { percent: 50 }, null)).toEqual({ action: "run.confirm_weight", summary: "Confirmed canary weight 50%" });
    expect(auditLineFor("reject", { reason: "not today" }, "ignored")).toEqual({ action: "run.reject", summary: "Rejected the gate: not today" });
  });

  it("offers only what can do something now", () => {
    expect(possibleCommands(createRun())).toEqual(["rollback", "abort"]);
    expect(possibleCommands(atApprovalGate())).toEqual(["approve", "reject", "rollback", "abort"]);
    const rollout = inRollout();
    expect(possibleCommands(rollout)).toEqual(["confirmWeight", "pause", "rollback"]);
    const holding = confirmStep(rollout);
    expect(possibleCommands(holding)).toEqual(["pause", "promote", "rollback"]);
    const paused = feed(holding, [{ kind: "pause", actor: actors.manager, reason: "" }]).state;
    expect(possibleCommands(paused)).toEqual(["resume", "promote", "rollback"]);
    const rollingBack = feed(holding, [{ kind: "rollback", actor: actors.manager, reason: "bad" }]).state;
    expect(possibleCommands(rollingBack)).toEqual(["confirmWeight"]);
  });
});

describe("text a reason may hold", () => {
  it("refuses a NUL or an unpaired surrogate (PostgreSQL cannot store them), keeps emoji and accents", () => {
    const reason = (r: string) => ZRunCommandInput.safeParse({ kind: "rollback", runId: RUN, reason: r }).success;
    expect(reason("p95 doubled \u0000 on canary")).toBe(false);
    expect(reason("lone \uD800 high surrogate")).toBe(false);
    expect(reason("lone \uDC00 low surrogate")).toBe(false);
    expect(reason("rollback 🚨 — café p95 ×2")).toBe(true);
  });
});
