"use server";
import { commandAction } from "./command.ts";
import type { ActionResult } from "./result.ts";

/** Resumes a paused rollout. */
export async function resumeRunAction(input: unknown): Promise<ActionResult<{ note: string | null }>> {
  return commandAction("resume", input);
}
