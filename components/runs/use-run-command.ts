"use client";
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { ActionResult } from "@/server/actions/result";
import { runKey, runsKey } from "./run-queries";
import { useRunFeedback } from "./run-feedback";

export type CommandResult = ActionResult<{ note: string | null }>;

/**
 * Sends one command to a run through its server action, then refetches the run. A note from
 * the server ("Already rolling back.") is shown instead of the success text: it is the truth.
 */
export function useRunCommand(runId: string) {
  const qc = useQueryClient();
  const report = useRunFeedback();
  const [pending, setPending] = useState(false);

  async function execute(call: () => Promise<CommandResult>, success: string): Promise<CommandResult> {
    setPending(true);
    try {
      const result = await call();
      if (result.ok) {
        report(result.data.note ?? success, result.data.note ? "info" : "success");
        void qc.invalidateQueries({ queryKey: runKey(runId) });
        void qc.invalidateQueries({ queryKey: runsKey() });
      }
      return result;
    } catch {
      return { ok: false, status: 0, error: "Flightdeck could not be reached. Check your connection and try again." };
    } finally {
      setPending(false);
    }
  }

  return { execute, pending };
}
