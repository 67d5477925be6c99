import { randomUUID } from "node:crypto";
import { policyFor } from "../server/core/policy.ts";
import { createRunState } from "../server/core/run-state.ts";
import { DEFAULT_HOLD_SCALE, scaledSteps } from "../server/core/strategy.ts";
import type { RunParams, RunStatus } from "../server/core/types.ts";
import { connectDb } from "../server/db/client.ts";
import { insertRun } from "../server/db/run-repository.ts";
import { E2E } from "./fixtures/e2e-env";
import { expect, expectAccessible, signIn, test, USERS } from "./fixtures/test";

// Release health as a stakeholder reads it. The runs are this spec's own service's, stored with
// known times the way the engine leaves finished runs, so its figures are exact whatever else the
// e2e database holds; the all-services view is checked for its structure only.

const H = 3_600_000;
const D = 24 * H;
const MIN = 60_000;

type Seeded = { status: RunStatus; rollout?: boolean; finishedAgo: number; commitBefore?: number; rollback?: { startedBefore: number; tookMs: number | null } };

/** A service of this spec's own with finished production runs: 5 releases, 7 changes of which 2 failed, 1 restored in 20 min. */
async function seedService(): Promise<{ slug: string; name: string }> {
  const db = connectDb(E2E.databaseUrl);
  const slug = `health-${randomUUID().slice(0, 8)}`;
  const name = `Health ${slug.slice(7)}`;
  const svc = await db.service.create({
    data: { slug, name, currentVersion: "1.0.0", environments: { create: [{ name: "staging", router: "manual" }, { name: "production", router: "manual" }] } },
    include: { environments: true },
  });
  const prod = svc.environments.find((e) => e.name === "production");
  const creator = await db.user.findFirstOrThrow({ where: { email: USERS.admin.email } });
  if (!prod) throw new Error("no production environment");
  const now = Date.now();
  const runs: Seeded[] = [
    { status: "succeeded", finishedAgo: 1 * D, commitBefore: 1 * H },
    { status: "succeeded", finishedAgo: 2 * D, commitBefore: 2 * H },
    { status: "succeeded", finishedAgo: 9 * D, commitBefore: 3 * H },
    { status: "succeeded", finishedAgo: 16 * D, commitBefore: 11 * H },
    { status: "succeeded", finishedAgo: 3 * D },
    { status: "rolled_back", finishedAgo: 5 * D, rollback: { startedBefore: 20 * MIN, tookMs: 20 * MIN } },
    { status: "failed", finishedAgo: 6 * D, rollback: { startedBefore: H, tookMs: null } },
    { status: "aborted", rollout: false, finishedAgo: 4 * D },
  ];
  for (const r of runs) {
    const params: RunParams = { service: slug, environment: "production", baselineVersion: "1.0.0", targetVersion: "1.1.0", strategy: "canary", risk: "low", compliance: "none", router: "manual", createdBy: creator.id };
    const policy = policyFor(params.risk, params.compliance, params.environment);
    const state = createRunState(params, policy, scaledSteps(params.strategy, { environment: DEFAULT_HOLD_SCALE.production, policy: policy.holdMultiplier, global: 1 }), now - 40 * D);
    const finishedAt = now - r.finishedAgo;
    Object.assign(state, { status: r.status, phase: "done", stepIndex: r.rollout === false ? -1 : 0, finishedAt });
    const commitAt = r.commitBefore === undefined ? undefined : new Date(finishedAt - r.commitBefore);
    const run = await db.$transaction((tx) => insertRun(tx, { serviceId: svc.id, environmentId: prod.id, createdById: creator.id }, state, { commitAt }));
    await db.releaseRun.update({ where: { id: run.id }, data: { finishedAt: new Date(finishedAt) } });
    if (r.rollback) {
      const startedAt = finishedAt - r.rollback.startedBefore;
      const done = r.rollback.tookMs === null ? null : new Date(startedAt + r.rollback.tookMs);
      await db.rollback.create({ data: { runId: run.id, reason: "error rate", requestedBy: "engine", status: done ? "done" : "failed", startedAt: new Date(startedAt), finishedAt: done } });
    }
  }
  await db.$disconnect();
  return { slug, name };
}

let service: { slug: string; name: string };
test.beforeAll(async () => {
  service = await seedService();
});

test.describe("release health", () => {
  test("a viewer opens it from the navigation and reads one service's figures, their definitions, charts and tables", async ({ page }) => {
    await signIn(page, USERS.viewer);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Release health" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Release health" })).toBeVisible();
    // All services first: the structure is there whatever other runs exist.
    for (const name of ["Deployment frequency", "Lead time for changes", "Change failure rate", "Time to restore"]) {
      await expect(page.getByRole("heading", { level: 2, name })).toBeVisible();
    }
    await expect(page.getByTestId("health-scope")).toContainText("All services");
    await expectAccessible(page);

    await page.getByLabel("Service").selectOption({ label: service.name });
    await page.getByLabel("Environment").selectOption("production");
    await expect(page).toHaveURL(new RegExp(`service=${service.slug}.*environment=production`));
    await expect(page.getByTestId("health-scope")).toContainText(`${service.name} · production`);
    await expect(page.getByTestId("figure-deployments-value")).toHaveText("1.2 a week");
    await expect(page.getByText("5 releases reached 100% in 30 days.")).toBeVisible();
    await expect(page.getByTestId("figure-lead-time-value")).toHaveText("2.5 h median");
    await expect(page.getByText(/From 4 releases with a commit time; 1 release had none and is not counted\./)).toBeVisible();
    await expect(page.getByTestId("figure-failure-rate-value")).toHaveText("29%");
    await expect(page.getByText(/2 of 7 changes rolled back or failed after the rollout started; 1 run ended before the rollout/)).toBeVisible();
    await expect(page.getByText("Too few changes for a band (7; at least 20 needed).")).toBeVisible();
    await expect(page.getByTestId("figure-restore-value")).toHaveText("20 min median");
    await expect(page.getByText(/1 failure not restored by a rollback/)).toBeVisible();
    await expect(page.getByRole("heading", { level: 2, name: "How these figures are computed" })).toBeVisible();

    // The charts load lazily; each has its numbers as a table.
    for (const chart of ["Deployments per week", "Lead time trend", "Change failure rate"]) {
      await expect(page.getByRole("heading", { level: 3, name: chart })).toBeVisible();
      await page.getByText(`${chart}: show as a table`).click();
    }
    const deployments = page.getByRole("table", { name: "Deployments per week" });
    await expect(deployments.getByRole("columnheader", { name: "Week starting (UTC)" })).toBeVisible();
    const weekly = await deployments.locator("tbody td").allTextContents();
    expect(weekly.reduce((n, cell) => n + Number(cell), 0)).toBe(5);
    await expectAccessible(page);

    // A shorter period, then custom days (UTC, both included).
    await page.getByLabel("Period").selectOption("7d");
    await expect(page.getByText("3 releases reached 100% in 7 days.")).toBeVisible();
    await page.getByLabel("Period").selectOption("custom");
    const day = (ago: number) => new Date(Date.now() - ago * D).toISOString().slice(0, 10);
    await page.getByLabel("First day (UTC)").fill(day(2));
    await page.getByLabel("Last day (UTC)").fill(day(0));
    await page.getByRole("button", { name: "Apply dates" }).click();
    await expect(page).toHaveURL(new RegExp(`period=custom.*from=${day(2)}.*to=${day(0)}`));
    await expect(page.getByText("2 releases reached 100% in 3 days.")).toBeVisible();
  });
});

test.describe("release health on a phone in dark mode", () => {
  test.use({ viewport: { width: 390, height: 844 }, colorScheme: "dark" });

  test("fits the screen and stays axe-clean", async ({ page }) => {
    await signIn(page, USERS.viewer);
    await page.goto(`/release-health?service=${service.slug}&environment=production`);
    await expect(page.locator("html")).toHaveClass(/\bdark\b/);
    await expect(page.getByTestId("figure-deployments-value")).toHaveText("1.2 a week");
    await expect(page.getByRole("heading", { level: 3, name: "Deployments per week" })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAccessible(page);
  });
});
