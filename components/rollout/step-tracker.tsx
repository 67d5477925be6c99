"use client";
import type { RunState } from "@/server/core/types";
import { formatDuration } from "@/components/runs/labels";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { HoldCountdown } from "./hold-countdown";
import { RolloutControls } from "./rollout-controls";
import { TrafficSplitBar } from "./traffic-split-bar";

type StepStatus = { text: string; tone: BadgeTone; icon: string };

function stepStatus(state: RunState, index: number): StepStatus {
  const pastRollout = ["post_deploy", "record"].includes(state.phase) || state.status === "succeeded";
  if (pastRollout || index < state.stepIndex) return { text: "done", tone: "success", icon: "✓" };
  if (index > state.stepIndex || state.stepIndex < 0) return { text: "upcoming", tone: "neutral", icon: "○" };
  if (state.status === "rolling_back" || state.status === "rolled_back") return { text: "rolled back", tone: "danger", icon: "↩" };
  if (state.status === "failed" || state.status === "aborted") return { text: "stopped", tone: "danger", icon: "✕" };
  if (state.status === "paused") return { text: "paused", tone: "warning", icon: "❚❚" };
  if (state.stepPhase === "shifting") return { text: "waiting for traffic", tone: "warning", icon: "…" };
  return { text: "holding", tone: "info", icon: "▶" };
}

/** The rollout's steps, the live traffic split and the hold countdown of the current step. */
export function StepTracker({ runId, state, clockOffsetMs, readOnly = false }: { runId: string; state: RunState; clockOffsetMs: number; readOnly?: boolean }) {
  const live = state.phase === "rollout" && (state.status === "running" || state.status === "paused");
  return (
    <Card title="Rollout" id="rollout" actions={readOnly ? undefined : <RolloutControls runId={runId} state={state} />}>
      {state.stepIndex < 0 ? <p className="mb-3 text-sm text-slate-700">The rollout starts after the approval gate.</p> : null}
      <ol className="space-y-3">
        {state.steps.map((step, i) => {
          const status = stepStatus(state, i);
          const current = i === state.stepIndex && live;
          return (
            <li key={i} aria-current={current ? "step" : undefined} className={`rounded-md border p-3 ${current ? "border-blue-300 bg-blue-50/40" : "border-slate-200"}`}>
              <div className="flex flex-wrap items-center justify-between gap-2">
                <p className="font-medium text-slate-900">
                  {i + 1}. {step.label}
                </p>
                <Badge tone={status.tone} icon={status.icon}>
                  {status.text}
                </Badge>
              </div>
              <p className="mt-1 text-sm text-slate-700">
                {step.percent}% canary · hold {formatDuration(step.holdMs)}
              </p>
              {current ? (
                <div className="mt-3 space-y-2">
                  <TrafficSplitBar canaryPercent={state.canaryPercent} />
                  <p className="text-sm font-medium text-slate-900">
                    {state.status === "paused" && state.pausedRemainingMs !== null ? (
                      `Paused — ${formatDuration(state.pausedRemainingMs)} left`
                    ) : state.holdEndsAt !== null ? (
                      <HoldCountdown holdEndsAt={state.holdEndsAt} clockOffsetMs={clockOffsetMs} />
                    ) : (
                      `Waiting for traffic to reach ${step.percent}%`
                    )}
                  </p>
                </div>
              ) : null}
            </li>
          );
        })}
      </ol>
      {!live && state.stepIndex >= 0 ? (
        <div className="mt-3">
          <TrafficSplitBar canaryPercent={state.canaryPercent} />
        </div>
      ) : null}
    </Card>
  );
}
