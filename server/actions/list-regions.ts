"use server";
import { headers } from "next/headers";
import { z } from "zod";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { listRegions, type PublicRegion } from "../services/regions.ts";
import type { RegionPolicy } from "../core/regions.ts";
import { actionResult, type ActionResult } from "./result.ts";

const ZInput = z.object({ serviceId: z.string().min(1).max(100), environment: z.enum(["staging", "production"]) });

/** An environment's regions and failing-region policy, for the Settings form (admins). */
export async function listRegionsAction(input: unknown): Promise<ActionResult<{ regions: PublicRegion[]; policy: RegionPolicy }>> {
  return actionResult(async () => {
    await requirePermission(await headers(), "settings.manage");
    const { serviceId, environment } = ZInput.parse(input);
    return listRegions(db(), serviceId, environment);
  });
}
