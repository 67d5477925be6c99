"use client";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { buttonClasses } from "@/components/ui/button";
import { controlClasses } from "@/components/ui/field";
import { HEALTH_PERIODS, type HealthPeriodChoice } from "@/server/contracts/release-health-api";
import { ENVIRONMENTS } from "@/server/core/types";
import type { HealthFilters } from "./health-queries";

const PERIOD_LABELS: Record<HealthPeriodChoice, string> = { "7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days", custom: "Custom dates (UTC)" };
const DAY_MS = 86_400_000;
const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Service, environment and period; a custom period is applied with its button once both days are set. */
export function HealthFiltersBar({ filters, services, onChange }: { filters: HealthFilters; services: { slug: string; name: string }[]; onChange: (next: HealthFilters) => void }) {
  // The custom days are edited here and sent only when applied, so a half-typed date asks nothing.
  const [from, setFrom] = useState(filters.from ?? utcDate(Date.now() - 29 * DAY_MS));
  const [to, setTo] = useState(filters.to ?? utcDate(Date.now()));
  const [problem, setProblem] = useState<string | null>(null);
  const custom = filters.period === "custom";
  // The URL (and so `filters`) catches up after a navigation: two choices made before it does must
  // both count, so each change builds on the latest one asked for, not on the props.
  const latest = useRef(filters);
  useEffect(() => {
    latest.current = filters;
  }, [filters]);
  const change = (patch: Partial<HealthFilters>) => {
    const next = { ...latest.current, ...patch };
    latest.current = next;
    onChange(next);
  };

  const select = (id: string, label: string, value: string, options: { value: string; label: string }[], set: (v: string) => void, all?: string) => (
    <div className="min-w-40 flex-1 sm:flex-none">
      <label htmlFor={id} className="block text-sm font-medium text-slate-900">
        {label}
      </label>
      <select id={id} value={value} onChange={(e) => set(e.target.value)} className={`${controlClasses} mt-1`}>
        {all ? <option value="">{all}</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );

  const applyCustom = (e: FormEvent) => {
    e.preventDefault();
    if (!from || !to) return setProblem("Choose both days.");
    if (to < from) return setProblem("The last day must not be before the first.");
    setProblem(null);
    change({ period: "custom", from, to });
  };

  return (
    <div role="search" aria-label="Choose what to measure" className="space-y-3">
      <div className="flex flex-wrap items-end gap-3">
        {select("health-service", "Service", filters.service ?? "", services.map((s) => ({ value: s.slug, label: s.name })), (v) => change({ service: v || undefined }), "All services")}
        {select("health-environment", "Environment", filters.environment ?? "", ENVIRONMENTS.map((e) => ({ value: e, label: e })), (v) => change({ environment: v || undefined }), "All environments")}
        {select(
          "health-period",
          "Period",
          filters.period,
          HEALTH_PERIODS.map((p) => ({ value: p, label: PERIOD_LABELS[p] })),
          (v) => {
            const period = v as HealthPeriodChoice;
            change(period === "custom" ? { period, from, to } : { period, from: undefined, to: undefined });
          },
        )}
      </div>
      {custom ? (
        <form onSubmit={applyCustom} className="flex flex-wrap items-end gap-3" aria-label="Custom period">
          <div>
            <label htmlFor="health-from" className="block text-sm font-medium text-slate-900">
              First day (UTC)
            </label>
            <input id="health-from" type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} className={`${controlClasses} mt-1`} aria-describedby="health-custom-hint" />
          </div>
          <div>
            <label htmlFor="health-to" className="block text-sm font-medium text-slate-900">
              Last day (UTC)
            </label>
            <input id="health-to" type="date" value={to} min={from} max={utcDate(Date.now())} onChange={(e) => setTo(e.target.value)} className={`${controlClasses} mt-1`} aria-describedby="health-custom-hint" />
          </div>
          <button type="submit" className={buttonClasses("secondary")}>
            Apply dates
          </button>
          <p id="health-custom-hint" className="w-full text-xs text-slate-700">
            Both days included, at most 366 days, up to today.
          </p>
          {problem ? (
            <p role="alert" className="w-full text-sm font-medium text-red-800">
              {problem}
            </p>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}
