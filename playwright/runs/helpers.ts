import type { Page } from "@playwright/test";
import { expect } from "../fixtures/test";

/** Fills and submits the new-run form; returns the new run's URL path. */
export async function createRunViaForm(
  page: Page,
  opts: { environment: "staging" | "production"; targetVersion: string; strategy?: string; risk?: string; compliance?: string },
): Promise<string> {
  await page.goto("/runs/new");
  await page.getByLabel("Service").selectOption({ label: "Checkout (checkout)" });
  await page.getByRole("radio", { name: opts.environment }).check();
  await page.getByLabel("Target version").fill(opts.targetVersion);
  await page.getByLabel("Strategy").selectOption(opts.strategy ?? "canary");
  await page.getByLabel("Risk").selectOption(opts.risk ?? "medium");
  await page.getByLabel("Compliance").selectOption(opts.compliance ?? "none");
  await page.getByRole("button", { name: /start run/i }).click();
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: /^Run #\d+/ })).toBeVisible();
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
