"use server";
import { commandAction } from "./command.ts";
import type { ActionResult } from "./result.ts";

/** Rolls a run back (idempotent: a second press is a no-op, audited). */
export async function rollBackRunAction(input: unknown): Promise<ActionResult<{ note: string | null }>> {
  return commandAction("rollback", input);
}
