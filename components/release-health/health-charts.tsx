"use client";
import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ReleaseHealthWeek } from "@/server/contracts/release-health-api";
import { pct, plural, span, weekLabel } from "./format";

/**
 * The three weekly charts of the release-health page. Recharts is most of the page's JavaScript,
 * so this module is loaded on its own (next/dynamic in release-health-view.tsx). Each chart
 * draws in `currentColor` of its frame's text colour class (flipped in dark mode), and
 * each has the same numbers as a table for screen readers and anyone who prefers one.
 */

const HEIGHT = 220;
const MARGIN = { top: 12, right: 12, bottom: 4, left: 0 };
const TICK = { fill: "#334155", fontSize: 12 };
const HOUR = 3_600_000;

type Row = ReleaseHealthWeek & { label: string; leadTimeHours: number | null; failurePct: number | null };

/** Week label with a note when the period cuts the week short. */
const weekName = (w: ReleaseHealthWeek) => `${weekLabel(w.start)}${w.days < 7 ? ` (${Number(w.days.toFixed(1))} days)` : ""}`;

function ChartCard({ id, title, description, summary, table, tone, children }: { id: string; title: string; description: string; summary: string; table: ReactNode; tone: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="min-w-0 space-y-2 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <h3 id={id} className="text-base font-semibold text-slate-900">
        {title}
      </h3>
      <p className="text-xs text-slate-700">{description}</p>
      <div style={{ height: HEIGHT }} className={tone}>
        {children}
      </div>
      <p className="sr-only">{summary}</p>
      <details className="text-sm">
        <summary className="cursor-pointer rounded text-slate-800 underline focus-visible:outline-2 focus-visible:outline-blue-700">{title}: show as a table</summary>
        {/* Focusable so a keyboard can scroll a table wider than a phone. */}
        <div className="mt-2 overflow-x-auto rounded focus-visible:outline-2 focus-visible:outline-blue-700" role="region" aria-label={`${title}, table`} tabIndex={0}>
          {table}
        </div>
      </details>
    </section>
  );
}

function WeekTable({ caption, head, rows }: { caption: string; head: string[]; rows: (string | number)[][] }) {
  return (
    <table className="w-full text-left text-sm tabular-nums">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr className="border-b border-slate-200 text-slate-800">
          {head.map((h) => (
            <th key={h} scope="col" className="py-1 pr-3 font-medium">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map(([first, ...rest]) => (
          <tr key={String(first)} className="border-b border-slate-100 text-slate-900">
            <th scope="row" className="py-1 pr-3 font-normal">
              {first}
            </th>
            {rest.map((cell, i) => (
              <td key={i} className="py-1 pr-3">
                {cell}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function HealthCharts({ weeks }: { weeks: ReleaseHealthWeek[] }) {
  const rows: Row[] = weeks.map((w) => ({
    ...w,
    label: weekLabel(w.start),
    leadTimeHours: w.leadTimeMedianMs === null ? null : Number((w.leadTimeMedianMs / HOUR).toFixed(2)),
    failurePct: w.failureRate === null ? null : Number((w.failureRate * 100).toFixed(1)),
  }));
  const total = weeks.reduce((n, w) => n + w.deployments, 0);
  const busiest = weeks.reduce<ReleaseHealthWeek | null>((b, w) => (b === null || w.deployments > b.deployments ? w : b), null);
  const led = weeks.filter((w) => w.leadTimeMedianMs !== null);
  const failing = weeks.filter((w) => w.failures > 0);
  const xAxis = <XAxis dataKey="label" tick={TICK} minTickGap={16} />;

  return (
    <div className="grid gap-3 lg:grid-cols-3">
      <ChartCard
        id="chart-deployments"
        tone="text-blue-700"
        title="Deployments per week"
        description="Releases that reached 100%, per week starting Monday (UTC)."
        summary={`${plural(total, "release")} over ${plural(weeks.length, "week")}${busiest && busiest.deployments > 0 ? `; the busiest week, starting ${weekName(busiest)}, had ${busiest.deployments}` : ""}.`}
        table={<WeekTable caption="Deployments per week" head={["Week starting (UTC)", "Releases"]} rows={weeks.map((w) => [weekName(w), w.deployments])} />}
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} margin={MARGIN} title="Deployments per week">
            <CartesianGrid stroke="#e2e8f0" vertical={false} />
            {xAxis}
            <YAxis tick={TICK} width={32} allowDecimals={false} />
            <Tooltip formatter={(v) => [String(v), "Releases"]} />
            <Bar dataKey="deployments" name="Releases" fill="currentColor" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard
        id="chart-lead-time"
        tone="text-blue-700"
        title="Lead time trend"
        description="Median hours from commit to release, per week (UTC); weeks without a release that carries a commit time are gaps."
        summary={led.length > 0 ? `Weekly median lead time from ${span(Math.min(...led.map((w) => w.leadTimeMedianMs ?? 0)))} to ${span(Math.max(...led.map((w) => w.leadTimeMedianMs ?? 0)))}.` : "No release in the period carries a commit time."}
        table={<WeekTable caption="Median lead time per week" head={["Week starting (UTC)", "Median lead time"]} rows={weeks.map((w) => [weekName(w), span(w.leadTimeMedianMs)])} />}
      >
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={rows} margin={MARGIN} title="Median lead time per week">
            <CartesianGrid stroke="#e2e8f0" vertical={false} />
            {xAxis}
            <YAxis tick={TICK} width={40} unit=" h" />
            <Tooltip formatter={(v) => [typeof v === "number" ? span(v * HOUR) : String(v), "Median lead time"]} />
            <Line dataKey="leadTimeHours" name="Median lead time" stroke="currentColor" strokeWidth={2} dot={{ r: 3, fill: "currentColor" }} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard
        id="chart-failure-rate"
        tone="text-red-700"
        title="Change failure rate"
        description="Changes rolled back or failed ÷ changes that started the rollout, per week (UTC), in %."
        summary={failing.length > 0 ? `${failing.length} of ${weeks.length} weeks had a failed change; the worst, starting ${weekName(failing.reduce((a, b) => ((b.failureRate ?? 0) > (a.failureRate ?? 0) ? b : a)))}, had ${pct(Math.max(...failing.map((w) => w.failureRate ?? 0)))}.` : "No failed change in the period."}
        table={
          <WeekTable
            caption="Change failure rate per week"
            head={["Week starting (UTC)", "Changes", "Failed", "Rate"]}
            rows={weeks.map((w) => [weekName(w), w.changes, w.failures, pct(w.failureRate)])}
          />
        }
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={rows} margin={MARGIN} title="Change failure rate per week">
            <CartesianGrid stroke="#e2e8f0" vertical={false} />
            {xAxis}
            <YAxis tick={TICK} width={40} unit="%" domain={[0, 100]} />
            <Tooltip formatter={(v) => [typeof v === "number" ? `${v}%` : String(v), "Failure rate"]} />
            <Bar dataKey="failurePct" name="Failure rate" fill="currentColor" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </ChartCard>
    </div>
  );
}
