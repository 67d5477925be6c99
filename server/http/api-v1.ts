import { z } from "zod";
import { requirePermission } from "../auth/session.ts";
import { appContext } from "../context.ts";
import { commandSpec } from "../core/commands.ts";
import { ZApiCommandBody, ZApiCreateRunBody, ZApiRunListQuery } from "../contracts/api-v1.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { runEventHub } from "../realtime/event-hub.ts";
import { runtime } from "../runtime.ts";
import { assertTokenMayTouch, authenticateToken } from "../services/api-tokens.ts";
import { createApiRun, findApiRunRow, getApiRun, listApiRuns, sendApiCommand, toApiRun, ZIdempotencyKey } from "../services/api-runs.ts";
import { runCommand } from "../services/runs.ts";
import { ZRunCommandInput } from "../services/schemas.ts";
import { apiJson, apiRoute, readJsonBody } from "./problem.ts";
import { refuseCrossSite } from "./route.ts";
import { resumePoint, runEventStream } from "./run-event-stream.ts";

/**
 * The HTTP API v1's run routes (app/api/v1/runs/…), thin: authenticate, read the request with
 * its schema (server/contracts/api-v1.ts), call one service function, answer. Errors are
 * problem details (problem.ts).
 */

/** A run creation's body: a run with 20,000 characters of notes and 20 links fits well within. */
export const MAX_RUN_BODY_BYTES = 64 * 1024;
/** A command's body: a kind and a reason of at most 500 characters. */
export const MAX_COMMAND_BODY_BYTES = 8 * 1024;

type RefContext = { params: Promise<{ id: string }> };

/** The dashboard's address for runs' `url`: the configured public URL, else the address the request came to. */
function baseUrl(req: Request): string {
  try {
    return runtime().publicUrl;
  } catch {
    return new URL(req.url).origin;
  }
}

/** POST /api/v1/runs (runs:write). */
export const createRunRoute = apiRoute(async (req: Request) => {
  const token = await authenticateToken(db(), req.headers.get("authorization"), "runs:write");
  const keyHeader = req.headers.get("idempotency-key");
  let key: string | null = null;
  if (keyHeader !== null) {
    const parsed = ZIdempotencyKey.safeParse(keyHeader);
    if (!parsed.success) {
      throw new AppError("BAD_REQUEST", { message: "bad idempotency key", userMessage: "Invalid Idempotency-Key header.", fieldErrors: { "Idempotency-Key": parsed.error.issues.map((i) => i.message) } });
    }
    key = parsed.data;
  }
  const { value } = await readJsonBody(req, ZApiCreateRunBody, MAX_RUN_BODY_BYTES);
  const ctx = appContext();
  const demo = ctx.demo;
  const { run, replay } = await createApiRun(
    { db: db(), engine: ctx.engine, globalHoldScale: ctx.globalHoldScale, now: Date.now(), baseUrl: baseUrl(req), ...(demo ? { prepare: (t) => demo.prepare(t), yieldRehearsal: (w, by) => demo.yieldRehearsal(w, by) } : {}) },
    token,
    value,
    key,
  );
  const location = `/api/v1/runs/${run.id}`;
  return replay ? apiJson(run, 200, { location, "idempotent-replay": "true" }) : apiJson(run, 201, { location });
});

/** GET /api/v1/runs (runs:read). */
export const listRunsRoute = apiRoute(async (req: Request) => {
  const token = await authenticateToken(db(), req.headers.get("authorization"), "runs:read");
  const query = ZApiRunListQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
  return apiJson(await listApiRuns(db(), token, query, baseUrl(req)));
});

/** GET /api/v1/runs/{ref} (runs:read). */
export const getRunRoute = apiRoute(async (req: Request, ctx: RefContext) => {
  const token = await authenticateToken(db(), req.headers.get("authorization"), "runs:read");
  return apiJson(await getApiRun(db(), token, (await ctx.params).id, baseUrl(req)));
});

/**
 * POST /api/v1/runs/{ref}/commands: with a bearer token (runs:write), as the token's identity;
 * without one, the dashboard's cookie session as before (JSON from our own origin only).
 */
export const runCommandRoute = apiRoute(async (req: Request, ctx: RefContext) => {
  const ref = (await ctx.params).id;
  const bearer = /^Bearer\s/i.test(req.headers.get("authorization") ?? "");
  const token = bearer ? await authenticateToken(db(), req.headers.get("authorization"), "runs:write") : null;
  // Another site's form can post text/plain with a person's cookie: refused here, before anything.
  if (!token) refuseCrossSite(req);
  const { value: raw } = await readJsonBody(req, ZJsonObject, MAX_COMMAND_BODY_BYTES);
  const kind = raw.kind;
  // Unknown kinds — `__proto__` and `constructor` included — are the sender's mistake: 400, before any role check.
  const command = commandSpec(kind);
  if (!command) {
    const name = String(kind).slice(0, 40);
    throw new AppError("BAD_REQUEST", { message: `unknown command ${name}`, userMessage: `Unknown command "${name}".`, fieldErrors: { kind: [`Unknown command "${name}"`] } });
  }
  if (token) return apiJson(await sendApiCommand(db(), appContext().engine, token, ref, ZApiCommandBody.parse(raw)));
  const user = await requirePermission(req.headers, command.permission);
  const row = await findApiRunRow(db(), ref);
  const input = ZRunCommandInput.parse({ ...raw, runId: row.id });
  const result = await runCommand(appContext().engine, user, input);
  return apiJson({ ok: true, note: result.note });
});

const ZJsonObject = z.record(z.string(), z.unknown());

/** GET /api/v1/runs/{ref}/events (runs:read): Server-Sent Events, resumable with Last-Event-ID. */
export const runEventsRoute = apiRoute(async (req: Request, ctx: RefContext) => {
  const token = await authenticateToken(db(), req.headers.get("authorization"), "runs:read");
  const row = await findApiRunRow(db(), (await ctx.params).id);
  assertTokenMayTouch(token, { service: row.service.slug, environment: row.environmentName });
  const base = baseUrl(req);
  const stream = runEventStream(row.id, resumePoint(req), { hub: runEventHub(), loadRun: async () => toApiRun(await findApiRunRow(db(), row.id), base) }, req.signal);
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      // no-transform: a compressing proxy (or Next's own compression) must not buffer the stream.
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
});
