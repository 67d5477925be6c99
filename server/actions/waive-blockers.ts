"use server";
import { commandAction } from "./command.ts";
import type { ActionResult } from "./result.ts";

/** Waives the gate's waivable blockers with a reason (audited). */
export async function waiveBlockersAction(input: unknown): Promise<ActionResult<{ note: string | null }>> {
  return commandAction("waive", input);
}
