"use client";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { possibleCommands } from "@/server/core/command-states";
import { needsYou } from "@/server/core/run-summary";
import { flagRunHeadline } from "@/server/core/flag-runs";
import { TERMINAL_STATUSES } from "@/server/core/types";
import { useCan, useSessionUser } from "@/components/auth/session-context";
import { Button, buttonClasses } from "@/components/ui/button";
import { useIsClient } from "@/components/ui/local-time";
import type { CachedRun } from "./run-queries";
import { pauseNote, RunKeyNumbers } from "./run-key-numbers";
import { RollbackDialog } from "./rollback-dialog";
import { RunStatusBadge } from "./run-status-badge";

/**
 * Publishes the height of what stays in view (the whole summary on a desktop, its first line on
 * a phone) as --run-summary-h, so that a section opened by its link starts below it, not under it.
 */
function useStickyHeight() {
  const box = useRef<HTMLDivElement>(null);
  const line = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const root = document.documentElement;
    let published = "";
    // Measured when the observer reports (its first report comes after the first layout): a
    // measurement here, in the commit, would force a layout of the whole page in the same task.
    // `display: contents` (phone) has no box of its own: then the first line is what sticks.
    const update = () => {
      const height = box.current?.getBoundingClientRect().height || line.current?.getBoundingClientRect().height || 0;
      const value = `${Math.ceil(height)}px`;
      // Unchanged: no new value, so no style recalculation of every anchored section.
      if (value !== published) root.style.setProperty("--run-summary-h", (published = value));
    };
    const observer = new ResizeObserver(update);
    for (const el of [box.current, line.current]) if (el) observer.observe(el);
    return () => {
      observer.disconnect();
      root.style.removeProperty("--run-summary-h");
    };
  }, []);
  return [box, line] as const;
}

/**
 * The run's sticky summary, read in seconds: who and what, status, the key numbers (step and
 * hold, traffic split, verdict), the one thing the run needs, and the one unmistakable Roll back
 * button for those allowed. On a desktop the whole summary stays in view while the page scrolls;
 * on a phone (where four sticky lines would cover a quarter of every screenful) only its first
 * line does — the box is `display: contents` there, so that line sticks to the page itself.
 * Nothing heavy is imported here: it is in every first load of the run page. `children` come
 * last (the page's section links).
 */
export function RunHeader({ run, children }: { run: CachedRun; children?: ReactNode }) {
  const canRollBack = useCan("run.rollback");
  const user = useSessionUser();
  const [open, setOpen] = useState(false);
  const inBrowser = useIsClient();
  const { state } = run;
  const { params } = state;
  const showRollback = canRollBack && possibleCommands(state).includes("rollback");
  const ended = TERMINAL_STATUSES.includes(state.status);
  const next = needsYou(state, user, run.createdBy.name, pauseNote(run.decisions, inBrowser));
  // Instructions link to the controls: Resume in the rollout, or the panel under the summary.
  const target = state.status === "paused" ? "#rollout" : state.waitingFor ? "#needs-you" : null;
  const [summaryBox, firstLine] = useStickyHeight();

  return (
    <div ref={summaryBox} className="contents md:sticky md:top-0 md:z-20 md:block md:rounded-lg md:border md:border-slate-300 md:bg-white md:p-4 md:shadow-md">
      <div ref={firstLine} className="flex items-center justify-between gap-3 max-md:sticky max-md:top-0 max-md:z-20 max-md:-mx-4 max-md:border-b max-md:border-slate-300 max-md:bg-slate-50 max-md:px-4 max-md:py-2">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <h1 className="text-xl font-semibold text-slate-900 sm:text-2xl">Run #{run.number}</h1>
            <span data-testid="run-status">
              <RunStatusBadge status={state.status} />
            </span>
          </div>
          <p className="text-sm break-words text-slate-800">
            <span className="font-medium">{run.service.name}</span>{" "}
            {params.flag ? (
              // A flag run (issue 15): the flag and its variants where a version run shows versions.
              <span className="font-mono" data-testid="run-flag">
                {flagRunHeadline(params.flag, state.canaryPercent)}
              </span>
            ) : (
              <span className="font-mono">
                {params.baselineVersion} <span aria-hidden="true">→</span>
                <span className="sr-only">to</span> {params.targetVersion}
              </span>
            )}{" "}
            · {run.environment}
          </p>
        </div>
        {showRollback ? (
          <>
            <Button variant="danger" size="lg" onClick={() => setOpen(true)} className="shrink-0 shadow-md">
              <span aria-hidden="true">↩</span> Roll back
            </Button>
            <RollbackDialog runId={run.id} open={open} onClose={() => setOpen(false)} />
          </>
        ) : null}
      </div>
      <dl className="mt-1 grid grid-cols-2 gap-x-4 gap-y-3 text-sm md:mt-3 md:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_minmax(0,1.4fr)_minmax(0,1.4fr)]">
        <RunKeyNumbers state={state} clockOffsetMs={run.clockOffsetMs} />
        <div className="col-span-2 min-w-0 md:col-span-1">
          <dt className="text-xs font-medium uppercase tracking-wide text-slate-700">{ended ? "Outcome" : "What's next"}</dt>
          {ended ? (
            <dd className="text-slate-900">
              <span className="line-clamp-3">{state.outcome ?? "The run has ended."}</span>
              {run.records.length > 0 ? (
                <a href={`/runs/${run.id}/record`} className={buttonClasses("secondary", "sm", "mt-1")}>
                  View release record
                </a>
              ) : null}
            </dd>
          ) : (
            <dd data-testid="run-next" className={next.yours ? "font-medium text-slate-900" : "text-slate-900"}>
              {next.yours && target ? (
                <a href={target} className="rounded-sm text-blue-800 underline underline-offset-2 hover:text-blue-950">
                  {next.text}
                  <span aria-hidden="true"> ↓</span>
                </a>
              ) : (
                next.text
              )}
            </dd>
          )}
        </div>
      </dl>
      {children ? <div className="max-md:mb-5">{children}</div> : null}
    </div>
  );
}
