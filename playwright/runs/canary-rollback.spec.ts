import { expect, expectAccessible, signIn, test, USERS } from "../fixtures/test";
import { createRunViaForm, runStatus, STOREFRONT, submitRunForm } from "./helpers";

test.describe("a canary on real traffic", () => {
  test("a release manager injects a fault and watches the canary roll back, with the evidence on screen", async ({ page }) => {
    test.setTimeout(150_000);
    await signIn(page, USERS.manager);
    await createRunViaForm(page, { environment: "staging", targetVersion: "2.3.1", risk: "low", service: STOREFRONT });

    // 2.3.1 passes all six agents on its release material and its own process, so no one has to approve.
    const criteria = page.locator("#success-criteria");
    await expect(criteria.locator('[data-criterion="tests"]')).toHaveAttribute("data-status", "met", { timeout: 90_000 });
    await expect(criteria.locator('[data-criterion="accessibility"]')).toHaveAttribute("data-status", "met", { timeout: 60_000 });

    // The built-in router shifts 5% of the demo traffic by itself; charts and evidence fill in.
    await expect(page.getByRole("heading", { name: "Live metrics" })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole("meter").first()).toBeVisible({ timeout: 15_000 });
    await expectAccessible(page);

    const panel = page.locator("#fault-injection");
    await panel.getByLabel("Error rate (%)").fill("50");
    await panel.getByRole("button", { name: "Inject fault" }).click();

    // Rolled back within seconds, and the page says why with the numbers.
    await expect(runStatus(page)).toHaveText(/rolled back/, { timeout: 20_000 });
    await expect(page.getByRole("heading", { name: "Why it rolled back" })).toBeVisible();
    // The reason quotes the window since the change, so its rate is the fault's (~50%), as the chart shows.
    const reason = page.getByText(/Canary errors \d+(\.\d+)?% \(\d+ of \d+\), baseline [\d.]+%; threshold 1% since \d\d:\d\d:\d\d/).first();
    await expect(reason).toBeVisible();
    expect(Number(/Canary errors (\d+(?:\.\d+)?)%/.exec((await reason.textContent()) ?? "")?.[1])).toBeGreaterThanOrEqual(10);
    await expectAccessible(page);

    // The release record, readable in the browser: a post-mortem draft with the deciding evidence.
    await page.getByRole("link", { name: "View release record" }).click({ timeout: 20_000 });
    await expect(page.getByRole("heading", { level: 1, name: /^Release record — run #\d+/ })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Post-mortem draft" })).toBeVisible();
    const evaluation = page.getByRole("region", { name: "Canary evaluation table" });
    await expect(evaluation.getByRole("row").filter({ hasText: /Canary errors \d+(\.\d+)?% \(\d+ of \d+\), baseline [\d.]+%; threshold 1% since/ }).first()).toBeVisible();
    await expect(page.locator("#record-post-mortem dd").filter({ hasText: /^step 1 of \d+ \(.+\) with 5% of traffic on the canary$/ })).toBeVisible();
    await expect(page.locator("#record-post-mortem")).not.toContainText("{");
    await expectAccessible(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await expectAccessible(page);

    // Back on the run: the difference chart marks the moment the error test fired, and the what-if
    // replays the finished run from its stored windows under a looser policy.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goBack();
    const history = page.getByTestId("evidence-history");
    await expect(history).toBeVisible({ timeout: 20_000 });
    await expect(history.getByTestId("difference-summary").first()).toHaveText(/^Rolled back at \d\d:\d\d:\d\d: the change detector's evidence reached 1\/α/);
    const whatIf = page.locator("#what-if");
    await whatIf.getByText("Replay this run under another policy").click();
    await whatIf.getByLabel("Error threshold (%)").fill("50");
    await whatIf.getByRole("button", { name: "Replay this run" }).click();
    // 50% errors sit on a 50% threshold: the looser policy would not have rolled this canary back.
    await expect(whatIf.getByRole("heading", { level: 3 })).toHaveText(/^Would not have rolled back/, { timeout: 30_000 });
    await expectAccessible(page);

    await page.goto("/audit");
    await expect(page.getByText(/Injected fault into the canary: 50% errors/).filter({ visible: true })).toBeVisible();
  });

  test("a second run on the same service and environment is refused while one is in progress", async ({ page }) => {
    await signIn(page, USERS.manager);
    await createRunViaForm(page, { environment: "production", targetVersion: "3.0.0" });
    await submitRunForm(page, { environment: "production", targetVersion: "3.0.1" });
    await expect(page.getByText(/is still in progress for Checkout in production/)).toBeVisible();
    await expect(page).toHaveURL(/\/runs\/new$/);
  });
});
