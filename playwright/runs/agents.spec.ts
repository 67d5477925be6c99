import { expect, expectAccessible, signIn, test, USERS } from "../fixtures/test";
import { createRunViaForm, runStatus, STOREFRONT } from "./helpers";

test.describe("the agents", () => {
  test("a release's agents run live on the run page, and their blocking findings stop the gate", async ({ page }) => {
    test.setTimeout(150_000);
    await signIn(page, USERS.manager);
    // 2.4.0 is the demo's defective release: failing tests, a critical advisory, `:latest`, an oversized bundle, an image without alt text.
    const path = await createRunViaForm(page, { environment: "staging", targetVersion: "2.4.0", risk: "low", compliance: "sox", service: STOREFRONT });

    // Progress arrives over the socket while the load test runs: the bar moves without a reload.
    const loadBar = page.getByRole("progressbar", { name: "systems-engineer progress" });
    const seen = new Set<number>();
    await expect
      .poll(async () => {
        seen.add(Number(await loadBar.getAttribute("aria-valuenow")));
        return [...seen].some((v) => v > 0 && v < 100) && seen.has(100);
      }, { timeout: 90_000, intervals: [150] })
      .toBe(true);
    expect(page.url()).toContain(path);

    // Each agent ends with its verdict and findings that open to their evidence.
    const qa = page.locator("#agent-card-qa-test-engineer");
    await expect(qa).toHaveAttribute("data-status", "failed");
    const failingTest = qa.locator("details", { hasText: "test failed: cartTotals › applies the promo discount before tax" });
    await failingTest.locator("summary").click();
    await expect(failingTest.locator("pre")).toBeVisible();
    await expect(failingTest.locator("pre")).toContainText(/AssertionError|expected/i);
    const a11y = page.locator("#agent-card-accessibility-expert");
    await expect(a11y.getByText(/^image-alt: Images must have alternative text \(Storefront checkout, desktop\)$/)).toBeVisible({ timeout: 30_000 });

    // The gate: findings at or above the policy's severity block, and cannot be waived.
    await expect(page.getByText(/^security-audit-specialist: \d+ finding\(s\) at critical or above$/)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText("blocking · cannot be waived").first()).toBeVisible();
    await expect(page.getByRole("button", { name: /waive/i })).toHaveCount(0);
    await expect(runStatus(page)).toHaveText(/running/);

    // The success criteria say what failed, each linked to the agent that found it.
    const criteria = page.locator("#success-criteria");
    await expect(criteria.locator('[data-criterion="tests"]')).toHaveAttribute("data-status", "failed");
    await expect(criteria.locator('[data-criterion="vulnerabilities"]')).toHaveAttribute("data-status", "failed");
    await expect(criteria.locator('[data-criterion="accessibility"]')).toHaveAttribute("data-status", "failed");
    await expect(criteria.locator('[data-criterion="notified"]')).toHaveAttribute("data-status", "pending");
    await criteria.locator('[data-criterion="tests"]').getByRole("link", { name: "qa-test-engineer" }).click();
    await expect(page).toHaveURL(/#agent-card-qa-test-engineer$/);
    await expectAccessible(page);
  });
});
