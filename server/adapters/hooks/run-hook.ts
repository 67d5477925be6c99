import { excerpt } from "../report-text.ts";
import { killGroup, MINIMAL_PATH, spawnIsolated } from "../isolated-command.ts";
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

function runCommand(hook: Extract<ResolvedHook, { kind: "command" }>, name: HookName, ctx: HookContext): Promise<HookOutcome> {
  const label = capitalize(LABEL[name]);
  return new Promise((resolve) => {
    let tail = "";
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-OUTPUT_TAIL_CHARS);
    };
    let settled = false;
    const settle = (outcome: HookOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
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
    const child = spawnIsolated(hook.command, hook.args, { env });
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => {
      killGroup(child.pid);
      settle({ status: "failed", detail: `${label} hook timed out after ${hook.timeoutMs} ms and was killed${outputOf(tail)}` });
    }, hook.timeoutMs);
    child.on("error", (e) => settle({ status: "failed", detail: `${label} hook could not start ${hook.command}: ${e.message}` }));
    child.on("close", (code, signal) => {
      if (code === 0) settle({ status: "done", detail: `${label} hook exited 0${outputOf(tail)}` });
      else settle({ status: "failed", detail: `${label} hook ${code !== null ? `exited with code ${code}` : `was killed by ${signal}`}${outputOf(tail)}` });
    });
  });
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
