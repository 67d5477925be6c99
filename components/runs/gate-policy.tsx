import { utcMinute } from "@/server/core/change-freeze";
import type { Policy } from "@/server/core/types";

/** The policy the gate applied, as the judge (server/core/judge.ts) reads it: what blocks, what may be waived. */
export function GatePolicy({ policy }: { policy: Policy }) {
  const from = policy.blockingSeverityFrom ? ` (${policy.blockingSeverityFrom})` : "";
  return (
    <section className="text-sm text-slate-800" aria-label="Gate policy">
      {policy.changeFreeze ? (
        <p className="mb-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-amber-950">
          <span className="font-medium">Created during a change freeze</span> (“{policy.changeFreeze.freezeReason}”, until {utcMinute(policy.changeFreeze.until)} UTC),
          overridden by {policy.changeFreeze.overriddenBy}: {policy.changeFreeze.overrideReason}
        </p>
      ) : null}
      <p className="font-medium">Policy v{policy.version}</p>
      <ul className="mt-1 list-disc pl-5">
        <li>
          Findings at {policy.blockingSeverity} or above block and cannot be waived{from}; findings below are shown, not blocking.
        </li>
        {policy.blockingChecks && policy.blockingChecks.length > 0 ? <li>Failing tests block in every environment ({policy.blockingChecks.join(", ")}).</li> : null}
        <li>A check that could not run blocks until a release manager waives it with a reason.</li>
        <li>{policy.notConfiguredBlocks ? "Unconfigured checks block unless waived." : "Unconfigured checks are reported, not blocking."}</li>
        {policy.separationOfDuties ? <li>The person who created the run cannot approve it.</li> : null}
        {/* The compliance rules repeat separation of duties in their own words: say it once. */}
        {policy.complianceRules
          .filter((r) => !(policy.separationOfDuties && /^Separation of duties/.test(r)))
          .map((r) => (
            <li key={r}>{r}</li>
          ))}
      </ul>
    </section>
  );
}
