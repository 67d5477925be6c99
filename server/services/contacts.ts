import { z } from "zod";
import type { SessionUser } from "../auth/session.ts";
import { can } from "../core/permissions.ts";
import type { Role } from "../core/types.ts";
import type { Db } from "../db/client.ts";
import { writeAudit } from "../db/audit-log.ts";
import { parseServiceContacts, ZServiceContacts, type TServiceContact } from "../db/service-contacts-schema.ts";
import type { EmergencyContactView } from "../contracts/runs-api.ts";
import { AppError } from "../errors.ts";

/** What the Settings form sends: a service's whole contact list, in calling order. */
export const ZUpdateServiceContactsInput = z.strictObject({
  serviceId: z.string().min(1).max(100),
  contacts: ZServiceContacts,
});
export type TUpdateServiceContactsInput = z.infer<typeof ZUpdateServiceContactsInput>;

/**
 * Replaces a service's emergency contacts (admins), with its audit event in one transaction. The
 * audit names who was added and removed, not how to reach them: the trail is read more widely.
 */
export async function updateServiceContacts(db: Db, actor: SessionUser, input: TUpdateServiceContactsInput): Promise<void> {
  // The action checks too; checked here as well because the list holds people's phone numbers.
  if (!can(actor.role, "settings.manage")) {
    throw new AppError("FORBIDDEN", { message: `${actor.email} (${actor.role}) denied service contacts`, userMessage: "Your role does not allow this." });
  }
  await db.$transaction(async (tx) => {
    const service = await tx.service.findUnique({ where: { id: input.serviceId }, select: { id: true, slug: true, contacts: true } });
    if (!service) throw new AppError("NOT_FOUND", { message: "service not found", userMessage: "That service does not exist." });
    const before = parseServiceContacts(service.contacts);
    await tx.service.update({ where: { id: service.id }, data: { contacts: input.contacts } });
    const names = (list: TServiceContact[]) => list.map((c) => `${c.name} (${c.role})`);
    await writeAudit(tx, {
      actor,
      action: "service.contacts",
      summary:
        input.contacts.length === 0
          ? `Cleared the emergency contacts of ${service.slug}`
          : `Set the emergency contacts of ${service.slug}: ${names(input.contacts).join(", ")}`,
      detail: { serviceId: service.id, before: names(before), after: names(input.contacts) },
    });
  });
}

/**
 * Whether a role sees how to reach the contacts. Those who can act on a run (roll back, pause,
 * confirm traffic) may need to call someone now; a viewer (a stakeholder) sees who is responsible
 * but not their phone numbers.
 */
export function seesContactReach(role: Role): boolean {
  return can(role, "run.rollback");
}

/** A service's emergency contacts as `role` may see them: `reach` is null for those who cannot act. */
export async function emergencyContactsFor(db: Db, serviceSlug: string, role: Role): Promise<EmergencyContactView[]> {
  const service = await db.service.findUnique({ where: { slug: serviceSlug }, select: { contacts: true } });
  const reach = seesContactReach(role);
  return parseServiceContacts(service?.contacts).map((c) => ({ name: c.name, role: c.role, reach: reach ? c.reach : null }));
}
