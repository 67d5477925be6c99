import { expect, expectAccessible, signIn, test, USERS } from "../fixtures/test";
import { createRunViaForm, runStatus, withReason } from "../runs/helpers";

/** The page's background, as the reader sees it: dark means every channel below 80 of 255. */
async function isDarkBackground(page: import("@playwright/test").Page): Promise<boolean> {
  const rgb = await page.evaluate(() => {
    const probe = document.createElement("canvas").getContext("2d");
    if (!probe) return [255, 255, 255];
    probe.fillStyle = getComputedStyle(document.body).backgroundColor;
    probe.fillRect(0, 0, 1, 1);
    return Array.from(probe.getImageData(0, 0, 1, 1).data.slice(0, 3));
  });
  return rgb.every((c) => c < 80);
}

test.describe("dark mode", () => {
  test.use({ colorScheme: "dark" });

  test("a system set to dark gets dark pages, axe-clean on the runs list, a run, New run, Audit, Settings and the release record", async ({ page }) => {
    await signIn(page, USERS.manager);
    await expect(page.locator("html")).toHaveClass(/\bdark\b/);
    expect(await isDarkBackground(page)).toBe(true);
    await expectAccessible(page);

    const path = await createRunViaForm(page, { environment: "staging", targetVersion: "3.9.1", risk: "low" });
    await page.getByRole("button", { name: "Confirm 5% applied" }).click();
    expect(await isDarkBackground(page)).toBe(true);
    // (axe on the run page comes below, once it has ended: a hold ending mid-scan adds a second Roll back.)
    await withReason(page, "Roll back", "Reason", "Confirm rollback", "dark mode walk-through");
    await page.getByRole("button", { name: "Confirm 0% applied" }).click();
    await expect(runStatus(page)).toHaveText(/rolled back/, { timeout: 10_000 });
    await page.getByRole("link", { name: "View release record" }).click({ timeout: 20_000 });
    await expect(page.getByRole("heading", { level: 1, name: /^Release record — run #\d+/ })).toBeVisible();
    await expectAccessible(page);

    for (const to of ["/runs/new", "/audit", "/settings", path]) {
      await page.goto(to);
      await expect(page.locator("html")).toHaveClass(/\bdark\b/);
      await expectAccessible(page);
    }
  });

  test("a reader who picks Light keeps it after a reload, whatever the system says, and System follows it again", async ({ page }) => {
    await signIn(page, USERS.viewer);
    await page.getByLabel("Theme").selectOption("light");
    await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
    await page.reload();
    await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
    expect(await isDarkBackground(page)).toBe(false);
    await expect(page.getByLabel("Theme")).toHaveValue("light");

    await page.getByLabel("Theme").selectOption("system");
    await expect(page.locator("html")).toHaveClass(/\bdark\b/);
    await page.reload();
    await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  });
});
