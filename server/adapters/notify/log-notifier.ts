import type { Notification, Notifier } from "../../engine/ports.ts";

/** Writes notifications to the server log: for operators, not a channel that reaches the team. */
export const logNotifier: Notifier = {
  async notify(n: Notification): Promise<string[]> {
    console.log(`[notify:${n.severity}] run ${n.runId}: ${n.message}`);
    return [];
  },
};
