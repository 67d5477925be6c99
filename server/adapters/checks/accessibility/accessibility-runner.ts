import type { CheckRunner } from "../../../engine/ports.ts";
import { runSubChecks, type SubCheck } from "../sub-checks.ts";
import { checkAxe } from "./axe-check.ts";
import { browserSession, findChromium, type BrowserSession } from "./browser-session.ts";
import { ZAccessibilityConfig, type TAccessibilityConfig } from "./config.ts";
import { checkKeyboard } from "./keyboard-check.ts";

/** Options from server/env.ts; production finds the system Chromium itself. */
export type AccessibilityRunnerOptions = {
  /** the Chromium binary; default the first of /usr/bin/chromium, /usr/bin/chromium-browser that exists */
  chromiumPath?: string;
};

/**
 * The accessibility-expert agent: axe-core's WCAG 2.1 A/AA rules on every staging page at every
 * viewport, then a keyboard walk of every page (see runSubChecks for how the outcome is decided).
 * Both share one headless Chromium per run, closed when the run ends or is cancelled.
 */
export function createAccessibilityRunner(options: AccessibilityRunnerOptions = {}): CheckRunner {
  return {
    async run(ctx) {
      const session = browserSession(options.chromiumPath ?? findChromium(), ctx.signal);
      try {
        return await runSubChecks(ctx, { label: "accessibility-expert", schema: ZAccessibilityConfig, subChecks: (config) => subChecks(config, session) });
      } finally {
        await session.close();
      }
    },
  };
}

/** The accessibility-expert agent with the system's Chromium. */
export const accessibilityRunner: CheckRunner = createAccessibilityRunner();

function subChecks(config: TAccessibilityConfig, session: BrowserSession): SubCheck[] {
  const { keyboard } = config;
  return [
    { name: "WCAG rules (axe-core)", run: (sub) => checkAxe(config, session, sub) },
    { name: "keyboard focus order", run: keyboard === false ? null : (sub) => checkKeyboard(config, keyboard.maxTabs, session, sub) },
  ];
}
