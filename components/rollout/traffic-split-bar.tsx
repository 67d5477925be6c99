/** Baseline vs canary traffic, as a bar and as text (the text carries the numbers). */
export function TrafficSplitBar({ canaryPercent, label = "Traffic now" }: { canaryPercent: number; label?: string }) {
  const canary = Math.min(100, Math.max(0, canaryPercent));
  return (
    <div className="space-y-1">
      <p className="text-sm text-slate-800">
        <span className="font-medium">{label}:</span> baseline {100 - canary}% · canary {canary}%
      </p>
      <div aria-hidden="true" className="flex h-3 w-full overflow-hidden rounded-full bg-slate-200">
        <div className="bg-slate-500" style={{ width: `${100 - canary}%` }} />
        <div className="bg-blue-700" style={{ width: `${canary}%` }} />
      </div>
    </div>
  );
}
