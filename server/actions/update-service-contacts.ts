"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { updateServiceContacts, ZUpdateServiceContactsInput } from "../services/contacts.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Replaces a service's emergency contacts (admins); audited. */
export async function updateServiceContactsAction(input: unknown): Promise<ActionResult<null>> {
  return actionResult(async () => {
    const user = await requirePermission(await headers(), "settings.manage");
    await updateServiceContacts(db(), user, ZUpdateServiceContactsInput.parse(input));
    return null;
  });
}
