import type { Notification, Notifier } from "../../engine/ports.ts";

/** Writes notifications to the server log; webhook and chat notifiers come with the rollout work. */
export const logNotifier: Notifier = {
  async notify(n: Notification): Promise<void> {
    console.log(`[notify:${n.severity}] run ${n.runId}: ${n.message}`);
  },
};
