"use server";
import { commandAction } from "./command.ts";
import type { ActionResult } from "./result.ts";

/** Pauses a rollout; the hold's remaining time is kept. */
export async function pauseRunAction(input: unknown): Promise<ActionResult<{ note: string | null }>> {
  return commandAction("pause", input);
}
