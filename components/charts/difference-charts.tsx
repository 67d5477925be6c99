"use client";
import type { EvidenceSeriesWire } from "@/server/contracts/analysis-history-api";
import { CHART_STYLE } from "./chart-frame";
import { DifferencePanel } from "./difference-panel";

function Key() {
  const items = [
    { label: "Canary (since the step began)", svg: <line x1="0" y1="4" x2="24" y2="4" stroke={CHART_STYLE.canary.stroke} strokeWidth="2" /> },
    { label: "Anytime-valid confidence band", svg: <rect x="0" y="0" width="24" height="8" fill="#bfdbfe" /> },
    { label: "Threshold (roll back: red, hold: amber)", svg: <line x1="0" y1="4" x2="24" y2="4" stroke={CHART_STYLE.rollback} strokeWidth="2" strokeDasharray="4 2" /> },
    { label: "When the test fired", svg: <line x1="12" y1="0" x2="12" y2="8" stroke={CHART_STYLE.marker} strokeWidth="2" strokeDasharray="2 2" /> },
  ];
  return (
    <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-800">
      {items.map((item) => (
        <li key={item.label} className="inline-flex items-center gap-1.5">
          <svg aria-hidden="true" width="24" height="8" className="shrink-0">
            {item.svg}
          </svg>
          {item.label}
        </li>
      ))}
    </ul>
  );
}

/**
 * The difference charts of one step, one small panel per statistical test. Loaded on its own
 * (next/dynamic in components/analysis/evidence-history.tsx): Recharts is most of the page's JavaScript.
 */
export default function DifferenceCharts({ series }: { series: EvidenceSeriesWire[] }) {
  return (
    <div className="space-y-2">
      <Key />
      <div className="grid gap-3 lg:grid-cols-2">
        {series.map((s) => (
          <DifferencePanel key={s.trigger} series={s} />
        ))}
      </div>
    </div>
  );
}
