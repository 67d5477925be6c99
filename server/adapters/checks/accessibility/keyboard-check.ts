import type { Page } from "playwright-core";
import { z } from "zod";
import type { CheckFinding } from "../../../engine/ports.ts";
import { newViewportContext, openPage, pageName, type BrowserSession } from "./browser-session.ts";
import { DESKTOP_VIEWPORT, type TAccessibilityConfig, type TAuditedPage } from "./config.ts";
import { FOCUS_PROBE, ZFocusStop, ZUnreached, type TFocusElement, type TFocusStop } from "./focus-probe.ts";
import { CannotRunError, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";

/** Enough of the focus order for a person to follow it in the log. */
const LOGGED_STOPS = 30;
const UNDERSTANDING = "https://www.w3.org/WAI/WCAG21/Understanding";

type ElementStop = Extract<TFocusStop, { kind: "element" }>;

/**
 * Walks every page with the Tab key at the desktop size, as a keyboard user would. High: focus
 * that does not show (WCAG 2.4.7) and interactive elements Tab never reaches (2.1.1); medium: a
 * positive tabindex that takes focus out of reading order (2.4.3).
 */
export async function checkKeyboard(config: TAccessibilityConfig, maxTabs: number, session: BrowserSession, sub: SubCheckContext): Promise<SubCheckOutcome> {
  const browser = await session.browser();
  const context = await newViewportContext(browser, config.viewports.find((v) => !v.isMobile) ?? DESKTOP_VIEWPORT);
  const findings: CheckFinding[] = [];
  try {
    for (const [i, target] of config.pages.entries()) {
      const page = await openPage(context, target, config.pageTimeoutMs, sub.signal);
      try {
        findings.push(...(await walkPage(page, target, maxTabs, sub)));
      } finally {
        await page.close().catch(() => {});
      }
      await sub.progress((i + 1) / config.pages.length);
    }
  } catch (e) {
    throw CannotRunError.after(e, findings);
  } finally {
    await context.close().catch(() => {});
  }
  return { findings, checked: `keyboard focus order on ${config.pages.length} page(s)` };
}

async function walkPage(page: Page, target: TAuditedPage, maxTabs: number, sub: SubCheckContext): Promise<CheckFinding[]> {
  const name = pageName(target);
  await page.evaluate(FOCUS_PROBE);
  const interactive = z.number().parse(await page.evaluate("globalThis.__flightdeckFocus.start()"));
  const stops = await tabThrough(page, maxTabs);
  const unreached = ZUnreached.parse(await page.evaluate(`globalThis.__flightdeckFocus.unreached(${JSON.stringify(stops.map((s) => s.candidate))})`));
  await sub.log(focusOrderLog(name, stops, interactive, maxTabs));
  return [...stops.filter((s) => !s.visibleFocus).map((s) => focusNotVisible(s, name)), ...unreached.map((e) => notReachable(e, name)), ...reordered(stops, name)];
}

/**
 * Presses Tab until focus comes back to an element it already visited (normally the first, after
 * passing through the browser's own controls, which the page sees as body), reaches body twice,
 * or `maxTabs` presses are spent.
 */
async function tabThrough(page: Page, maxTabs: number): Promise<ElementStop[]> {
  const stops: ElementStop[] = [];
  let bodies = 0;
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press("Tab");
    const stop = ZFocusStop.parse(await page.evaluate("globalThis.__flightdeckFocus.stop()"));
    if (stop.kind === "body") {
      bodies += 1;
      if (bodies === 2) break;
      continue;
    }
    // Inside an iframe the top document keeps the iframe focused while Tab moves within it.
    if (stop.iframe && stops.at(-1)?.id === stop.id) continue;
    if (stops.some((s) => s.id === stop.id)) break;
    stops.push(stop);
  }
  return stops;
}

function label(e: TFocusElement): string {
  return e.name === "" ? e.tag : `${e.tag} "${e.name}"`;
}

function focusOrderLog(name: string, stops: ElementStop[], interactive: number, maxTabs: number): string {
  const lines = stops.slice(0, LOGGED_STOPS).map((s, i) => `  ${i + 1}. ${label(s)} (${s.selector})${s.visibleFocus ? "" : " — focus not visible"}`);
  const more = stops.length > LOGGED_STOPS ? [`  … ${stops.length - LOGGED_STOPS} more`] : [];
  const spent = stops.length >= maxTabs ? ` (stopped after ${maxTabs} Tab presses)` : "";
  return [`keyboard on ${name}: ${stops.length} focus stop(s), ${interactive} visible interactive element(s)${spent}`, ...lines, ...more].join("\n");
}

function focusNotVisible(stop: ElementStop, page: string): CheckFinding {
  return {
    severity: "high",
    message: `focus not visible: ${label(stop)} (${page})`,
    evidence: `${stop.selector} looks the same focused and unfocused (${stop.focusedStyle}); WCAG 2.4.7 Focus Visible`,
    link: `${UNDERSTANDING}/focus-visible.html`,
  };
}

function notReachable(element: TFocusElement, page: string): CheckFinding {
  return {
    severity: "high",
    message: `not reachable by keyboard: ${label(element)} (${page})`,
    evidence: `${element.selector} (tabindex ${element.tabIndex}) is visible and enabled but no Tab press reached it; WCAG 2.1.1 Keyboard`,
    link: `${UNDERSTANDING}/keyboard.html`,
  };
}

/** A positive tabindex is only a finding when focus really leaves document order because of it. */
function reordered(stops: ElementStop[], page: string): CheckFinding[] {
  const order = stops.map((s) => s.candidate).filter((c) => c >= 0);
  const inDocumentOrder = order.every((c, i) => i === 0 || (order[i - 1] ?? -1) < c);
  if (inDocumentOrder) return [];
  return stops
    .filter((s) => s.tabIndex > 0)
    .map((s) => ({
      severity: "medium",
      message: `positive tabindex reorders focus: ${label(s)} (${page})`,
      evidence: `${s.selector} has tabindex ${s.tabIndex} and is focus stop ${stops.indexOf(s) + 1}, out of reading order; WCAG 2.4.3 Focus Order`,
      link: `${UNDERSTANDING}/focus-order.html`,
    }));
}
