import type { CheckPhase, RunState } from "@/server/core/types";
import type { RunView } from "@/server/services/runs";
import { phaseLabel } from "@/components/runs/labels";
import { Card } from "@/components/ui/card";
import { AgentCard } from "./agent-card";

const CHECK_PHASES: CheckPhase[] = ["pre_deploy", "build", "post_deploy"];

/** The check runners of one phase, side by side. */
export function AgentsSection({ phase, state, tasks }: { phase: CheckPhase; state: RunState; tasks: RunView["tasks"] }) {
  const agents = state.agents.filter((a) => a.phase === phase);
  if (agents.length === 0) return null;
  return (
    <Card title={`${phaseLabel(phase)} checks`} id={`agents-${phase}`}>
      {/* minmax(0, 1fr): a long log line wraps inside its card instead of widening the page on a phone. */}
      <div className="grid grid-cols-[minmax(0,1fr)] gap-3 lg:grid-cols-2 xl:grid-cols-3">
        {agents.map((a) => (
          <AgentCard key={a.agent} agent={a} task={tasks.find((t) => t.phase === a.phase && t.agent === a.agent)} />
        ))}
      </div>
    </Card>
  );
}

export { CHECK_PHASES };

/**
 * The run's checks, phase by phase: the target of the page's "Checks" link (#checks). Loaded on
 * its own (next/dynamic in run-detail.tsx), below the fold and out of the first load.
 */
export function ChecksSection({ state, tasks }: { state: RunState; tasks: RunView["tasks"] }) {
  if (state.agents.length === 0) return null;
  return (
    <div id="checks" className="space-y-5">
      {CHECK_PHASES.map((phase) => (
        <AgentsSection key={phase} phase={phase} state={state} tasks={tasks} />
      ))}
    </div>
  );
}
