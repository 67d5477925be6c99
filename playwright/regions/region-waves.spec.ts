import type { Page } from "@playwright/test";
import { expect, expectAccessible, pageAs, signIn, test, USERS } from "../fixtures/test";
import { createRunViaForm, runStatus, STOREFRONT, withReason } from "../runs/helpers";

// Issue 15: the demo's storefront production goes eu-west (wave 1) then ap-southeast (wave 2),
// each region on its own built-in router in front of its own processes. Holds are scaled by the
// e2e server's FLIGHTDECK_HOLD_SCALE (0.001), so each wave takes seconds.

/** A release manager creates storefront production `version`; a second one waives and approves. */
async function startApproved(page: Page, approverPage: Page, version: string): Promise<string> {
  const path = await createRunViaForm(page, { environment: "production", targetVersion: version, service: STOREFRONT });
  await approverPage.goto(path);
  // The gate opens once the checks have run: then it offers a waiver (blockers) or the approval.
  const waive = approverPage.getByRole("button", { name: "Waive blockers", exact: true });
  const approve = approverPage.getByRole("button", { name: "Approve", exact: true });
  await expect(waive.or(approve).first()).toBeVisible({ timeout: 120_000 });
  if (await waive.isVisible()) await withReason(approverPage, "Waive blockers", "Reason for waiver", "Confirm waiver", "Region waves rehearsal");
  await approve.click({ timeout: 30_000 });
  return path;
}

const regionRow = (page: Page, name: string) => page.getByTestId(`region-${name}`);

/**
 * Waits until `done`; meanwhile a step the analysis cannot judge yet is promoted by hand, with a
 * reason, as a release manager would. Each demo region gets half the demo's traffic: at 5% the
 * analysis asks for thousands more canary requests than a test can wait for.
 */
async function promoteWhenAsked(page: Page, done: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await done())) {
    expect(Date.now(), "the region's rollout did not get there in time").toBeLessThan(end);
    const promote = page.getByRole("button", { name: "Promote", exact: true }).first();
    const verdict = (await page.getByTestId("run-verdict").textContent()) ?? "";
    if (/insufficient/i.test(verdict) && (await promote.isVisible())) {
      // Bounded: the step may move on by itself meanwhile, and its Promote button go with it (a
      // click left waiting for it once waited out the whole test while the run went on).
      if (await promote.click({ timeout: 5_000 }).then(() => true, () => false)) {
        const dialog = page.getByRole("dialog");
        await dialog.getByLabel("Reason for promoting early").fill("Too little demo traffic at this weight to wait for the evidence", { timeout: 5_000 });
        await dialog.getByRole("button", { name: "Confirm promotion" }).click({ timeout: 5_000 });
        await expect(dialog).toBeHidden();
      }
    }
    await page.waitForTimeout(1_000);
  }
}

const hasText = (page: Page, region: string, text: string) => async () => ((await regionRow(page, region).textContent()) ?? "").includes(text);
const inState = (page: Page, region: string, state: RegExp) => async () => state.test((await regionRow(page, region).getAttribute("data-state")) ?? "");

test.describe("region-by-region rollout of the demo's production", () => {
  // One run, so that the service's version in production (the next runs' baseline, which the other
  // specs build on) is left as it was: a release rolled back in its second region is not released.
  test("2.3.1 goes eu-west 5% → 50% → 100% and is released there, then ap-southeast, whose fault rolls it back there alone", async ({ page, browser }) => {
    test.setTimeout(300_000);
    await signIn(page, USERS.manager);
    const approver = await pageAs(browser, USERS.approver);

    const path = await startApproved(page, approver, "2.3.1");
    const panel = page.getByRole("region", { name: /regions/i });
    await expect(panel).toBeVisible();
    // Wave 1: eu-west alone, step by step, while ap-southeast waits its turn.
    await expect(regionRow(page, "eu-west")).toHaveAttribute("data-state", "active", { timeout: 30_000 });
    await expect(regionRow(page, "ap-southeast")).toHaveAttribute("data-state", "pending");
    await expect(regionRow(page, "eu-west")).toContainText("5% / 95%", { timeout: 60_000 });
    await promoteWhenAsked(page, hasText(page, "eu-west", "50% / 50%"));
    await promoteWhenAsked(page, inState(page, "eu-west", /released/));
    await expect(regionRow(page, "eu-west")).toContainText("Released");
    // Wave 2: ap-southeast starts once eu-west is healthy; then its canary (and only its) fails.
    await expect(regionRow(page, "ap-southeast")).toHaveAttribute("data-state", "active", { timeout: 60_000 });
    await expectAccessible(page);
    const faults = page.getByRole("region", { name: /Fault injection/ }).or(page.locator("#fault-injection"));
    await faults.getByLabel("Region").selectOption("ap-southeast");
    await faults.getByLabel("Error rate (%)").fill("60");
    await faults.getByRole("button", { name: "Inject fault" }).click();
    await expect(faults.getByRole("status").or(faults.getByRole("alert"))).toContainText("in ap-southeast");

    // ap-southeast is rolled back with its evidence; eu-west keeps the release (the demo's policy).
    await expect(regionRow(page, "ap-southeast")).toHaveAttribute("data-state", /failed|rolledBack/, { timeout: 90_000 });
    await expect(regionRow(page, "ap-southeast")).toContainText(/canary errors .*→ roll back/i);
    await expect(regionRow(page, "eu-west")).toHaveAttribute("data-state", "released");
    await expect(runStatus(page)).toHaveText(/rolled back|failed/, { timeout: 60_000 });
    await expectAccessible(page);

    // The release record has a section per region.
    await page.goto(`${path}/record`);
    await expect(page.getByRole("heading", { name: /eu-west/ })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole("heading", { name: /ap-southeast/ })).toBeVisible();
    await expectAccessible(page);
  });
});
