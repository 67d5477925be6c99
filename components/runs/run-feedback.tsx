"use client";
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { TERMINAL_STATUSES, type RunStatus } from "@/server/core/types";
import { Button } from "@/components/ui/button";

export type FeedbackTone = "success" | "info" | "warning" | "critical";
type Message = { id: number; tone: FeedbackTone; text: string; at: number; forStatus?: RunStatus };
type Report = (text: string, tone?: FeedbackTone, forStatus?: RunStatus) => void;

const FeedbackContext = createContext<Report>(() => undefined);

const TONES: Record<FeedbackTone, string> = {
  success: "border-green-300 bg-green-50 text-green-900",
  info: "border-blue-200 bg-blue-50 text-blue-900",
  warning: "border-amber-300 bg-amber-50 text-amber-900",
  critical: "border-red-300 bg-red-50 text-red-900",
};
const ICONS: Record<FeedbackTone, string> = { success: "✓", info: "i", warning: "!", critical: "‼" };
const KEEP = 3;
// A message this young when the run moves on was about the new state (the event and the refetch race).
const GRACE_MS = 2_000;
const FADE_MS = 12_000;

let nextId = 1;

/**
 * The messages still true once the run has moved on: those written for the status the run is in
 * now, and young ones (the event and the refetch race) unless the run has ended in another status.
 */
function dropStale(messages: Message[], status: RunStatus | null): Message[] {
  const now = Date.now();
  const ended = status !== null && TERMINAL_STATUSES.includes(status);
  return messages.filter((x) => {
    if (x.forStatus && status && x.forStatus !== status && ended) return false;
    return now - x.at < GRACE_MS;
  });
}

/**
 * What just happened on this run: results of the buttons pressed here and the engine's
 * notifications. The list is a live region, so screen readers hear each message once.
 * Messages are about a moment of the run: when the run moves on (`stateKey` changes: another
 * phase, step, weight, or the rollback ends), the ones from before are no longer true and go,
 * critical ones included; the page's own sections say what is true now.
 */
export function RunFeedbackProvider({ children, stateKey = "", status = null }: { children: ReactNode; stateKey?: string; status?: RunStatus | null }) {
  const [messages, setMessages] = useState<Message[]>([]);
  const [seenKey, setSeenKey] = useState(stateKey);
  if (seenKey !== stateKey) {
    // Adjusting state while rendering (React's pattern for derived resets), not in an effect.
    setSeenKey(stateKey);
    setMessages((m) => dropStale(m, status));
  }
  const report = useCallback<Report>((text, tone = "success", forStatus) => {
    const id = nextId++;
    // The same words again replace the older copy instead of stacking.
    setMessages((m) => [{ id, tone, text, at: Date.now(), forStatus }, ...m.filter((x) => x.text !== text)].slice(0, KEEP));
    // Critical messages stay until dismissed; the rest fade once they have been read.
    if (tone !== "critical") setTimeout(() => setMessages((m) => m.filter((x) => x.id !== id)), FADE_MS);
  }, []);
  const dismiss = (id: number) => setMessages((m) => m.filter((x) => x.id !== id));
  const value = useMemo(() => report, [report]);
  return (
    <FeedbackContext.Provider value={value}>
      <div aria-live="polite" className="mb-4 space-y-2 empty:hidden">
        {messages.map((m) => (
          <div key={m.id} className={`flex items-start justify-between gap-3 rounded-md border px-3 py-2 text-sm ${TONES[m.tone]}`}>
            <p>
              <span aria-hidden="true" className="mr-2 font-bold">
                {ICONS[m.tone]}
              </span>
              {m.text}
            </p>
            <Button variant="ghost" size="sm" onClick={() => dismiss(m.id)} aria-label={`Dismiss: ${m.text}`}>
              ✕
            </Button>
          </div>
        ))}
      </div>
      {children}
    </FeedbackContext.Provider>
  );
}

export function useRunFeedback(): Report {
  return useContext(FeedbackContext);
}
