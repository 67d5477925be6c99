import { memo } from "react";
import type { AgentState, SubCheckOutcome } from "@/server/core/types";
import type { RunView } from "@/server/services/runs";
import { agentStatusLook, humanize } from "@/components/runs/labels";
import { Badge } from "@/components/ui/badge";
import { AgentLog } from "./agent-log";
import { FindingList } from "./finding-list";

type Task = RunView["tasks"][number];

/** How each sub-check outcome reads: only "ran" is evidence; the others say why not. */
const SUB_CHECK_LOOK: Record<SubCheckOutcome, { label: string; className: string }> = {
  ran: { label: "ran", className: "border-slate-300 text-slate-800" },
  not_configured: { label: "not configured", className: "border-amber-400 text-amber-900" },
  could_not_run: { label: "could not run", className: "border-red-400 text-red-800" },
};

/** One check runner: status, progress, summary, findings and live log. */
// Memoised: a log line changes one task; the other agents' cards (and their hundred log lines) stay as drawn.
export const AgentCard = memo(function AgentCard({ agent, task }: { agent: AgentState; task: Task | undefined }) {
  // The run state is authoritative; the task row only knows more while the agent is starting.
  const status = agent.status === "pending" && task ? task.status : agent.status;
  const look = agentStatusLook(status);
  const progress = Math.round(task?.progress ?? (["passed", "failed"].includes(status) ? 100 : 0));
  const summary = agent.summary || task?.summary || "";
  return (
    <article id={`agent-card-${agent.agent}`} data-status={status} aria-labelledby={`agent-${agent.phase}-${agent.agent}`} className="min-w-0 space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id={`agent-${agent.phase}-${agent.agent}`} className="font-mono text-sm font-semibold text-slate-900">
          {agent.agent}
        </h3>
        <Badge tone={look.tone} icon={look.icon}>
          {humanize(status)}
        </Badge>
      </div>
      <div className="flex items-center gap-2">
        <div
          role="progressbar"
          aria-label={`${agent.agent} progress`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={progress}
          className="h-2 flex-1 overflow-hidden rounded-full bg-slate-200"
        >
          <div className="h-full bg-blue-700 transition-[width]" style={{ width: `${progress}%` }} />
        </div>
        <span aria-hidden="true" className="w-10 text-right text-xs tabular-nums text-slate-700">
          {progress}%
        </span>
      </div>
      {summary ? <p className="text-sm text-slate-800">{summary}</p> : null}
      {status === "not_configured" ? (
        <p className="text-xs text-slate-700">Nothing was checked: this is not a pass. Configure the check for this environment or waive it with a reason.</p>
      ) : null}
      {agent.checks && agent.checks.length > 0 ? (
        <ul aria-label={`${agent.agent} sub-checks`} className="flex flex-wrap gap-1.5 text-xs">
          {agent.checks.map((c, i) => (
            <li key={`${c.name}-${i}`} title={c.detail} className={`rounded border px-1.5 py-0.5 ${SUB_CHECK_LOOK[c.outcome].className}`}>
              {c.name}: {SUB_CHECK_LOOK[c.outcome].label}
            </li>
          ))}
        </ul>
      ) : null}
      <FindingList findings={task?.findings ?? []} />
      <AgentLog agent={agent.agent} lines={task?.logs ?? []} />
    </article>
  );
});
