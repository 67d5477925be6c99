import type { Span, StatusSense } from "@/server/core/record/document";
import { isWebAddress } from "@/server/core/record/spans";
import { Badge, type BadgeTone } from "@/components/ui/badge";

const SENSE_TONES: Record<StatusSense, BadgeTone> = { good: "success", bad: "danger", attention: "warning", neutral: "neutral" };

/**
 * A record's spans as React text: every string is a text child (React escapes it), so nothing a
 * person typed can become markup. Line breaks inside text are kept by the block's
 * `whitespace-pre-line`.
 */
export function Spans({ spans }: { spans: Span[] }) {
  return (
    <>
      {spans.map((s, i) => {
        switch (s.kind) {
          case "text":
            return <span key={i}>{s.text}</span>;
          case "strong":
            return <strong key={i} className="font-semibold">{s.text}</strong>;
          case "emphasis":
            return <em key={i}>{s.text}</em>;
          case "code":
            return <code key={i} className="rounded bg-slate-100 px-1 font-mono text-[0.85em] break-words">{s.text}</code>;
          case "status":
            return <Badge key={i} tone={SENSE_TONES[s.sense]}>{s.text}</Badge>;
          case "link":
            // The stored document was checked already; a link is still only ever http(s).
            return isWebAddress(s.href) ? (
              <a key={i} href={s.href} target="_blank" rel="noreferrer noopener" className="text-blue-800 underline underline-offset-2 [overflow-wrap:anywhere]">
                {s.text}
              </a>
            ) : (
              <code key={i} className="font-mono text-[0.85em] [overflow-wrap:anywhere]">{s.href}</code>
            );
          default: {
            const never: never = s;
            return never;
          }
        }
      })}
    </>
  );
}
