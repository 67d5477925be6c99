import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { appContext } from "../context.ts";
import type { Permission } from "../core/permissions.ts";
import { runCommand } from "../services/runs.ts";
import { ZRunCommandInput, type TRunCommandInput } from "../services/schemas.ts";
import { actionResult, type ActionResult } from "./result.ts";

/**
 * The shared body of the run-command actions: authorize the role on the server, validate the
 * input, and hand the command to the engine (which refuses it, state unchanged, if the run is
 * in the wrong state).
 */
export async function commandAction(
  permission: Permission,
  kind: TRunCommandInput["kind"],
  input: unknown,
): Promise<ActionResult<{ note: string | null }>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), permission);
    const parsed = ZRunCommandInput.parse({ ...(typeof input === "object" ? input : {}), kind });
    return runCommand(appContext().engine, user, parsed);
  });
}
