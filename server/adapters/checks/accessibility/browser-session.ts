import { existsSync } from "node:fs";
import { chromium, errors, type Browser, type BrowserContext, type Page } from "playwright-core";
import { CannotRunError } from "../check-io.ts";
import { excerpt, redactUrl } from "../../report-text.ts";
import type { TAuditedPage, TViewport } from "./config.ts";

/** Where Debian and Ubuntu put their Chromium. */
const CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
const INSTALL_HINT = "install Debian's chromium package (apt-get install chromium)";
/** Chromium starts in about a second; a minute means it never will. */
const LAUNCH_TIMEOUT_MS = 60_000;

/** The system's Chromium, or null when none is installed. */
export function findChromium(): string | null {
  return CHROMIUM_PATHS.find((p) => existsSync(p)) ?? null;
}

/** One headless Chromium for one agent run, started on first use. */
export type BrowserSession = {
  browser: () => Promise<Browser>;
  /** closes the browser if it was started; safe to call more than once */
  close: () => Promise<void>;
};

/**
 * Starts Chromium when a sub-check first asks for it, and closes it when the run is aborted — a
 * cancelled release must not leave a browser behind, and closing it is also what makes a pending
 * page load give up at once.
 */
export function browserSession(chromiumPath: string | null, signal: AbortSignal): BrowserSession {
  let launching: Promise<Browser> | null = null;
  let closing: Promise<void> | null = null;
  // Memoized so the caller's close waits for the one the abort started, not a no-op second call.
  const close = () => {
    closing ??= (async () => {
      const browser = await launching?.catch(() => null);
      await browser?.close().catch(() => {});
    })();
    return closing;
  };
  signal.addEventListener("abort", () => void close(), { once: true });
  return {
    browser: () => {
      launching ??= launch(chromiumPath, signal);
      return launching;
    },
    close,
  };
}

async function launch(chromiumPath: string | null, signal: AbortSignal): Promise<Browser> {
  if (chromiumPath === null) throw new CannotRunError(`No Chromium found: ${INSTALL_HINT}`);
  if (!existsSync(chromiumPath)) throw new CannotRunError(`No Chromium at ${chromiumPath}: ${INSTALL_HINT}, or fix the configured path`);
  signal.throwIfAborted();
  try {
    return await chromium.launch({ executablePath: chromiumPath, headless: true, timeout: LAUNCH_TIMEOUT_MS });
  } catch (e) {
    throw new CannotRunError(`Chromium at ${chromiumPath} did not start: ${excerpt(e instanceof Error ? e.message : String(e))}`);
  }
}

/** A browser context with a viewport's size and device traits. */
export function newViewportContext(browser: Browser, viewport: TViewport): Promise<BrowserContext> {
  const { width, height, isMobile, hasTouch, deviceScaleFactor } = viewport;
  return browser.newContext({ viewport: { width, height }, isMobile, hasTouch, deviceScaleFactor });
}

/** How findings name a page: its configured name, or its URL without the query (which may carry a token). */
export function pageName(page: TAuditedPage): string {
  return page.name ?? redactUrl(page.url);
}

/**
 * Loads a page until its `load` event. A page that answers HTTP ≥ 400, times out or cannot be
 * reached cannot be audited: that is CannotRunError, never a pass for a page nobody saw.
 */
export async function openPage(context: BrowserContext, target: TAuditedPage, timeoutMs: number, signal: AbortSignal): Promise<Page> {
  const page = await context.newPage();
  const what = `page "${pageName(target)}" (${redactUrl(target.url)})`;
  try {
    const response = await page.goto(target.url, { timeout: timeoutMs, waitUntil: "load" });
    if (response !== null && response.status() >= 400) throw new CannotRunError(`${what} answered HTTP ${response.status()}`);
    return page;
  } catch (e) {
    await page.close().catch(() => {});
    if (signal.aborted || e instanceof CannotRunError) throw e;
    if (e instanceof errors.TimeoutError) throw new CannotRunError(`${what} did not load within ${timeoutMs} ms`);
    // Playwright's message quotes the full URL; Chromium's net::ERR_… code is what an operator needs.
    const code = e instanceof Error ? /net::ERR_[A-Z_]+/.exec(e.message)?.[0] : undefined;
    throw new CannotRunError(`${what} could not be loaded: ${code ?? "navigation failed"}`);
  }
}
