import type { ReactNode } from "react";

type Tone = "error" | "warning" | "info" | "success";

const TONES: Record<Tone, string> = {
  error: "border-red-300 bg-red-50 text-red-900",
  warning: "border-amber-300 bg-amber-50 text-amber-900",
  info: "border-blue-200 bg-blue-50 text-blue-900",
  success: "border-green-300 bg-green-50 text-green-900",
};

/**
 * An inline message. Errors use role="alert" so screen readers announce them at once; the rest
 * are polite status messages.
 */
export function Alert({ tone = "info", title, children, action }: { tone?: Tone; title?: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div role={tone === "error" ? "alert" : "status"} className={`flex flex-wrap items-start justify-between gap-3 rounded-md border px-4 py-3 text-sm ${TONES[tone]}`}>
      <div className="min-w-0">
        {title ? <p className="font-semibold">{title}</p> : null}
        {children ? <div className={title ? "mt-1" : ""}>{children}</div> : null}
      </div>
      {action}
    </div>
  );
}
