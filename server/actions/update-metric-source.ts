"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { updateMetricSource, ZUpdateMetricSourceInput } from "../metrics/prometheus-settings.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Saves (or clears) an environment's Prometheus metric source (admins); audited. */
export async function updateMetricSourceAction(input: unknown): Promise<ActionResult<null>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    await updateMetricSource(db(), user, ZUpdateMetricSourceInput.parse(input));
    return null;
  });
}
