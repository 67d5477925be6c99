import type { Page } from "@playwright/test";
import type { RunListItem } from "../../server/services/runs.ts";
import { expect } from "../fixtures/test";

/** The demo's services as the new-run form lists them. */
export const CHECKOUT = { slug: "checkout", label: "Checkout (checkout)" };
export const STOREFRONT = { slug: "storefront", label: "Storefront (demo fleet) (storefront)" };

type RunForm = {
  environment: "staging" | "production";
  targetVersion: string;
  strategy?: string;
  risk?: string;
  compliance?: string;
  /** Default: checkout. */
  service?: typeof CHECKOUT;
};

/**
 * Ends whatever run is still in progress on a service and environment (one release at a time
 * per environment), the way an operator would: abort before traffic moved, else roll back.
 */
export async function clearActiveRuns(page: Page, service: string, environment: string): Promise<void> {
  const runs = (await (await page.request.get(`/api/runs?service=${service}&environment=${environment}&status=active`)).json()) as RunListItem[];
  for (const run of runs) {
    const post = (data: object) => page.request.post(`/api/v1/runs/${run.id}/commands`, { data });
    const aborted = await post({ kind: "abort", reason: "clearing the way for a test run" });
    if (!aborted.ok()) {
      await post({ kind: "rollback", reason: "clearing the way for a test run" });
      await post({ kind: "confirmWeight", percent: 0 }); // manual router: the operator confirms 0%
    }
    await expect
      .poll(async () => ((await (await page.request.get(`/api/runs/${run.id}`)).json()) as { state: { status: string } }).state.status, { timeout: 15_000 })
      .toMatch(/aborted|rolled_back|failed/);
  }
}

/** Fills and submits the new-run form, and leaves the page where the server sends it. */
export async function submitRunForm(page: Page, opts: RunForm): Promise<void> {
  await page.goto("/runs/new");
  await page.getByLabel("Service").selectOption({ label: (opts.service ?? CHECKOUT).label });
  await page.getByRole("radio", { name: opts.environment }).check();
  await page.getByLabel("Target version").fill(opts.targetVersion);
  await page.getByLabel("Strategy").selectOption(opts.strategy ?? "canary");
  await page.getByLabel("Risk").selectOption(opts.risk ?? "medium");
  await page.getByLabel("Compliance").selectOption(opts.compliance ?? "none");
  await page.getByRole("button", { name: /start run/i }).click();
}

/** Ends the service's run in progress there, then starts a run through the form; returns the new run's URL path. */
export async function createRunViaForm(page: Page, opts: RunForm): Promise<string> {
  await clearActiveRuns(page, (opts.service ?? CHECKOUT).slug, opts.environment);
  await submitRunForm(page, opts);
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  // The run's first read comes while its six agents start on the same server: on a loaded CI machine
  // that has taken more than the default 10 s.
  await expect(page.getByRole("heading", { level: 1, name: /^Run #\d+/ })).toBeVisible({ timeout: 30_000 });
  return new URL(page.url()).pathname;
}

/** Opens a dialog by its button, fills the reason, confirms. */
export async function withReason(page: Page, open: string, label: string, confirm: string, reason: string): Promise<void> {
  await page.getByRole("button", { name: open, exact: true }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel(label).fill(reason);
  await dialog.getByRole("button", { name: confirm }).click();
  await expect(dialog).toBeHidden();
}

/** The run's status badge in the page header. */
export function runStatus(page: Page) {
  return page.getByTestId("run-status");
}
