import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessibilityRunner, createAccessibilityRunner } from "./accessibility-runner.ts";
import { accessibilityContext, startPageServer } from "./pages.fixture.ts";
import { judgedRun } from "../judged.fixture.ts";

// Real headless Chromium (the system's) against a real HTTP server on 127.0.0.1 serving the
// pages in ./fixtures: one accessible checkout page, one with typical defects, one that answers
// 500 and one that takes 10 s to answer.
let server: Awaited<ReturnType<typeof startPageServer>>;

beforeAll(async () => {
  server = await startPageServer({
    "/clean": { file: "clean.html" },
    "/defective": { file: "defective.html" },
    "/broken": { status: 500, file: "clean.html" },
    "/slow": { file: "clean.html", delayMs: 10_000 },
  });
});
afterAll(async () => {
  await server.close();
});

/** Chromium processes this test process started that are still running (not yet exited). */
function runningChromiums(): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      const stat = (() => {
        try {
          return readFileSync(`/proc/${pid}/stat`, "utf8");
        } catch {
          return ""; // exited while we looked
        }
      })();
      const close = stat.lastIndexOf(")");
      const [state, ppid] = stat.slice(close + 2).split(" ");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      return /chrom/i.test(comm) && Number(ppid) === process.pid && state !== "Z" ? [Number(pid)] : [];
    });
}

const findingFor = (findings: { message: string }[], prefix: string) => findings.filter((f) => f.message.startsWith(prefix));

describe("configuration", () => {
  it("no configuration is not_configured", async () => {
    expect((await judgedRun(accessibilityRunner, accessibilityContext(undefined))).status).toBe("not_configured");
  });

  it("an invalid configuration is an error with zod's message", async () => {
    const result = await judgedRun(accessibilityRunner, accessibilityContext({ pages: [{ url: "checkout page" }] }));
    expect(result.status).toBe("error");
    expect(result.summary).toContain("Invalid accessibility-expert configuration");
    expect(result.summary).toContain("must be an http(s) URL");
  });

  it("a Chromium that is not there makes both sub-checks error with the install hint", async () => {
    const runner = createAccessibilityRunner({ chromiumPath: "/opt/no-such/chromium" });
    const result = await judgedRun(runner, accessibilityContext({ pages: [{ url: server.url("/clean") }] }));
    expect(result.status).toBe("error");
    expect(result.summary).toContain("WCAG rules (axe-core): No Chromium at /opt/no-such/chromium: install Debian's chromium package (apt-get install chromium)");
    expect(result.summary).toContain("keyboard focus order: No Chromium at");
  });
});

describe("an accessible page", () => {
  it("passes at both viewports with a readable focus order", async () => {
    const ctx = accessibilityContext({ pages: [{ url: server.url("/clean"), name: "Delivery address" }] });
    const result = await judgedRun(accessibilityRunner, ctx);
    expect(result.findings).toEqual([]);
    expect(result.status).toBe("passed");
    expect(result.summary).toContain("on 1 page(s) × 2 viewport(s)");
    expect(ctx.logs.some((l) => /axe on Delivery address, desktop \(1280×800\): 0 rule\(s\) violated/.test(l))).toBe(true);
    expect(ctx.logs.some((l) => /axe on Delivery address, mobile \(390×844\): 0 rule\(s\) violated/.test(l))).toBe(true);
    const order = ctx.logs.find((l) => l.startsWith("keyboard on Delivery address"));
    expect(order).toMatch(/1\. a "Skip to content"/);
    expect(order).toMatch(/button "Continue to payment"/);
    expect(ctx.progressSeen.at(-1)).toBe(100);
  });
});

describe("a page with defects", () => {
  it("fails with axe's rules per viewport and the keyboard findings naming the element", async () => {
    const result = await judgedRun(accessibilityRunner, accessibilityContext({ pages: [{ url: `${server.url("/defective")}?token=s3cret`, name: "Payment" }] }));
    expect(result.status).toBe("failed");
    for (const viewport of ["desktop", "mobile"]) {
      for (const rule of ["image-alt", "label", "color-contrast"]) {
        const [finding, ...others] = result.findings.filter((f) => f.message.startsWith(`${rule}:`) && f.message.endsWith(`(Payment, ${viewport})`));
        expect(others).toEqual([]);
        expect(finding?.severity).toMatch(/critical|high/);
        expect(finding?.link).toMatch(new RegExp(`^https://dequeuniversity\\.com/rules/axe/[\\d.]+/${rule}\\b`));
      }
    }
    const contrast = result.findings.find((f) => f.message.startsWith("color-contrast:"));
    expect(contrast?.evidence).toMatch(/^1 element\(s\): p; .*insufficient color contrast of 1\.67/);

    expect(findingFor(result.findings, "focus not visible")).toEqual([
      expect.objectContaining({ severity: "high", message: 'focus not visible: button "Pay now" (Payment)', evidence: expect.stringMatching(/^#pay looks the same focused and unfocused \(outline: none; .*2\.4\.7/) }),
    ]);
    expect(findingFor(result.findings, "not reachable by keyboard")).toEqual([
      expect.objectContaining({ severity: "high", message: 'not reachable by keyboard: button "Discard order" (Payment)', evidence: expect.stringMatching(/^#discard \(tabindex -1\).*2\.1\.1/) }),
    ]);
    expect(findingFor(result.findings, "positive tabindex")).toEqual([
      expect.objectContaining({ severity: "medium", message: 'positive tabindex reorders focus: a "Help" (Payment)', evidence: expect.stringContaining("tabindex 3 and is focus stop 1") }),
    ]);
    expect(JSON.stringify(result)).not.toContain("s3cret");
  });

  it("keyboard: false leaves the walk out, said as much, and the axe findings still count", async () => {
    const result = await judgedRun(accessibilityRunner, accessibilityContext({ pages: [{ url: server.url("/defective") }], viewports: [{ name: "desktop", width: 1280, height: 800 }], keyboard: false }));
    expect(result.status).toBe("failed");
    expect(result.findings).toContainEqual(expect.objectContaining({ severity: "info", message: "keyboard focus order not checked: not configured" }));
    expect(result.findings.some((f) => f.message === `image-alt: Images must have alternative text (${server.url("/defective")}, desktop)`)).toBe(true);
  });
});

describe("pages that cannot be audited", () => {
  it("a page answering 500 makes the run an error naming the page, never a pass", async () => {
    const result = await judgedRun(accessibilityRunner, accessibilityContext({ pages: [{ url: server.url("/clean"), name: "Delivery address" }, { url: server.url("/broken"), name: "Order summary" }] }));
    expect(result.status).toBe("error");
    expect(result.summary).toContain(`WCAG rules (axe-core): page "Order summary" (${server.url("/broken")}) answered HTTP 500`);
    expect(result.summary).toContain(`keyboard focus order: page "Order summary" (${server.url("/broken")}) answered HTTP 500`);
  });

  it("what the pages before a broken one showed is kept: their blocking findings fail the run, and the broken page is named", async () => {
    const result = await judgedRun(accessibilityRunner, accessibilityContext({ pages: [{ url: server.url("/defective"), name: "Checkout" }, { url: server.url("/broken"), name: "Order summary" }], keyboard: false }));
    expect(result.status).toBe("failed");
    expect(result.findings.some((f) => f.message.startsWith("image-alt:") && f.message.includes("(Checkout, desktop)"))).toBe(true);
    expect(result.summary).toContain(`could not run: WCAG rules (axe-core): page "Order summary" (${server.url("/broken")}) answered HTTP 500`);
  });

  it("a page slower than pageTimeoutMs is an error saying so", async () => {
    const result = await judgedRun(accessibilityRunner, accessibilityContext({ pages: [{ url: server.url("/slow"), name: "Slow" }], pageTimeoutMs: 500, keyboard: false }));
    expect(result.status).toBe("error");
    expect(result.summary).toContain('page "Slow"');
    expect(result.summary).toContain("did not load within 500 ms");
  });

  it("cancelling during a slow page returns at once and closes the browser", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const running = judgedRun(accessibilityRunner, accessibilityContext({ pages: [{ url: server.url("/slow") }] }, { signal: controller.signal }));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(runningChromiums()).toHaveLength(1);
    controller.abort(new Error("release rolled back"));
    const result = await running;
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(result.status).toBe("error");
    expect(result.summary).toMatch(/^Could not run: remaining checks: cancelled before the checks finished: release rolled back/);
    expect(runningChromiums()).toEqual([]);
  });
});
