import type { Locator, Page } from "@playwright/test";
import { expect, expectAccessible, pageAs, signIn, test, USERS } from "../fixtures/test";
import { createRunViaForm, runStatus, STOREFRONT, withReason } from "../runs/helpers";

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** Wholly inside the first screenful: top at or below 0, bottom above the viewport's height (nothing scrolled). */
async function expectInFirstViewport(page: Page, what: Locator, name: string): Promise<void> {
  await expect(what, name).toBeVisible();
  const box = await what.boundingBox();
  const height = page.viewportSize()?.height ?? 0;
  expect(box, name).not.toBeNull();
  if (!box) return;
  expect(box.y, `${name}: top`).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height, `${name}: bottom within ${height}px`).toBeLessThanOrEqual(height);
}

/** The page never scrolls sideways. */
async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, "page width").toBeLessThanOrEqual(width);
}

/** Opens the run fresh (scrolled to the top) and waits for the summary, with traffic on the canary (the demo moves 5% → 50% → 100% by itself). */
async function openRun(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1, name: /^Run #\d+/ })).toBeVisible();
  await expect(page.getByTestId("run-split")).toHaveText(/^baseline \d+% · canary [1-9]\d*%/);
  await expect(page.getByTestId("run-step")).toHaveText(/^\d+ of \d+ · \d+% canary/);
  expect(await page.evaluate(() => window.scrollY)).toBe(0);
}

test.describe("the run page, read in seconds", () => {
  test("during a storefront canary the summary (status, step, split, verdict, Roll back) is in the first viewport on a desktop and a phone, light and dark; sections open from their links", async ({ page }) => {
    test.setTimeout(240_000);
    await signIn(page, USERS.manager);
    const path = await createRunViaForm(page, { environment: "staging", targetVersion: "2.3.1", risk: "low", service: STOREFRONT });
    // 2.3.1 passes its checks; the built-in router then sends 5% of the demo traffic to the canary by itself.
    await expect(page.getByTestId("run-split")).toHaveText(/baseline 95% · canary 5%/, { timeout: 180_000 });

    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      for (const size of [DESKTOP, PHONE]) {
        await page.setViewportSize(size);
        await openRun(page, path);
        const at = `${colorScheme} ${size.width}×${size.height}`;
        if (colorScheme === "dark") await expect(page.locator("html")).toHaveClass(/\bdark\b/);
        else await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
        await expectInFirstViewport(page, runStatus(page), `${at}: status`);
        await expectInFirstViewport(page, page.getByTestId("run-step"), `${at}: step`);
        await expectInFirstViewport(page, page.getByTestId("run-split"), `${at}: traffic split`);
        await expectInFirstViewport(page, page.getByTestId("run-verdict"), `${at}: verdict`);
        await expectInFirstViewport(page, page.getByRole("button", { name: "Roll back", exact: true }), `${at}: Roll back`);
        await expectNoHorizontalOverflow(page);
        await expectAccessible(page);
      }
    }

    // The sections, by link and by keyboard, each marked as the one being read.
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize(DESKTOP);
    await openRun(page, path);
    const nav = page.getByRole("navigation", { name: "Sections of this run" });
    for (const [label, id] of [["Rollout", "rollout"], ["Phases", "phases"], ["Checks", "checks"], ["Decisions", "decisions"], ["Metrics", "live-metrics"]] as const) {
      const link = nav.getByRole("link", { name: label, exact: true });
      await link.click();
      await expect(page).toHaveURL(new RegExp(`#${id}$`));
      await expect(page.locator(`#${id}`)).toBeInViewport();
      await expect(link).toHaveAttribute("aria-current", "location");
    }
    // The summary stays in view on a desktop while the details scroll under it.
    await expect(page.getByRole("button", { name: "Roll back", exact: true })).toBeInViewport();
    await nav.getByRole("link", { name: "Audit", exact: true }).focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/#audit$/);
    await expect(page.locator("#audit")).toBeInViewport();

    // A link to a section opens it (a fresh load, not a jump within the page), on a phone too, and
    // the phone's first line (status, Roll back) stays in view.
    await page.setViewportSize(PHONE);
    await page.goto("/runs");
    await page.goto(`${path}#decisions`);
    await expect(page.locator("#decisions")).toBeInViewport({ timeout: 10_000 });
    await expect(runStatus(page)).toBeInViewport();
    await expect(page.getByRole("button", { name: "Roll back", exact: true })).toBeInViewport();
    await expectNoHorizontalOverflow(page);
  });

  test("a viewer sees no control and no instruction it cannot follow; a paused run says who paused it, when and why", async ({ page, browser }) => {
    test.setTimeout(240_000);
    await signIn(page, USERS.manager);
    const path = await createRunViaForm(page, { environment: "staging", targetVersion: "2.3.1", risk: "low", service: STOREFRONT });
    await expect(page.getByTestId("run-split")).toHaveText(/canary [1-9]\d*%/, { timeout: 180_000 });

    const viewer = await pageAs(browser, USERS.viewer);
    await viewer.setViewportSize(PHONE);
    await openRun(viewer, path);
    const main = viewer.locator("main");
    for (const name of ["Roll back", "Pause", "Resume", "Promote", "Approve", "Reject", "Waive blockers", "Abort run", "Inject fault", /^Share read-only link/, /^Confirm/]) {
      await expect(viewer.getByRole("button", { name, exact: typeof name === "string" })).toHaveCount(0);
    }
    await expect(main).not.toContainText(/when you are ready|then confirm|You may /);

    // The manager pauses with a reason; the viewer's page says who, when and why, and who can resume.
    await withReason(page, "Pause", "Reason (optional)", "Confirm pause", "payments incident, holding the canary");
    await expect(runStatus(viewer)).toHaveText(/paused/, { timeout: 5_000 });
    const next = viewer.getByTestId("run-next");
    await expect(next).toHaveText(/^Paused by Rhea Manager at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d: payments incident, holding the canary — a release manager can resume it$/);
    await expectInFirstViewport(viewer, next, "viewer phone: who paused it");
    await expect(main).not.toContainText(/when you are ready|Resume it/);
    await expect(viewer.getByRole("button", { name: "Resume" })).toHaveCount(0);
    await expectNoHorizontalOverflow(viewer);
    await expectAccessible(viewer);

    // The manager, who may resume, is told to and offered the button.
    await expect(page.getByTestId("run-next")).toHaveText(/^Paused by Rhea Manager at .*: payments incident, holding the canary — resume it when you are ready, or roll back/);
    await page.getByRole("button", { name: "Resume", exact: true }).click();
    await expect(runStatus(viewer)).toHaveText(/running/, { timeout: 5_000 });
    await expect(viewer.getByTestId("run-next")).not.toHaveText(/Paused/);
  });
});
