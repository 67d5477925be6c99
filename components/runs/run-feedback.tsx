"use client";
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";

export type FeedbackTone = "success" | "info" | "warning" | "critical";
type Message = { id: number; tone: FeedbackTone; text: string };
type Report = (text: string, tone?: FeedbackTone) => void;

const FeedbackContext = createContext<Report>(() => undefined);

const TONES: Record<FeedbackTone, string> = {
  success: "border-green-300 bg-green-50 text-green-900",
  info: "border-blue-200 bg-blue-50 text-blue-900",
  warning: "border-amber-300 bg-amber-50 text-amber-900",
  critical: "border-red-300 bg-red-50 text-red-900",
};
const ICONS: Record<FeedbackTone, string> = { success: "✓", info: "i", warning: "!", critical: "‼" };
const KEEP = 5;
const FADE_MS = 12_000;

let nextId = 1;

/**
 * What just happened on this run: results of the buttons pressed here and the engine's
 * notifications. The list is a live region, so screen readers hear each message once.
 */
export function RunFeedbackProvider({ children }: { children: ReactNode }) {
  const [messages, setMessages] = useState<Message[]>([]);
  const report = useCallback<Report>((text, tone = "success") => {
    const id = nextId++;
    setMessages((m) => [{ id, tone, text }, ...m].slice(0, KEEP));
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
