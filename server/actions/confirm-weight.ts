"use server";
import { commandAction } from "./command.ts";
import type { ActionResult } from "./result.ts";

/** Confirms that the team's deploy tool applied a traffic weight (manual router). */
export async function confirmWeightAction(input: unknown): Promise<ActionResult<{ note: string | null }>> {
  return commandAction("confirmWeight", input);
}
