import type { EmergencyContactView } from "@/server/contracts/runs-api";
import { Card } from "@/components/ui/card";

/** The service's emergency contacts as a list, in calling order. */
export function EmergencyContactList({ contacts, headingId }: { contacts: EmergencyContactView[]; headingId?: string }) {
  if (contacts.length === 0) {
    return <p className="text-sm text-slate-700">No emergency contacts are set for this service. Admins add them in Settings → Services.</p>;
  }
  // The server sends reach only to roles that can act on a run; a viewer sees who, not how.
  const hidden = contacts.some((c) => c.reach === null);
  return (
    <>
      <ol className="divide-y divide-slate-100" aria-labelledby={headingId}>
        {contacts.map((c, i) => (
          <li key={`${i}-${c.name}`} className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-0.5 py-1.5 text-sm">
            <span>
              <span className="font-medium text-slate-900">{c.name}</span> <span className="text-slate-700">· {c.role}</span>
            </span>
            {c.reach !== null ? <span className="font-mono text-slate-900 [overflow-wrap:anywhere]">{c.reach}</span> : null}
          </li>
        ))}
      </ol>
      {hidden ? <p className="mt-2 text-xs text-slate-700">How to reach them is shown to release managers, on-call engineers and admins.</p> : null}
    </>
  );
}

/** Who to call while this run is live: a card of the run page. */
export function EmergencyContacts({ contacts }: { contacts: EmergencyContactView[] }) {
  return (
    <Card title="Emergency contacts" id="emergency-contacts">
      <EmergencyContactList contacts={contacts} headingId="emergency-contacts-title" />
    </Card>
  );
}
