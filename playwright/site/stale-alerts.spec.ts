import { expect, signIn, test, USERS } from "../fixtures/test";
import { createRunViaForm, runStatus, withReason } from "../runs/helpers";

test.describe("alerts that are no longer true", () => {
  test("the 'Rolling back' alert and the old traffic instructions go once the rollback has ended", async ({ page }) => {
    await signIn(page, USERS.manager);
    await createRunViaForm(page, { environment: "staging", targetVersion: "3.9.3", risk: "low" });
    await page.getByRole("button", { name: "Confirm 5% applied" }).click();
    const alerts = page.locator('[aria-live="polite"]').first();
    await withReason(page, "Roll back", "Reason", "Confirm rollback", "stale alert check");
    await expect(alerts.getByText(/Rolling back checkout 3\.9\.3/)).toBeVisible({ timeout: 10_000 });
    await page.getByRole("button", { name: "Confirm 0% applied" }).click();
    await expect(runStatus(page)).toHaveText(/rolled back/, { timeout: 10_000 });
    // Once the run has moved on, what the alerts said of the moment before is gone.
    await expect(alerts.getByText(/Rolling back checkout 3\.9\.3/)).toHaveCount(0, { timeout: 5_000 });
    await expect(alerts.getByText(/canary traffic to 5% .*and confirm in Flightdeck/)).toHaveCount(0);
  });
});
