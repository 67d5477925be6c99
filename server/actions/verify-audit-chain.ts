"use server";
import { headers } from "next/headers";
import { requirePermission } from "../auth/session.ts";
import { db } from "../db/client.ts";
import { verifyAuditChain, type AuditChainReport } from "../services/audit-chain.ts";
import { actionResult, type ActionResult } from "./result.ts";

/** Re-computes the audit trail's hash chain now and names the first broken entry (admins); writes nothing. */
export async function verifyAuditChainAction(): Promise<ActionResult<AuditChainReport>> {
  return actionResult(async () => {
    await requirePermission(await headers(), "settings.manage");
    return verifyAuditChain(db());
  });
}
