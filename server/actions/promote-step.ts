"use server";
import { commandAction } from "./command.ts";
import type { ActionResult } from "./result.ts";

/** Promotes the current rollout step early, with a reason. */
export async function promoteStepAction(input: unknown): Promise<ActionResult<{ note: string | null }>> {
  return commandAction("promote", input);
}
