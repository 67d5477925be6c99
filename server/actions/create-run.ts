"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { appContext } from "../context.ts";
import { db } from "../db/client.ts";
import { createRun } from "../services/runs.ts";
import { ZCreateRunInput } from "../services/schemas.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Creates and starts a release run (release managers and admins). */
export async function createRunAction(input: unknown): Promise<ActionResult<{ id: string; number: number }>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "run.create");
    const parsed = ZCreateRunInput.parse(input);
    const ctx = appContext();
    const demo = ctx.demo;
    return createRun({ db: db(), engine: ctx.engine, globalHoldScale: ctx.globalHoldScale, now: Date.now(), ...(demo ? { prepare: (t) => demo.prepare(t), yieldRehearsal: (w, by) => demo.yieldRehearsal(w, by) } : {}) }, user, parsed);
  });
}
