"use client";
import { isWatched } from "@/server/core/run-summary";
import { useRef, useState, type FormEvent } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { injectFaultAction } from "@/server/actions/inject-fault";
import { TERMINAL_STATUSES, type RunState } from "@/server/core/types";
import { useCan } from "@/components/auth/session-context";
import { runKey } from "@/components/runs/run-queries";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field, controlClasses } from "@/components/ui/field";

/** What the demo fleet's canary is told to do wrong. Error rate as a fraction, as the action takes it. */
type Fault = { errorRate: number; latencyMs: number; latencyMode: "all" | "tail"; memoryMbPerMin: number };
type FieldErrors = Record<string, string[]>;
type Status = { pending: "inject" | "clear" | null; error: string | null; fieldErrors: FieldErrors; done: string | null };

const IDLE: Status = { pending: null, error: null, fieldErrors: {}, done: null };
const NO_FAULT: Fault = { errorRate: 0, latencyMs: 0, latencyMode: "all", memoryMbPerMin: 0 };

/** The form's fields, checked here first so a typo never reaches the fleet; the server checks again. */
function readFault(data: FormData): { fault: Fault } | { fieldErrors: FieldErrors } {
  const number = (name: string) => {
    const raw = String(data.get(name) ?? "").trim();
    return raw === "" ? Number.NaN : Number(raw);
  };
  const errorPct = number("errorRate");
  const latencyMs = number("latencyMs");
  const memoryMbPerMin = number("memoryMbPerMin");
  const fieldErrors: FieldErrors = {};
  if (!(errorPct >= 0 && errorPct <= 100)) fieldErrors.errorRate = ["Enter a percentage from 0 to 100."];
  if (!(Number.isInteger(latencyMs) && latencyMs >= 0 && latencyMs <= 10_000)) fieldErrors.latencyMs = ["Enter whole milliseconds from 0 to 10,000."];
  if (!(memoryMbPerMin >= 0 && memoryMbPerMin <= 1_000)) fieldErrors.memoryMbPerMin = ["Enter 0 to 1,000 MB per minute."];
  if (Object.keys(fieldErrors).length > 0) return { fieldErrors };
  const latencyMode = data.get("latencyMode") === "tail" ? "tail" : "all";
  return { fault: { errorRate: errorPct / 100, latencyMs, latencyMode, memoryMbPerMin } };
}

/** Where a fault goes: the canary (of a region), or a flag run's users served one variant (issue 15). */
type Target = { region?: string; variant?: string };

function whereOf(t: Target): string {
  return t.variant ? `users served ${t.variant}` : `the canary${t.region ? ` in ${t.region}` : ""}`;
}

function describe(f: Fault, t: Target): string {
  const latency = f.latencyMs === 0 ? "no added latency" : `+${f.latencyMs} ms on ${f.latencyMode === "tail" ? "the slowest requests (p95/p99 tail)" : "every request"}`;
  return `Fault injected into ${whereOf(t)}: ${Number((f.errorRate * 100).toPrecision(3))}% errors, ${latency}, ${f.memoryMbPerMin} MB/min memory growth. Watch the charts and the evidence.`;
}

/** Whether this run can take a fault: active, on an automated router with analysis. */
export function acceptsFaults(state: RunState): boolean {
  const active = !TERMINAL_STATUSES.includes(state.status) && state.status !== "rolling_back";
  return active && isWatched(state);
}

/**
 * Demo only: make the demo fleet's canary misbehave (errors, latency, memory growth) to watch
 * the analysis catch it. For admins and release managers; the server refuses other runs.
 */
export function FaultInjectionPanel({ runId, state }: { runId: string; state: RunState }) {
  const canInject = useCan("run.create");
  if (!canInject || !acceptsFaults(state)) return null;
  const regions = state.regionPlan?.regions ?? [];
  const active = regions.find((r) => r.state === "active")?.name;
  const flag = state.params.flag ?? null;
  return <FaultForm runId={runId} regions={regions.map((r) => r.name)} activeRegion={active} variants={flag ? [flag.variant, flag.baselineVariant] : []} flagKey={flag?.key} />;
}

/**
 * `regions`: a region-by-region run's regions, each with its own demo fleet; the fault goes to one.
 * `variants`: a flag run's new variant then its baseline; the fault goes to the users served one.
 */
function FaultForm({ runId, regions, activeRegion, variants, flagKey }: { runId: string; regions: string[]; activeRegion?: string; variants: string[]; flagKey?: string }) {
  const qc = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [status, setStatus] = useState<Status>(IDLE);

  async function send(fault: Fault, which: "inject" | "clear", done: string, target: Target) {
    setStatus({ ...IDLE, pending: which });
    try {
      const r = await injectFaultAction({ runId, side: "canary", ...fault, ...(target.region ? { region: target.region } : {}), ...(target.variant ? { variant: target.variant } : {}) });
      if (r.ok) {
        setStatus({ ...IDLE, done });
        void qc.invalidateQueries({ queryKey: runKey(runId) }); // the audit trail gained a line
      } else {
        setStatus({ ...IDLE, error: r.error, fieldErrors: r.fieldErrors ?? {} });
      }
    } catch {
      setStatus({ ...IDLE, error: "Flightdeck could not be reached. Try again." });
    }
  }

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const read = readFault(new FormData(e.currentTarget));
    if ("fieldErrors" in read) {
      setStatus({ ...IDLE, error: "Please correct the highlighted fields.", fieldErrors: read.fieldErrors });
      return;
    }
    const target = targetOf(new FormData(e.currentTarget));
    void send(read.fault, "inject", describe(read.fault, target), target);
  }

  function targetOf(data: FormData): Target {
    const region = data.get("region");
    const variant = data.get("variant");
    return {
      ...(typeof region === "string" && regions.includes(region) ? { region } : {}),
      ...(typeof variant === "string" && variants.includes(variant) ? { variant } : {}),
    };
  }

  function onClear() {
    const target = formRef.current ? targetOf(new FormData(formRef.current)) : {};
    formRef.current?.reset();
    void send(NO_FAULT, "clear", `Fault cleared: ${whereOf(target)} ${target.variant ? "are" : "is"} served normally again.`, target);
  }

  const fe = status.fieldErrors;
  return (
    <Card title="Fault injection (demo fleet)" id="fault-injection">
      <p className="mb-3 text-sm text-slate-700">Makes the demo fleet&apos;s canary misbehave so you can watch the analysis catch it. Every change is audited.</p>
      <form ref={formRef} onSubmit={onSubmit} noValidate className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <div className="sm:col-span-2 lg:col-span-4 empty:hidden">
          {status.error ? <Alert tone="error">{status.error}</Alert> : status.done ? <Alert tone="success">{status.done}</Alert> : null}
        </div>
        {variants.length > 0 ? (
          <Field label="Users affected" hint={`Only requests of users served this variant of ${flagKey ?? "the flag"} misbehave.`}>
            {(p) => (
              <select {...p} name="variant" defaultValue={variants[0]} className={controlClasses}>
                {variants.map((v, i) => (
                  <option key={v} value={v}>
                    {i === 0 ? `${v} (the new variant)` : `${v} (the current default)`}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
        {regions.length > 0 ? (
          <Field label="Region" hint="Only this region's canary misbehaves.">
            {(p) => (
              <select {...p} name="region" defaultValue={activeRegion ?? regions[0]} className={controlClasses}>
                {regions.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
        <Field label="Error rate (%)" error={fe.errorRate} hint="0–100% of canary requests fail.">
          {(p) => <input {...p} name="errorRate" type="number" inputMode="decimal" min={0} max={100} step="any" defaultValue={0} className={controlClasses} />}
        </Field>
        <Field label="Added latency (ms)" error={fe.latencyMs} hint="0–10,000 ms.">
          {(p) => <input {...p} name="latencyMs" type="number" inputMode="numeric" min={0} max={10_000} step={1} defaultValue={0} className={controlClasses} />}
        </Field>
        <Field label="Latency applies to" error={fe.latencyMode}>
          {(p) => (
            <select {...p} name="latencyMode" defaultValue="all" className={controlClasses}>
              <option value="all">All requests</option>
              <option value="tail">Tail only (p95/p99)</option>
            </select>
          )}
        </Field>
        <Field label="Memory growth (MB/min)" error={fe.memoryMbPerMin} hint="0–1,000 MB per minute.">
          {(p) => <input {...p} name="memoryMbPerMin" type="number" inputMode="decimal" min={0} max={1_000} step="any" defaultValue={0} className={controlClasses} />}
        </Field>
        <div className="flex flex-wrap gap-2 sm:col-span-2 lg:col-span-4">
          <Button type="submit" variant="danger" pending={status.pending === "inject"} disabled={status.pending !== null}>
            Inject fault
          </Button>
          <Button variant="secondary" onClick={onClear} pending={status.pending === "clear"} disabled={status.pending !== null}>
            Clear fault
          </Button>
        </div>
      </form>
    </Card>
  );
}
