import { AxeBuilder } from "@axe-core/playwright";
import type { BrowserContext } from "playwright-core";
import type { Severity } from "../../../core/types.ts";
import type { CheckFinding } from "../../../engine/ports.ts";
import { CannotRunError, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";
import { excerpt } from "../../report-text.ts";
import { newViewportContext, openPage, pageName, type BrowserSession } from "./browser-session.ts";
import type { TAccessibilityConfig, TAuditedPage, TViewport } from "./config.ts";

/** Enough elements to find the pattern; the help URL explains the rest. */
const SHOWN_TARGETS = 5;

type Violation = Awaited<ReturnType<AxeBuilder["analyze"]>>["violations"][number];
type Impact = NonNullable<Violation["impact"]>;

/** axe's impact as the release's severity: serious and critical block a release (WCAG A/AA failures users hit). */
const SEVERITY_OF_IMPACT: Record<Impact, Severity> = { critical: "critical", serious: "high", moderate: "medium", minor: "low" };

/**
 * axe-core on every page at every viewport. The same rule failing at both sizes is two findings,
 * each naming its viewport: a layout can break on mobile only, and the fix is often per viewport.
 */
export async function checkAxe(config: TAccessibilityConfig, session: BrowserSession, sub: SubCheckContext): Promise<SubCheckOutcome> {
  const browser = await session.browser();
  const findings: CheckFinding[] = [];
  const total = config.pages.length * config.viewports.length;
  let done = 0;
  for (const viewport of config.viewports) {
    const context = await newViewportContext(browser, viewport);
    try {
      for (const target of config.pages) {
        findings.push(...(await auditPage(context, target, viewport, config, sub)));
        done += 1;
        await sub.progress(done / total);
      }
    } catch (e) {
      // A page that does not load stops the audit; what the pages before it showed is still reported.
      throw CannotRunError.after(e, findings);
    } finally {
      await context.close().catch(() => {});
    }
  }
  return { findings, checked: `axe ${config.tags.join(", ")} on ${config.pages.length} page(s) × ${config.viewports.length} viewport(s)` };
}

async function auditPage(context: BrowserContext, target: TAuditedPage, viewport: TViewport, config: TAccessibilityConfig, sub: SubCheckContext): Promise<CheckFinding[]> {
  const page = await openPage(context, target, config.pageTimeoutMs, sub.signal);
  try {
    const results = await new AxeBuilder({ page }).withTags(config.tags).analyze();
    const where = `${pageName(target)}, ${viewport.name}`;
    await sub.log(`axe on ${where} (${viewport.width}×${viewport.height}): ${results.violations.length} rule(s) violated, ${results.passes.length} passed, ${results.incomplete.length} to review by hand`);
    return results.violations.map((v) => violationFinding(v, where));
  } finally {
    await page.close().catch(() => {});
  }
}

function violationFinding(violation: Violation, where: string): CheckFinding {
  const targets = violation.nodes.map((n) => n.target.map((t) => (Array.isArray(t) ? t.join(" >>> ") : t)).join(" → "));
  const shown = targets.slice(0, SHOWN_TARGETS).join(", ");
  const more = targets.length > SHOWN_TARGETS ? ` (+${targets.length - SHOWN_TARGETS} more)` : "";
  const summary = violation.nodes[0]?.failureSummary;
  return {
    severity: SEVERITY_OF_IMPACT[violation.impact ?? "moderate"],
    message: `${violation.id}: ${violation.help} (${where})`,
    evidence: `${targets.length} element(s): ${shown}${more}${summary ? `; ${excerpt(summary, 300)}` : ""}`,
    link: violation.helpUrl,
  };
}
