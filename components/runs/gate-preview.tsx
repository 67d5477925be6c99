"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { errorMessage, fetchJson } from "@/components/query/fetch-json";
import { phaseLabel } from "./labels";

// The response schema loads with its own chunk while the request is under way: no zod in New run's first load.
const previewSchema = () => import("@/server/contracts/gate-preview-api").then((m) => m.ZGatePreview);

type Choice = { risk: string; compliance: string };

/** The risk and compliance chosen in the enclosing form (its selects stay uncontrolled), followed as they change. */
function useFormChoice(anchor: React.RefObject<HTMLElement | null>): Choice | null {
  const [choice, setChoice] = useState<Choice | null>(null);
  useEffect(() => {
    const form = anchor.current?.closest("form");
    if (!form) return;
    const read = () => {
      const data = new FormData(form);
      setChoice({ risk: String(data.get("risk") ?? ""), compliance: String(data.get("compliance") ?? "") });
    };
    read();
    form.addEventListener("change", read);
    return () => form.removeEventListener("change", read);
  }, [anchor]);
  return choice;
}

/**
 * What the gate will require of the run being set up (issue 11): approvals and from whom, the
 * finding severities that block, a change freeze, the agents that will run. The server computes it
 * with the gate's own rules (server/services/gate-preview.ts); this only shows it.
 */
export function GatePreview({ serviceId, environment }: { serviceId: string; environment: string }) {
  const anchor = useRef<HTMLElement | null>(null);
  const choice = useFormChoice(anchor);
  const params = choice && serviceId ? new URLSearchParams({ serviceId, environment, risk: choice.risk, compliance: choice.compliance }) : null;
  const preview = useQuery({
    queryKey: ["gate-preview", serviceId, environment, choice?.risk, choice?.compliance],
    queryFn: ({ signal }) => fetchJson(`/api/gate-preview?${params?.toString() ?? ""}`, previewSchema, signal),
    enabled: params !== null,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
  const p = preview.data;
  return (
    <section ref={anchor} aria-labelledby="gate-preview-title" aria-live="polite" aria-busy={preview.isFetching} className="rounded-md border border-slate-300 p-4 text-sm">
      <h2 id="gate-preview-title" className="mb-2 font-semibold">
        What the gate will require
      </h2>
      {preview.isError ? (
        <p>{errorMessage(preview.error)}</p>
      ) : !p ? (
        <p>Working out what the gate will require…</p>
      ) : (
        <ul className="list-disc space-y-1 pl-5">
          <li data-testid="gate-preview-approvals">
            {p.approvals.sentence}
            {p.approvals.separationOfDuties ? " (SOX separation of duties)" : ""}.
          </li>
          <li data-testid="gate-preview-blocking">
            Findings that block the gate: {p.blockingSeverities.join(", ")} (from {p.blockingSeverityFrom}).
          </li>
          {p.complianceRules.length > 0 ? <li>Rules: {p.complianceRules.join("; ")}.</li> : null}
          {p.freeze ? <li data-testid="gate-preview-freeze">{p.freeze.sentence}</li> : <li data-testid="gate-preview-freeze">No change freeze in effect.</li>}
          <li>
            Agents that will run:{" "}
            {p.agents.map((a, i) => (
              <span key={a.phase}>
                {i > 0 ? "; " : ""}
                {phaseLabel(a.phase)}: {a.agents.join(", ")}
              </span>
            ))}
            .
          </li>
        </ul>
      )}
    </section>
  );
}
