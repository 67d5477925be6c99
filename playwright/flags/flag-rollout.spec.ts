import type { Page } from "@playwright/test";
import { expect, expectAccessible, signIn, test, USERS } from "../fixtures/test";
import { clearActiveRuns, runStatus, STOREFRONT } from "../runs/helpers";

// Issue 15, feature-flag rollouts on the demo fleet: the storefront's processes read new-checkout
// with the OpenFeature server SDK over Flightdeck's OFREP endpoint and report each request with
// the variant its user got, so a flag run's analysis compares users on `on` with users on `off`.

/** What an OpenFeature client of storefront staging gets for one user, over OFREP. */
async function served(page: Page, user: string): Promise<{ variant: string; reason: string }> {
  const res = await page.request.post("/api/flags/storefront/staging/ofrep/v1/evaluate/flags/new-checkout", { data: { context: { targetingKey: user } } });
  return (await res.json()) as { variant: string; reason: string };
}

/** Settings → Feature flags → storefront staging, opened; returns the new-checkout row. */
async function flagRow(page: Page) {
  await page.goto("/settings");
  await page.getByText("Flags of Storefront (demo fleet) · staging").click();
  const row = page.getByTestId("flag-new-checkout");
  await expect(row).toBeVisible({ timeout: 15_000 });
  return row;
}

/** The run's decisions as the page lists them, for a failure to say why a step did not move. */
async function decisionsSoFar(page: Page): Promise<string> {
  return (await page.locator("#decisions").innerText({ timeout: 2_000 }).catch(() => "(not shown)")).replace(/\s+/g, " ").slice(0, 2_000);
}

/** New run → a feature flag → new-checkout → on, staging, low risk; lands on the run page. */
async function startFlagRun(page: Page): Promise<void> {
  await clearActiveRuns(page, STOREFRONT.slug, "staging");
  await page.goto("/runs/new");
  await page.getByLabel("Service").selectOption({ label: STOREFRONT.label });
  await page.getByRole("radio", { name: "staging" }).check();
  await page.getByRole("radio", { name: "A feature flag" }).check();
  await page.getByLabel("Flag", { exact: true }).selectOption("new-checkout");
  await page.getByLabel("New variant").selectOption("on");
  await page.getByLabel("Strategy").selectOption("canary");
  await page.getByLabel("Risk").selectOption("low");
  await page.getByLabel("Compliance").selectOption("none");
  await page.getByRole("button", { name: /start run/i }).click();
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: /^Run #\d+/ })).toBeVisible({ timeout: 30_000 });
}

/**
 * Through the approval gate by itself: a flag run's checks examine the build in service (2.3.0,
 * which serves both variants and passes them), and low risk in staging needs no approver.
 */
async function throughGate(page: Page): Promise<void> {
  await expect(page.locator("#rollout li[aria-current=step]")).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole("button", { name: "Waive blockers", exact: true })).toHaveCount(0);
}

test.describe("a feature flag rolled out to the storefront's users", () => {
  test("new-checkout goes 5% → 50% → 100% and becomes the default; a fault only `on` users see rolls the next run back to off", async ({ page, browser }) => {
    // Two runs, each through the agents' gate: measured 140 s on a machine at load 13 (other
    // suites running), and the 50% step may wait 90 s for its evidence there; alone it takes
    // well under two minutes.
    test.setTimeout(240_000);
    await signIn(page, USERS.admin);

    // The demo's flag, as admins see it in Settings.
    const row = await flagRow(page);
    await expect(row).toContainText("off = false, on = true");
    await expect(row.getByTestId("flag-default")).toHaveText("off");
    await expectAccessible(page);

    // First run: rolled out step by step on the analysis' evidence from variant-tagged requests.
    await startFlagRun(page);
    const headline = page.getByTestId("run-flag");
    await expect(headline).toHaveText(/^Flag new-checkout: off → on/);
    await throughGate(page);
    await expect(headline).toHaveText("Flag new-checkout: off → on, 5% of users", { timeout: 30_000 });
    expect((await served(page, "user-1")).reason).toBe("SPLIT");
    // 5% of the demo's 100 req/s is too few requests for the analysis to call the step healthy
    // within this test (it asks for several hundred): a release manager promotes it by hand, with
    // a reason. At 50% the evidence comes within seconds and the analysis promotes by itself.
    await expect(page.getByText(/needs \d+ more canary requests/).first()).toBeVisible({ timeout: 30_000 });
    await page.getByRole("button", { name: "Promote", exact: true }).first().click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Reason for promoting early").fill("Too little traffic at 5% to wait for; 50% judges it");
    await dialog.getByRole("button", { name: "Confirm promotion" }).click();
    await expect(dialog).toBeHidden();
    await expect(headline).toHaveText("Flag new-checkout: off → on, 50% of users", { timeout: 30_000 });
    // The analysis promotes 50% once the users on `on` have shown health: seconds on a quiet
    // machine, over 30 s once in CI with the machine busy. A hold for a human instead would be a
    // finding: the failure then lists the decisions, which say which.
    await expect(headline)
      .toHaveText("Flag new-checkout: off → on, 100% of users", { timeout: 90_000 })
      .catch(async (e: unknown) => {
        throw new Error(`${e instanceof Error ? e.message : String(e)}\nDecisions: ${await decisionsSoFar(page)}`);
      });
    await expect(runStatus(page)).toHaveText(/succeeded|released/i, { timeout: 30_000 });
    const steps = page.locator("#rollout li");
    await expect(steps).toHaveCount(3);
    for (const [i, percent] of [5, 50, 100].entries()) {
      await expect(steps.nth(i)).toContainText(`on for ${percent}% of users`);
      await expect(steps.nth(i)).toContainText("done");
    }
    // Released: `on` is the flag's default for everyone.
    expect(await served(page, "user-1")).toMatchObject({ variant: "on", reason: "STATIC" });
    await expect((await flagRow(page)).getByTestId("flag-default")).toHaveText("on");

    // An admin turns the default back to off in Settings, for the second rollout.
    await page.getByRole("button", { name: "Edit new-checkout" }).click();
    await page.getByRole("form", { name: /Edit flag new-checkout/ }).getByLabel("Default variant").selectOption("off");
    await page.getByRole("button", { name: "Save new-checkout" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Saved new-checkout: default off." })).toBeVisible();
    await expect(page.getByTestId("flag-new-checkout").getByTestId("flag-default")).toHaveText("off");

    // Second run: the new checkout fails for half its users' requests, and only for them.
    await startFlagRun(page);
    await throughGate(page);
    await expect(page.getByTestId("run-flag")).toHaveText("Flag new-checkout: off → on, 5% of users", { timeout: 30_000 });
    const panel = page.locator("#fault-injection");
    await expect(panel.getByLabel("Users affected")).toHaveValue("on");
    await panel.getByLabel("Error rate (%)").fill("50");
    await panel.getByRole("button", { name: "Inject fault" }).click();
    await expect(panel.getByText(/Fault injected into users served on: 50% errors/)).toBeVisible();

    await expect(runStatus(page)).toHaveText(/rolled back/, { timeout: 45_000 });
    await expect(page.getByRole("heading", { name: "Why it rolled back" })).toBeVisible();
    await expect(page.getByText(/Users on new-checkout=on against off: Canary errors \d+(\.\d+)?% \(\d+ of \d+\)/).first()).toBeVisible();
    await expectAccessible(page);
    // A stakeholder's read-only link names the flag and its variants, and the share of users.
    const number = /Run #(\d+)/.exec((await page.getByRole("heading", { level: 1 }).textContent()) ?? "")?.[1];
    await page.getByRole("button", { name: `Share read-only link to run #${number}` }).click();
    const share = page.getByRole("dialog");
    await share.getByRole("button", { name: "Create link" }).click();
    const url = await share.getByLabel("Read-only link").inputValue();
    await share.getByRole("button", { name: "Done" }).click();
    const stakeholder = await (await browser.newContext()).newPage();
    await stakeholder.goto(url);
    await expect(stakeholder.getByRole("heading", { level: 1 })).toHaveText(`Run #${number}: Storefront (demo fleet) Flag new-checkout: off → on`);
    await expect(stakeholder.getByText("on for 0% of users")).toBeVisible();
    await stakeholder.context().close();
    // Everyone is back on off, at once.
    expect((await served(page, "user-1")).variant).toBe("off");
    await expect((await flagRow(page)).getByTestId("flag-default")).toHaveText("off");
  });
});
