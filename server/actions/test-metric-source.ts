"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { testMetricSource, ZTestMetricSourceInput, type MetricSourceTestResult } from "../metrics/prometheus-settings.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Runs the form's Prometheus queries now for both sides and returns the values or the exact errors (admins); writes nothing. */
export async function testMetricSourceAction(input: unknown): Promise<ActionResult<MetricSourceTestResult>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    return testMetricSource(db(), user, ZTestMetricSourceInput.parse(input), Date.now());
  });
}
