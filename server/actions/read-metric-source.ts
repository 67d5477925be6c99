"use server";
import { headers } from "next/headers";
import { z } from "zod";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { readMetricSource, type MetricSourceView } from "../metrics/prometheus-settings.ts";
import { actionResult, type ActionResult } from "./result.ts";

const ZReadMetricSourceInput = z.strictObject({ environmentId: z.string().trim().min(1).max(100) });

/** An environment's metric source for the Settings form (admins), header values withheld. */
export async function readMetricSourceAction(input: unknown): Promise<ActionResult<MetricSourceView>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    return readMetricSource(db(), user, ZReadMetricSourceInput.parse(input).environmentId);
  });
}
