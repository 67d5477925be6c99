"use client";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { readMetricSourceAction } from "@/server/actions/read-metric-source";
import type { ActionResult } from "@/server/actions/result";
import { testMetricSourceAction } from "@/server/actions/test-metric-source";
import { updateMetricSourceAction } from "@/server/actions/update-metric-source";
import type { MetricSourceQueryName } from "@/server/db/metric-source-schema";
import type { MetricSourceTestResult, MetricSourceView } from "@/server/metrics/prometheus-settings";
import type { QueryOutcome } from "@/server/metrics/prometheus-queries";
import { Button } from "@/components/ui/button";
import { controlClasses, Field } from "@/components/ui/field";
import { FormOutcome } from "@/components/ui/form-outcome";

type Intent = "test" | "save" | "remove";
const HEADER_ROWS = 3;

const QUERY_LABELS: Record<MetricSourceQueryName, { label: string; hint: string }> = {
  requests: { label: "Requests", hint: "How many requests the side served over {window}: increase() of a counter, summed to one number." },
  errors: { label: "Errors", hint: "Of those, how many failed (5xx). No series means no errors." },
  latencyBuckets: { label: "Latency buckets", hint: "sum by (le) (increase(…_bucket[{window}])), in seconds: how the analysis sees latency." },
  p50: { label: "p50 (display)", hint: "histogram_quantile over the display window, shown by the test." },
  p95: { label: "p95 (display)", hint: "Shown by the test; the analysis computes its own from the buckets." },
  p99: { label: "p99 (display)", hint: "Shown by the test." },
};

/** The form's fields → the actions' input; numbers left as typed when they are not numbers, so the server names the field. */
export function toMetricSourceInput(values: Record<string, string>, queryNames: MetricSourceQueryName[]) {
  const interval = values.intervalSeconds?.trim() ?? "";
  // Rows are sent by position so the server's field errors (headers.<i>.…) land on the right row;
  // only empty rows at the end are unused slots and dropped.
  const headers: { name: string; value: string }[] = [];
  for (let i = 0; i < HEADER_ROWS; i++) headers.push({ name: values[`headers.${i}.name`]?.trim() ?? "", value: values[`headers.${i}.value`] ?? "" });
  while (headers.length > 0 && headers[headers.length - 1]?.name === "" && headers[headers.length - 1]?.value === "") headers.pop();
  return {
    kind: "prometheus",
    url: values.url?.trim() ?? "",
    intervalSeconds: interval === "" ? undefined : Number.isFinite(Number(interval)) ? Number(interval) : interval,
    window: values.window?.trim() || undefined,
    queries: Object.fromEntries(queryNames.map((n) => [n, values[`queries.${n}`] ?? ""])),
    headers,
  };
}

function formValues(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  new FormData(form).forEach((v, k) => {
    if (typeof v === "string") values[k] = v;
  });
  return values;
}

function describeValue(o: QueryOutcome, window: string): string {
  if (o.value === null) return "no data: nothing to observe (no matching series yet)";
  if (o.name === "p50" || o.name === "p95" || o.name === "p99") return `${o.value.toFixed(1)} ms`;
  if (o.name === "latencyBuckets") return `${o.value.toFixed(1)} requests in ${o.buckets ?? 0} buckets over ${window}`;
  return `${o.value.toFixed(1)} over ${window}`;
}

/** The test's answer per side: the number, "no data", or the exact error, with the query as sent. */
function TestResult({ result, window }: { result: MetricSourceTestResult; window: string }) {
  return (
    <div className="grid gap-3 lg:grid-cols-2" role="status">
      {(["baseline", "canary"] as const).map((side) => (
        <table key={side} className="w-full text-left text-sm">
          <caption className="text-left font-semibold text-slate-900">
            {side === "baseline" ? "Baseline" : "Canary"} {result.sides[side].version}
          </caption>
          <tbody>
            {result.sides[side].outcomes.map((o) => (
              <tr key={o.name} className="border-t border-slate-200 align-top">
                <th scope="row" className="py-1 pr-2 font-medium">
                  {QUERY_LABELS[o.name].label}
                </th>
                <td className="py-1">
                  {o.error ? <span className="font-medium text-red-800">Error: {o.error}</span> : <span className="tabular-nums">{describeValue(o, window)}</span>}
                  <code className="mt-0.5 block break-all font-mono text-xs text-slate-700">{o.query}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}

function MetricSourceForm({ view }: { view: MetricSourceView }) {
  const formRef = useRef<HTMLFormElement>(null);
  const [saved, setSaved] = useState(view.metricSource);
  const [pending, setPending] = useState<Intent | null>(null);
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  const [test, setTest] = useState<{ result: MetricSourceTestResult; window: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const start = saved ?? null;
  const errors = result && !result.ok ? (result.fieldErrors ?? {}) : {};
  const err = (key: string) => errors[key] ?? errors[`metricSource.${key}`];

  async function run(intent: Intent, form: HTMLFormElement) {
    setPending(intent);
    setDone(null);
    const values = formValues(form);
    const metricSource = toMetricSourceInput(values, Object.keys(view.defaults) as MetricSourceQueryName[]);
    let next: ActionResult<unknown>;
    try {
      if (intent === "test") {
        const answer = await testMetricSourceAction({ environmentId: view.environmentId, metricSource, baselineVersion: values.baselineVersion ?? "", canaryVersion: values.canaryVersion ?? "" });
        if (answer.ok) setTest({ result: answer.data, window: metricSource.window ?? "1m" });
        next = answer;
      } else {
        next = await updateMetricSourceAction({ environmentId: view.environmentId, metricSource: intent === "remove" ? null : metricSource });
        if (next.ok) {
          const refreshed = await readMetricSourceAction({ environmentId: view.environmentId });
          if (refreshed.ok) setSaved(refreshed.data.metricSource);
          setDone(intent === "remove" ? "Removed. Runs here are judged from the router and pushed samples only." : "Saved. Runs in their rollout here are polled from it within seconds.");
        }
      }
    } catch {
      next = { ok: false, status: 0, error: "Flightdeck could not be reached. Try again." };
    }
    setPending(null);
    setResult(next);
    if (!next.ok) requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus());
  }

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    void run("save", e.currentTarget);
  }

  const storedHeaders = start?.headers ?? [];
  // The server sends the defaults in the schema's order; the browser does not load the schema
  // itself (it parses PromQL and knows how secrets are stored).
  const queryNames = Object.keys(view.defaults) as MetricSourceQueryName[];
  return (
    <div className="space-y-4">
      <form ref={formRef} onSubmit={onSubmit} noValidate aria-label={`Metric source for ${view.service} ${view.environment}`} className="space-y-3">
        <p className="text-xs text-slate-700">
          Flightdeck polls this Prometheus for the baseline and the canary of every run in its rollout here and judges them with the same analysis as router metrics. In the
          queries, <code className="font-mono">{"{service}"}</code> is the service ({view.service}), <code className="font-mono">{"{version}"}</code> the side&apos;s version,{" "}
          <code className="font-mono">{"{side}"}</code> baseline or canary, and <code className="font-mono">{"{window}"}</code> the poll interval when polling (the display window
          in the test). {start ? null : "Not configured: the fields hold the defaults for the demo services."}
        </p>
        <div className="grid gap-3 sm:grid-cols-[2fr_1fr_1fr]">
          <Field label="Prometheus URL" error={err("url")} hint="Its base URL; the HTTP API is under /api/v1.">
            {(props) => <input {...props} name="url" type="url" defaultValue={start?.url ?? ""} placeholder="http://127.0.0.1:9090" className={controlClasses} autoComplete="off" />}
          </Field>
          <Field label="Poll every (seconds)" error={err("intervalSeconds")} hint="5–300, default 15. A fault is seen one to two polls after it starts; keep it under 45 s (60 s without canary data pauses a run).">
            {(props) => <input {...props} name="intervalSeconds" inputMode="numeric" defaultValue={String(start?.intervalSeconds ?? 15)} className={controlClasses} />}
          </Field>
          <Field label="Display window" error={err("window")} hint="For the quantiles and the test, e.g. 1m.">
            {(props) => <input {...props} name="window" defaultValue={start?.window ?? "1m"} className={controlClasses} />}
          </Field>
        </div>
        <div className="grid gap-3 lg:grid-cols-2">
          {queryNames.map((n) => (
            <Field key={n} label={QUERY_LABELS[n].label} error={err(`queries.${n}`)} hint={QUERY_LABELS[n].hint}>
              {(props) => <textarea {...props} name={`queries.${n}`} rows={3} defaultValue={start?.queries[n] ?? view.defaults[n]} spellCheck={false} className={`${controlClasses} font-mono text-xs`} />}
            </Field>
          ))}
        </div>
        <fieldset className="space-y-2 rounded-md border border-slate-200 p-3">
          <legend className="px-1 text-sm font-semibold text-slate-900">Headers (optional)</legend>
          <p className="text-xs text-slate-700">For a Prometheus behind a proxy, e.g. Authorization: Bearer …. Values are stored encrypted and never shown again; leave a stored one empty to keep it.</p>
          {Array.from({ length: HEADER_ROWS }, (_, i) => (
            <div key={i} className="grid gap-2 sm:grid-cols-2">
              <Field label={`Header ${i + 1} name`} error={err(`headers.${i}.name`)}>
                {(props) => <input {...props} name={`headers.${i}.name`} defaultValue={storedHeaders[i]?.name ?? ""} className={controlClasses} autoComplete="off" />}
              </Field>
              <Field label={`Header ${i + 1} value`} error={err(`headers.${i}.value`)}>
                {(props) => <input {...props} name={`headers.${i}.value`} type="password" placeholder={storedHeaders[i] ? "stored; leave empty to keep" : ""} className={controlClasses} autoComplete="off" />}
              </Field>
            </div>
          ))}
        </fieldset>
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="Test with baseline version" error={errors.baselineVersion}>
            {(props) => <input {...props} name="baselineVersion" defaultValue={view.suggestedVersions.baseline} className={controlClasses} />}
          </Field>
          <Field label="Test with canary version" error={errors.canaryVersion}>
            {(props) => <input {...props} name="canaryVersion" defaultValue={view.suggestedVersions.canary} className={controlClasses} />}
          </Field>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <Button variant="secondary" pending={pending === "test"} disabled={pending !== null} onClick={() => formRef.current && void run("test", formRef.current)}>
            {pending === "test" ? "Querying…" : "Test the queries"}
          </Button>
          <Button type="submit" pending={pending === "save"} disabled={pending !== null}>
            Save metric source
          </Button>
          {start ? (
            <Button variant="ghost" pending={pending === "remove"} disabled={pending !== null} onClick={() => formRef.current && void run("remove", formRef.current)}>
              Remove
            </Button>
          ) : null}
          <FormOutcome error={result && !result.ok ? result.error : null} done={done} />
        </div>
      </form>
      {test ? <TestResult result={test.result} window={test.window} /> : null}
    </div>
  );
}

/** Settings → an environment's Prometheus metric source (admins): loaded when opened, never with header values. */
export function MetricSourceSection({ environmentId, label }: { environmentId: string; label: string }) {
  const [open, setOpen] = useState(false);
  const [view, setView] = useState<MetricSourceView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open || view) return;
    let cancelled = false;
    readMetricSourceAction({ environmentId }).then(
      (r) => {
        if (cancelled) return;
        if (r.ok) setView(r.data);
        else setError(r.error);
      },
      () => !cancelled && setError("Flightdeck could not be reached. Try again."),
    );
    return () => {
      cancelled = true;
    };
  }, [open, view, environmentId]);
  return (
    <details className="mt-3 rounded-md border border-slate-200" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-slate-900">Configure {label}: metric source (Prometheus)</summary>
      <div className="p-3">
        {view ? (
          <MetricSourceForm view={view} />
        ) : error ? (
          <p role="alert" className="text-sm text-red-800">
            {error}
          </p>
        ) : (
          <p className="text-sm text-slate-700">Loading…</p>
        )}
      </div>
    </details>
  );
}
