import { requirePermission } from "@/server/auth/session";
import { appContext } from "@/server/context";
import { commandSpec } from "@/server/core/commands";
import { AppError } from "@/server/errors";
import { json, refuseCrossSite, route } from "@/server/http/route";
import { runCommand } from "@/server/services/runs";
import { ZRunCommandInput } from "@/server/services/schemas";

export const dynamic = "force-dynamic";

const MAX_BODY = 8 * 1024;

/**
 * A command on a run over HTTP (scripts and CI): the same authorization and validation as the
 * dashboard's server actions, both read from the command table (server/core/commands.ts). 400
 * for an unknown command, 401 without a session, 403 for a role that may not, 409 when the run
 * is in the wrong state (nothing changes).
 */
export const POST = route(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  refuseCrossSite(req);
  const text = await req.text();
  if (text.length > MAX_BODY) throw new AppError("PAYLOAD_TOO_LARGE", { message: "command body too large", userMessage: "Request body too large." });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", { message: "invalid JSON", userMessage: "The body must be JSON." });
  }
  const kind: unknown = typeof body === "object" && body && "kind" in body ? (body as { kind: unknown }).kind : undefined;
  // Unknown kinds — `__proto__` and `constructor` included — are the sender's mistake: 400, before any role check.
  const command = commandSpec(kind);
  if (!command) throw new AppError("BAD_REQUEST", { message: `unknown command ${String(kind).slice(0, 40)}`, userMessage: `Unknown command "${String(kind).slice(0, 40)}".` });
  const user = await requirePermission(req.headers, command.permission);
  const input = ZRunCommandInput.parse({ ...(body as object), runId: (await ctx.params).id });
  const result = await runCommand(appContext().engine, user, input);
  return json({ ok: true, note: result.note });
});
