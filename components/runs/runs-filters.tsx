"use client";
import { ENVIRONMENTS, RUN_STATUSES } from "@/server/core/types";
import type { ServiceItem } from "@/server/services/services-and-environments";
import { controlClasses } from "@/components/ui/field";
import { humanize } from "./labels";
import type { RunFilters } from "./run-queries";

const STATUS_OPTIONS = ["active", ...RUN_STATUSES];

/** Filters live in the URL so a filtered list can be shared and survives reload. */
export function RunsFilters({
  filters,
  services,
  onChange,
}: {
  filters: RunFilters;
  services: ServiceItem[];
  onChange: (next: RunFilters) => void;
}) {
  const select = (id: string, label: string, value: string | undefined, key: keyof RunFilters, options: { value: string; label: string }[]) => (
    <div className="min-w-40 flex-1 sm:flex-none">
      <label htmlFor={id} className="block text-sm font-medium text-slate-900">
        {label}
      </label>
      <select id={id} value={value ?? ""} onChange={(e) => onChange({ ...filters, [key]: e.target.value || undefined })} className={`${controlClasses} mt-1`}>
        <option value="">All</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <div role="search" aria-label="Filter runs" className="flex flex-wrap items-end gap-3">
      {select("filter-service", "Service", filters.service, "service", services.map((s) => ({ value: s.slug, label: s.name })))}
      {select("filter-environment", "Environment", filters.environment, "environment", ENVIRONMENTS.map((e) => ({ value: e, label: e })))}
      {select(
        "filter-status",
        "Status",
        filters.status,
        "status",
        STATUS_OPTIONS.map((s) => ({ value: s, label: s === "active" ? "active (running, paused, rolling back)" : humanize(s) })),
      )}
    </div>
  );
}
