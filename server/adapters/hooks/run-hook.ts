import { excerpt } from "../report-text.ts";
import { MINIMAL_PATH, runIsolated } from "../isolated-command.ts";
import { postSignedJson } from "../routers/webhook/signed-post.ts";
import type { HookName } from "../../db/environment-config-schema.ts";
import type { HookContext, HookOutcome, ResolvedHook, RunRollbackHook } from "../../engine/ports.ts";

export type { HookContext, HookOutcome, ResolvedHook } from "../../engine/ports.ts";

/** Kept from a command's combined stdout and stderr: its last characters, where the error usually is. */
const OUTPUT_TAIL_CHARS = 2_000;

const LABEL: Record<HookName, string> = { dataMigration: "data-migration", cacheInvalidation: "cache/CDN invalidation" };

/**
 * Runs one rollback hook. Never throws: whatever goes wrong becomes a "failed" outcome with the
 * reason, because the rollback carries on with its next step either way.
 */
export const runHook: RunRollbackHook = async (hook, name, ctx) => {
  if (hook === null) return { status: "skipped", detail: `No ${LABEL[name]} hook configured for this service.` };
  if (hook.kind === "command") return runCommand(hook, name, ctx);
  try {
    const res = await postSignedJson({ url: hook.url, secret: hook.secret }, `rollback hook ${name}`, (timestamp) => ({
      event: "rollbackHook",
      hook: name,
      ...ctx,
      timestamp,
    }));
    return { status: "done", detail: `${capitalize(LABEL[name])} webhook answered HTTP ${res.status}${answerOf(res.body)}` };
  } catch (e) {
    return { status: "failed", detail: `${capitalize(LABEL[name])} webhook failed: ${e instanceof Error ? e.message : String(e)}` };
  }
};

async function runCommand(hook: Extract<ResolvedHook, { kind: "command" }>, name: HookName, ctx: HookContext): Promise<HookOutcome> {
  const label = capitalize(LABEL[name]);
  const env: Record<string, string> = {
    PATH: MINIMAL_PATH,
    FLIGHTDECK_HOOK: name,
    FLIGHTDECK_RUN_ID: ctx.runId,
    FLIGHTDECK_SERVICE: ctx.service,
    FLIGHTDECK_ENVIRONMENT: ctx.environment,
    FLIGHTDECK_BASELINE: ctx.baseline,
    FLIGHTDECK_CANARY: ctx.canary,
    FLIGHTDECK_IDEMPOTENCY_KEY: ctx.idempotencyKey,
    FLIGHTDECK_ATTEMPT: String(ctx.attempt),
  };
  const end = await runIsolated(hook.command, hook.args, { env, timeoutMs: hook.timeoutMs, tailChars: OUTPUT_TAIL_CHARS });
  switch (end.kind) {
    case "exited":
      return end.code === 0
        ? { status: "done", detail: `${label} hook exited 0${outputOf(end.output)}` }
        : { status: "failed", detail: `${label} hook exited with code ${end.code}${outputOf(end.output)}` };
    case "killed":
      return { status: "failed", detail: `${label} hook was killed by ${end.signal}${outputOf(end.output)}` };
    case "timedOut":
      return { status: "failed", detail: `${label} hook timed out after ${hook.timeoutMs} ms and was killed${outputOf(end.output)}` };
    case "notStarted":
      return { status: "failed", detail: `${label} hook could not start ${hook.command}: ${end.error}` };
  }
}

function outputOf(tail: string): string {
  const text = tail.trim();
  return text.length === 0 ? " (no output)" : `; output: ${text}`;
}

function answerOf(body: string): string {
  const text = excerpt(body);
  return text === "" ? "" : `: ${text}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
