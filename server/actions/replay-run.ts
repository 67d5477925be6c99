"use server";
import { headers } from "next/headers";
import { requireUser } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { replayFinishedRun, type RunWhatIf } from "../services/what-if.ts";
import { ZReplayRunInput } from "../services/analysis-policy-schema.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Replays a finished run under another confidence level, error threshold and p95 factor. Reads only: anyone signed in may ask. */
export async function replayRunAction(input: unknown): Promise<ActionResult<RunWhatIf>> {
  return actionResult(async () => {
    await requireUser(await headers());
    const { runId, confidence, errorRollbackPct, p95Factor } = ZReplayRunInput.parse(input);
    return replayFinishedRun(db(), runId, { confidence, errorRollbackAbove: errorRollbackPct / 100, p95Factor });
  });
}
