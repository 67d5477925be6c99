"use server";
import { commandAction } from "./command.ts";
import type { ActionResult } from "./result.ts";

/** Rejects the approval gate; the run fails with the reason. */
export async function rejectGateAction(input: unknown): Promise<ActionResult<{ note: string | null }>> {
  return commandAction("reject", input);
}
