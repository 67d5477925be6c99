"use server";
import { commandAction } from "./command.ts";
import type { ActionResult } from "./result.ts";

/** Aborts a run before traffic has shifted. */
export async function abortRunAction(input: unknown): Promise<ActionResult<{ note: string | null }>> {
  return commandAction("abort", input);
}
