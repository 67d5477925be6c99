"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { appContext } from "../context.ts";
import { db } from "../db/client.ts";
import { ZEnvironmentConfigInput } from "../db/environment-config-schema.ts";
import { updateEnvironmentConfig } from "../services/environment-config.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Saves an environment's router, rollback hooks and limits (admins), then restarts its routers to match. */
export async function updateEnvironmentConfigAction(input: unknown): Promise<ActionResult<null>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    await updateEnvironmentConfig(db(), user, ZEnvironmentConfigInput.parse(input));
    await reloadRouters();
    return null;
  });
}

// The settings are saved either way: a router that fails to start is logged, and runs on it say so.
async function reloadRouters(): Promise<void> {
  try {
    await appContext().reloadRouters?.();
  } catch (e) {
    console.error("[flightdeck] routers did not reload after a settings change:", e);
  }
}
