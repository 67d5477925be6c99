"use client";
import { useEffect, useState, type FormEvent } from "react";
import { listRegionsAction } from "@/server/actions/list-regions";
import { saveRegionsAction } from "@/server/actions/save-regions";
import type { PublicRegion } from "@/server/services/regions";
import { Button } from "@/components/ui/button";
import { controlClasses, Field } from "@/components/ui/field";
import { FormOutcome } from "@/components/ui/form-outcome";

// An environment's regions (issue 15): name, wave, IANA time zone, an allowed window in local
// time and its own router (manual or the built-in proxy here; other kinds through the API), and
// whether a failing region also rolls back the regions already released. Saved as a whole list.

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

type Row = {
  name: string;
  wave: string;
  timeZone: string;
  windowOn: boolean;
  days: number[];
  from: string;
  to: string;
  routerKind: "manual" | "builtin";
  listenPort: string;
  baselineUrl: string;
  canaryUrl: string;
};

function rowOf(r: PublicRegion): Row {
  const w = r.windows[0];
  const builtin = r.router?.kind === "builtin" ? r.router : null;
  return {
    name: r.name,
    wave: String(r.wave),
    timeZone: r.timeZone,
    windowOn: Boolean(w),
    days: w?.days ?? [1, 2, 3, 4, 5],
    from: w?.from ?? "09:00",
    to: w?.to ?? "17:00",
    routerKind: builtin ? "builtin" : "manual",
    listenPort: builtin ? String(builtin.listenPort) : "",
    baselineUrl: builtin?.baselineUrl ?? "",
    canaryUrl: builtin?.canaryUrl ?? "",
  };
}

const emptyRow = (wave: number): Row => ({ name: "", wave: String(wave), timeZone: "UTC", windowOn: false, days: [1, 2, 3, 4, 5], from: "09:00", to: "17:00", routerKind: "manual", listenPort: "", baselineUrl: "", canaryUrl: "" });

function inputOf(rows: Row[]) {
  return rows.map((r) => ({
    name: r.name,
    wave: Number(r.wave),
    timeZone: r.timeZone,
    windows: r.windowOn ? [{ days: r.days, from: r.from, to: r.to }] : [],
    router: r.routerKind === "builtin" ? { kind: "builtin", listenPort: Number(r.listenPort), baselineUrl: r.baselineUrl, canaryUrl: r.canaryUrl } : { kind: "manual" },
  }));
}

export function RegionsSettings({ serviceId, serviceName, environment }: { serviceId: string; serviceName: string; environment: "staging" | "production" }) {
  const [rows, setRows] = useState<Row[] | null>(null);
  const [rollbackReleased, setRollbackReleased] = useState(false);
  const [state, setState] = useState<{ pending: boolean; error: string | null; done: string | null; fieldErrors: Record<string, string[]> }>({ pending: false, error: null, done: null, fieldErrors: {} });

  useEffect(() => {
    let live = true;
    void listRegionsAction({ serviceId, environment }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setRows(r.data.regions.map(rowOf));
        setRollbackReleased(r.data.policy.rollbackReleasedRegions);
      } else setState((s) => ({ ...s, error: r.error }));
    });
    return () => {
      live = false;
    };
  }, [serviceId, environment]);

  const update = (i: number, patch: Partial<Row>) => setRows((rs) => rs?.map((r, j) => (j === i ? { ...r, ...patch } : r)) ?? null);
  const err = (key: string) => state.fieldErrors[key];

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!rows) return;
    setState({ pending: true, error: null, done: null, fieldErrors: {} });
    try {
      const r = await saveRegionsAction({ serviceId, environment, policy: { rollbackReleasedRegions: rollbackReleased }, regions: inputOf(rows) });
      setState(r.ok ? { pending: false, error: null, done: "Saved. Routers were reloaded.", fieldErrors: {} } : { pending: false, error: r.error, done: null, fieldErrors: r.fieldErrors ?? {} });
    } catch {
      setState({ pending: false, error: "Flightdeck could not be reached. Try again.", done: null, fieldErrors: {} });
    }
  }

  if (rows === null) return state.error ? <FormOutcome error={state.error} done={null} /> : <p className="text-sm text-slate-700">Loading regions…</p>;
  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label={`Regions of ${serviceName} ${environment}`} noValidate data-testid="regions-settings">
      <p className="text-sm text-slate-700">
        With regions, a run goes region by region in wave order; each region has its own router, steps and analysis, and starts only inside its window, in its local time.
      </p>
      {rows.map((r, i) => (
        <fieldset key={i} className="space-y-3 rounded-md border border-slate-200 p-3" data-testid={`region-row-${i}`}>
          <legend className="px-1 text-sm font-semibold text-slate-900">Region {i + 1}</legend>
          <Field label="Name" hint="e.g. eu-west" error={err(`regions.${i}.name`)}>
            {(props) => <input {...props} value={r.name} onChange={(e) => update(i, { name: e.target.value })} className={controlClasses} />}
          </Field>
          <Field label="Wave" hint="Regions are released in wave order." error={err(`regions.${i}.wave`)}>
            {(props) => <input {...props} type="number" min={1} max={100} value={r.wave} onChange={(e) => update(i, { wave: e.target.value })} className={controlClasses} />}
          </Field>
          <Field label="Time zone" hint="IANA name, e.g. Europe/Dublin or Australia/Sydney" error={err(`regions.${i}.timeZone`)}>
            {(props) => <input {...props} value={r.timeZone} onChange={(e) => update(i, { timeZone: e.target.value })} className={controlClasses} />}
          </Field>
          <label className="flex items-center gap-2 text-sm text-slate-900">
            <input type="checkbox" checked={r.windowOn} onChange={(e) => update(i, { windowOn: e.target.checked })} /> Only start inside a window (local time)
          </label>
          {r.windowOn ? (
            <div className="space-y-2">
              <div role="group" aria-label={`Days of region ${i + 1}'s window`} className="flex flex-wrap gap-3 text-sm">
                {DAYS.map((d, k) => (
                  <label key={d} className="flex items-center gap-1">
                    <input type="checkbox" checked={r.days.includes(k + 1)} onChange={(e) => update(i, { days: e.target.checked ? [...r.days, k + 1].sort() : r.days.filter((x) => x !== k + 1) })} /> {d}
                  </label>
                ))}
              </div>
              {err(`regions.${i}.windows.0.days`) ? <p className="text-sm font-medium text-red-800">{err(`regions.${i}.windows.0.days`)?.join(" ")}</p> : null}
              <Field label="From" hint="HH:MM" error={err(`regions.${i}.windows.0.from`)}>
                {(props) => <input {...props} value={r.from} onChange={(e) => update(i, { from: e.target.value })} className={controlClasses} />}
              </Field>
              <Field label="To" hint="HH:MM, after From (no overnight windows)" error={err(`regions.${i}.windows.0.to`)}>
                {(props) => <input {...props} value={r.to} onChange={(e) => update(i, { to: e.target.value })} className={controlClasses} />}
              </Field>
            </div>
          ) : null}
          <Field label="Router" error={err(`regions.${i}.router`) ?? err(`regions.${i}.router.kind`)}>
            {(props) => (
              <select {...props} value={r.routerKind} onChange={(e) => update(i, { routerKind: e.target.value as Row["routerKind"] })} className={controlClasses}>
                <option value="manual">Manual (an operator confirms each weight)</option>
                <option value="builtin">Built-in proxy</option>
              </select>
            )}
          </Field>
          {r.routerKind === "builtin" ? (
            <>
              <Field label="Listen port" hint="On 127.0.0.1." error={err(`regions.${i}.router.listenPort`)}>
                {(props) => <input {...props} type="number" min={1} max={65_535} value={r.listenPort} onChange={(e) => update(i, { listenPort: e.target.value })} className={controlClasses} />}
              </Field>
              <Field label="Baseline URL" hint="e.g. http://127.0.0.1:4001" error={err(`regions.${i}.router.baselineUrl`)}>
                {(props) => <input {...props} type="url" value={r.baselineUrl} onChange={(e) => update(i, { baselineUrl: e.target.value })} className={controlClasses} />}
              </Field>
              <Field label="Canary URL" hint="e.g. http://127.0.0.1:4002" error={err(`regions.${i}.router.canaryUrl`)}>
                {(props) => <input {...props} type="url" value={r.canaryUrl} onChange={(e) => update(i, { canaryUrl: e.target.value })} className={controlClasses} />}
              </Field>
            </>
          ) : null}
          <Button variant="ghost" size="sm" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
            Remove region {i + 1}
          </Button>
        </fieldset>
      ))}
      <Button variant="secondary" size="sm" onClick={() => setRows([...rows, emptyRow(rows.length + 1)])}>
        Add a region
      </Button>
      <label className="flex items-center gap-2 text-sm text-slate-900">
        <input type="checkbox" checked={rollbackReleased} onChange={(e) => setRollbackReleased(e.target.checked)} /> When a region fails, also roll back the regions already released
      </label>
      <Button type="submit" pending={state.pending}>
        Save regions
      </Button>
      <FormOutcome error={state.error} done={state.done} />
    </form>
  );
}
