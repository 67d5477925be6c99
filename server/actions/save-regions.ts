"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { appContext } from "../context.ts";
import { db } from "../db/client.ts";
import { saveRegions } from "../services/regions.ts";
import { ZRegionsInput } from "../services/regions-schema.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Saves an environment's regions (wave, time zone, windows, router) and failing-region policy (admins), then restarts the routers. */
export async function saveRegionsAction(input: unknown): Promise<ActionResult<null>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    await saveRegions(db(), user, ZRegionsInput.parse(input));
    try {
      await appContext().reloadRouters?.();
    } catch (e) {
      // The regions are saved either way; a router that fails to start is logged, and runs on it say so.
      console.error("[flightdeck] routers did not reload after a regions change:", e);
    }
    return null;
  });
}
