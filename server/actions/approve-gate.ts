"use server";
import { commandAction } from "./command.ts";
import type { ActionResult } from "./result.ts";

/** Approves the open approval gate. */
export async function approveGateAction(input: unknown): Promise<ActionResult<{ note: string | null }>> {
  return commandAction("approve", input);
}
