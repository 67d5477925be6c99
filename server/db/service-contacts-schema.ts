import { z } from "zod";

// A service's emergency contacts, as stored in Service.contacts (JSON, default []) and as the
// Settings form sends them: the people the rollback procedure says to reach when a release of
// this service goes wrong.

/** At most this many contacts per service: a call list, not a directory. */
export const MAX_CONTACTS = 10;

/** One person to reach during a rollout or a rollback. */
export const ZServiceContact = z.strictObject({
  /** who, e.g. "Ana Ruiz" */
  name: z.string().trim().min(1, "Enter a name").max(80, "At most 80 characters"),
  /** what they do in an incident, e.g. "On-call engineer", "Database owner" */
  role: z.string().trim().min(1, "Enter a role, e.g. On-call engineer").max(80, "At most 80 characters"),
  /** how to reach them: phone, e-mail, pager or chat handle, e.g. "+1 555 0100 (PagerDuty: checkout)" */
  reach: z.string().trim().min(1, "Say how to reach them: phone, e-mail, pager or chat handle").max(200, "At most 200 characters"),
});
export type TServiceContact = z.infer<typeof ZServiceContact>;

/** A service's contacts, in the order they should be called. */
export const ZServiceContacts = z.array(ZServiceContact).max(MAX_CONTACTS, `At most ${MAX_CONTACTS} contacts`);

/** The stored contacts; [] when none are stored or the stored value does not parse. */
export function parseServiceContacts(json: unknown): TServiceContact[] {
  const parsed = ZServiceContacts.safeParse(json ?? []);
  return parsed.success ? parsed.data : [];
}
