"use client";
import { useId, useSyncExternalStore } from "react";
import { applyThemeChoice, parseThemeChoice, savedThemeChoice, subscribeThemeChoice } from "./theme";

/** Light, dark or the system's choice; remembered in this browser. */
export function ThemeToggle() {
  const id = useId();
  // "system" on the server; the saved choice in the browser, kept in step across tabs.
  const choice = useSyncExternalStore(subscribeThemeChoice, savedThemeChoice, () => "system" as const);
  return (
    <span className="flex items-center gap-1 text-xs text-slate-700">
      <label htmlFor={id}>Theme</label>
      <select
        id={id}
        value={choice}
        onChange={(e) => {
          applyThemeChoice(parseThemeChoice(e.target.value));
        }}
        className="rounded-md border border-slate-300 bg-white px-1 py-0.5 text-xs text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700"
      >
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </span>
  );
}
