import { expect, expectAccessible, signIn, test, USERS } from "../fixtures/test";
import { CHECKOUT, clearActiveRuns, createRunViaForm, runStatus, STOREFRONT, withReason } from "../runs/helpers";

/** A new user's first day (issue 11): the pages they meet, on a desktop, a phone and in dark mode. */
const VIEWPORTS = [
  { name: "desktop", viewport: { width: 1280, height: 800 }, colorScheme: "light" as const },
  { name: "phone", viewport: { width: 390, height: 844 }, colorScheme: "light" as const },
  { name: "dark", viewport: { width: 1280, height: 800 }, colorScheme: "dark" as const },
];

for (const v of VIEWPORTS) {
  test.describe(`first day (${v.name})`, () => {
    test.use({ viewport: v.viewport, colorScheme: v.colorScheme });

    test("runs list, New run with the last service used, two-sentence version error, audit — axe-clean", async ({ page }) => {
      // Four pages, each checked by axe: 17–22 s on a quiet machine, past 60 s at load 10.
      test.setTimeout(120_000);
      await signIn(page, USERS.manager);
      await expectAccessible(page);

      // A run on storefront makes it the last service used.
      await createRunViaForm(page, { environment: "staging", targetVersion: "5.0.1", risk: "low", service: STOREFRONT });
      await clearActiveRuns(page, STOREFRONT.slug, "staging"); // ends it the way an operator would

      await page.goto("/runs");
      if (v.name === "phone") {
        const cards = page.getByTestId("runs-cards");
        await expect(cards).toBeVisible();
        const first = cards.getByRole("listitem").first();
        await expect(first.getByText("Status", { exact: true })).toBeInViewport();
        await expect(first.getByText("Phase", { exact: true })).toBeInViewport();
        // Nothing sideways: the page is no wider than the phone.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      } else {
        await expect(page.getByRole("region", { name: "Runs" })).toBeVisible();
      }
      await expectAccessible(page);

      await page.goto("/runs/new");
      await expect(page.getByLabel("Service")).toHaveValue(await page.getByLabel("Service").locator("option", { hasText: STOREFRONT.label }).getAttribute("value") ?? "");
      await expect(page.getByRole("radio", { name: "staging" })).toBeChecked();
      await page.getByLabel("Target version").fill("");
      await page.getByRole("button", { name: /start run/i }).click();
      const version = page.getByLabel("Target version");
      await expect(version).toHaveAttribute("aria-invalid", "true");
      // Hint and each error are separate sentences, all named by aria-describedby.
      const described = (await version.getAttribute("aria-describedby")) ?? "";
      expect(described.split(" ").length).toBe(2);
      await expect(page.getByText("Enter the version to release.", { exact: true })).toBeVisible();
      await expect(page.getByText("Letters, digits, dots, dashes, plus and underscores only.", { exact: true })).toBeVisible();
      await expectAccessible(page);

      await page.goto("/audit");
      if (v.name === "phone") {
        const first = page.getByTestId("audit-cards").getByRole("listitem").first();
        await expect(first.getByText("Action", { exact: true })).toBeInViewport();
        await expect(first.getByText("Summary", { exact: true })).toBeInViewport();
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      } else {
        await expect(page.getByRole("region", { name: "Audit trail" })).toBeVisible();
      }
      await expectAccessible(page);
    });

    test("after the Roll back dialog, focus is on the outcome, not the top of the page; the release record is axe-clean", async ({ page }) => {
      await signIn(page, USERS.manager);
      await createRunViaForm(page, { environment: "staging", targetVersion: "5.0.2", risk: "low" });
      await page.getByRole("button", { name: "Confirm 5% applied" }).click();
      await withReason(page, "Roll back", "Reason", "Confirm rollback", "first day: focus check");
      await expect
        .poll(() => page.evaluate(() => document.activeElement !== document.body && document.activeElement?.tagName !== "HTML"))
        .toBe(true);
      const focused = page.locator(":focus");
      await expect(focused).toBeVisible();
      expect(await focused.evaluate((el) => el.getAttribute("role") ?? el.getAttribute("data-testid") ?? el.tagName)).toMatch(/status|alert|run-status|H1|H2|BUTTON/);
      await page.getByRole("button", { name: "Confirm 0% applied" }).click();
      await expect(runStatus(page)).toHaveText(/rolled back/, { timeout: 10_000 });
      await page.getByRole("link", { name: "View release record" }).click({ timeout: 20_000 });
      await expect(page.getByText(/rolling back/i)).toHaveCount(0);
      await expectAccessible(page);
    });

    test("New run shows the gate preview for the chosen service, environment, risk and compliance", async ({ page }) => {
      await signIn(page, USERS.manager);
      await page.goto("/runs/new");
      await page.getByLabel("Service").selectOption({ label: CHECKOUT.label });
      const preview = page.getByRole("region", { name: "What the gate will require" });
      await expect(preview).toHaveAttribute("aria-live", "polite");

      // Staging at low risk: nobody has to approve.
      await page.getByRole("radio", { name: "staging" }).check();
      await page.getByLabel("Risk").selectOption("low");
      await page.getByLabel("Compliance").selectOption("none");
      await expect(preview.getByTestId("gate-preview-approvals")).toHaveText(/^No approval is required by policy/);
      await expect(preview.getByText(/Agents that will run:/)).toBeVisible();

      // Production under SOX: one approval, and not from the person starting the run.
      await page.getByRole("radio", { name: "production" }).check();
      await page.getByLabel("Risk").selectOption("medium");
      await page.getByLabel("Compliance").selectOption("sox");
      await expect(preview.getByTestId("gate-preview-approvals")).toHaveText(/^1 approval from a release manager other than you/);

      // PCI DSS makes high findings block as well as critical ones; critical risk needs two approvers.
      await page.getByLabel("Compliance").selectOption("pci");
      await page.getByLabel("Risk").selectOption("critical");
      await expect(preview.getByTestId("gate-preview-blocking")).toContainText("critical, high");
      await expect(preview.getByTestId("gate-preview-approvals")).toHaveText(/^2 approvals from release managers/);
      await expectAccessible(page);
    });
  });
}
