import { requirePermission } from "@/server/auth/session";
import { appContext } from "@/server/context";
import type { Permission } from "@/server/core/permissions";
import { AppError } from "@/server/errors";
import { json, route } from "@/server/http/route";
import { runCommand } from "@/server/services/runs";
import { ZRunCommandInput } from "@/server/services/schemas";

export const dynamic = "force-dynamic";

const PERMISSION: Record<string, Permission> = {
  approve: "run.approve", reject: "run.reject", waive: "run.waive", confirmWeight: "run.confirmWeight",
  pause: "run.pause", resume: "run.resume", promote: "run.promote", rollback: "run.rollback", abort: "run.abort",
};

const MAX_BODY = 8 * 1024;

/**
 * A command on a run over HTTP (scripts and CI): the same authorization and validation as the
 * dashboard's server actions. 401 without a session, 403 for a role that may not, 409 when the
 * run is in the wrong state (nothing changes).
 */
export const POST = route(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const text = await req.text();
  if (text.length > MAX_BODY) throw new AppError("PAYLOAD_TOO_LARGE", { message: "command body too large", userMessage: "Request body too large." });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", { message: "invalid JSON", userMessage: "The body must be JSON." });
  }
  const kind = typeof body === "object" && body && "kind" in body ? String((body as { kind: unknown }).kind) : "";
  const permission = PERMISSION[kind];
  if (!permission) throw new AppError("BAD_REQUEST", { message: `unknown command ${kind}`, userMessage: `Unknown command "${kind}".` });
  const user = await requirePermission(req.headers, permission);
  const input = ZRunCommandInput.parse({ ...(body as object), runId: (await ctx.params).id });
  const result = await runCommand(appContext().engine, user, input);
  return json({ ok: true, note: result.note });
});
