import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { appContext } from "../context.ts";
import { COMMANDS, type CommandKind } from "../core/commands.ts";
import { runCommand } from "../services/runs.ts";
import { ZRunCommandInput } from "../services/schemas.ts";
import { actionResult, type ActionResult } from "./result.ts";

/**
 * The shared body of the run-command actions: authorize the role on the server with the
 * command's permission from the command table, validate the input with its schema, and hand the
 * command to the engine (which refuses it, state unchanged, if the run is in the wrong state).
 */
export async function commandAction(kind: CommandKind, input: unknown): Promise<ActionResult<{ note: string | null }>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), COMMANDS[kind].permission);
    const parsed = ZRunCommandInput.parse({ ...(typeof input === "object" ? input : {}), kind });
    return runCommand(appContext().engine, user, parsed);
  });
}
