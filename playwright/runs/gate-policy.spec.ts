import { E2E } from "../fixtures/e2e-env";
import { expect, expectAccessible, pageAs, signIn, test, USERS } from "../fixtures/test";
import { createRunViaForm, runStatus } from "./helpers";

/** A service of its own, so no other spec's settings reach it. */
const GATEKEEPER = { slug: "gatekeeper", label: "Gatekeeper (gatekeeper)" };

/**
 * The systems agent's load test against this server, with an SLA nothing can meet: one high
 * finding per percentile, every time — what a slow laptop produced against the demo's 150 ms.
 */
const SLOW_LOAD_TEST = JSON.stringify({
  // 2 connections for 3 s: enough responses (≥ 50) to judge even when a busy CI machine answers slowly.
  loadTest: { url: `${E2E.baseUrl}/api/health`, connections: 2, durationSeconds: 3, sla: { p95Ms: 0.001, p99Ms: 0.001 } },
});

test.describe("the gate decides by policy", () => {
  test("a high finding is shown but does not block where critical blocks (staging); production set to 'high blocks' stops on it", async ({ page: admin, browser }) => {
    test.setTimeout(150_000);
    await signIn(admin, USERS.admin);
    await admin.goto("/settings");
    if ((await admin.locator(`#service-${GATEKEEPER.slug}`).count()) === 0) {
      const add = admin.locator("#add-service");
      await add.getByLabel("Slug").fill(GATEKEEPER.slug);
      await add.getByLabel("Name").fill("Gatekeeper");
      await add.getByLabel("Current version").fill("1.0.0");
      await add.getByRole("button", { name: "Add service" }).click();
      await expect(admin.locator(`#service-${GATEKEEPER.slug}`)).toBeVisible();
    }
    const service = admin.locator(`#service-${GATEKEEPER.slug}`);
    for (const env of ["staging", "production"] as const) {
      await service.getByText(`Configure ${env}: agent checks`).click();
      const form = admin.getByRole("form", { name: new RegExp(`Agent checks for .* ${env}`) });
      await form.getByLabel("systems-engineer").fill(SLOW_LOAD_TEST);
      await form.getByRole("button", { name: "Save checks" }).click();
      await expect(form.getByRole("status")).toHaveText(/Saved/);
    }
    await service.getByLabel("Blocking findings for Gatekeeper production", { exact: true }).selectOption("high");
    await service.getByRole("button", { name: "Save blocking findings for Gatekeeper production" }).click();
    await expect(service.getByRole("row", { name: /production/ }).getByRole("status")).toHaveText(/Saved/);
    await admin.reload();
    await expect(admin.locator(`#service-${GATEKEEPER.slug}`).getByLabel("Blocking findings for Gatekeeper production", { exact: true })).toHaveValue("high");

    // Staging keeps the procedure's default: the high finding is shown, the run goes on to its rollout.
    const page = await pageAs(browser, USERS.manager);
    await createRunViaForm(page, { environment: "staging", targetVersion: "1.1.0", risk: "low", service: GATEKEEPER });
    const systems = page.locator("#agent-card-systems-engineer");
    await expect(systems).toHaveAttribute("data-status", "passed", { timeout: 60_000 });
    await expect(systems).toContainText(/high shown, not blocking \(critical or above blocks\)/);
    await expect(systems.getByRole("list", { name: "systems-engineer sub-checks" })).toContainText("load test: ran");
    await expect(page.getByRole("button", { name: "Confirm 5% applied" })).toBeVisible({ timeout: 30_000 });

    // Production, set to "high blocks": the same finding blocks, cannot be waived, and the gate says why.
    await createRunViaForm(page, { environment: "production", targetVersion: "1.1.0", risk: "medium", service: GATEKEEPER });
    await expect(page.locator("#agent-card-systems-engineer")).toHaveAttribute("data-status", "failed", { timeout: 60_000 });
    await expect(page.getByText(/^systems-engineer: \d+ finding\(s\) at high or above$/)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByText("blocking · cannot be waived").first()).toBeVisible();
    const policy = page.getByRole("region", { name: "Gate policy" });
    await expect(policy).toContainText("Findings at high or above block and cannot be waived (production's gate policy)");
    await expect(policy).toContainText("Failing tests block in every environment");
    await expect(runStatus(page)).toHaveText(/running/);
    await expectAccessible(page);
  });
});
