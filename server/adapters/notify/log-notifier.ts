import type { Notification, Notifier } from "../../engine/ports.ts";

/** Writes notifications to the server log: for operators, not a channel that reaches the team. */
export const logNotifier: Notifier = {
  async notify(n: Notification): Promise<string[]> {
    const contacts = n.contacts?.length ? ` — emergency contacts: ${n.contacts.map((c) => `${c.name} (${c.role}, ${c.reach})`).join("; ")}` : "";
    console.log(`[notify:${n.severity}] run ${n.runId}: ${n.message}${contacts}`);
    return [];
  },
};
