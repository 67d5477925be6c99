"use client";
import { useEffect, useId, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { controlClasses } from "@/components/ui/field";

/**
 * The new token, once: Flightdeck keeps only its hash, so closing this loses it for good.
 * Focus moves here so a keyboard or screen-reader user meets the warning first.
 */
export function ApiTokenReveal({ name, token, onDone }: { name: string; token: string; onDone: () => void }) {
  const inputId = useId();
  const warningId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, [token]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(token);
      setCopied("yes");
    } catch {
      // Clipboard access can be refused (insecure origin, permissions): the field stays selectable.
      input.current?.select();
      setCopied("failed");
    }
  }

  return (
    <div className="mb-4 space-y-3">
      <Alert tone="warning" title={`Token “${name}” created`}>
        <p id={warningId}>Copy it now. It won&apos;t be shown again: Flightdeck stores only a hash of it.</p>
      </Alert>
      <div className="space-y-1">
        <label htmlFor={inputId} className="block text-sm font-medium text-slate-900">
          API token
        </label>
        <div className="flex flex-wrap gap-2">
          <input
            ref={input}
            id={inputId}
            readOnly
            value={token}
            aria-describedby={warningId}
            spellCheck={false}
            autoComplete="off"
            onFocus={(e) => e.currentTarget.select()}
            className={`${controlClasses} min-w-0 flex-1 font-mono`}
          />
          <Button variant="secondary" onClick={() => void copy()}>
            Copy
          </Button>
          <Button variant="ghost" onClick={onDone}>
            Done
          </Button>
        </div>
        <p role="status" className="text-sm text-slate-700">
          {copied === "yes" ? "Copied to the clipboard." : copied === "failed" ? "Copying was blocked; the token is selected, copy it with your keyboard." : ""}
        </p>
      </div>
    </div>
  );
}
