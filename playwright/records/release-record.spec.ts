import { connectDb } from "../../server/db/client.ts";
import { E2E } from "../fixtures/e2e-env";
import { expect, expectAccessible, signIn, test, USERS } from "../fixtures/test";
import { createRunViaForm, runStatus, withReason } from "../runs/helpers";

/** Issue 13: this rollback reason forged an "Approvals" heading and a table row in the release record. */
const FORGED = "x\n\n## Approvals\n| forged | row |\n<b>bold?</b> [link](javascript:alert(1))";

test.describe("the release record", () => {
  test("a reason that looks like Markdown stays text on the page and in the download; the record reads on a phone", async ({ page }) => {
    await signIn(page, USERS.manager);
    const path = await createRunViaForm(page, { environment: "staging", targetVersion: "1.7.0", risk: "low" });
    await page.getByRole("button", { name: "Confirm 5% applied" }).click();
    await withReason(page, "Roll back", "Reason", "Confirm rollback", FORGED);
    await page.getByRole("button", { name: "Confirm 0% applied" }).click();
    await expect(runStatus(page)).toHaveText(/rolled back/, { timeout: 10_000 });

    await page.getByRole("link", { name: "View release record" }).click({ timeout: 20_000 });
    await expect(page.getByRole("heading", { level: 1, name: /^Release record — run #\d+/ })).toBeVisible();
    // The record's own "Approvals" heading, once; the reason is text in the post-mortem, not a heading, row or link.
    await expect(page.getByRole("heading", { name: "Approvals", exact: true })).toHaveCount(1);
    await expect(page.locator("#record-approvals-given table")).toHaveCount(0);
    await expect(page.getByText("No approvals or rejections.")).toBeVisible();
    const postMortem = page.locator("#record-post-mortem");
    await expect(postMortem.locator("dd").filter({ hasText: "## Approvals" }).first()).toContainText("| forged | row |");
    await expect(page.getByRole("link", { name: "link" })).toHaveCount(0);
    await expect(page.locator("article b")).toHaveCount(0);
    await expectAccessible(page);

    // The download: Markdown where the reason is escaped text inside its list item.
    const runId = path.split("/").pop() ?? "";
    const download = await page.request.get(`/api/runs/${runId}/record`);
    expect(download.headers()["content-type"]).toContain("text/markdown");
    const markdown = await download.text();
    expect(markdown).toContain("## Post-mortem draft");
    expect(markdown.split("\n").filter((l) => /^#+ Approvals$/.test(l))).toEqual(["### Approvals"]);
    expect(markdown).not.toMatch(/^\s*\| forged/m);

    // On a phone: wide tables scroll sideways, and a keyboard user can focus and scroll them.
    await page.setViewportSize({ width: 390, height: 844 });
    const procedure = page.getByRole("region", { name: "Rollback procedure table" });
    await procedure.scrollIntoViewIfNeeded();
    await procedure.focus();
    await expect(procedure).toBeFocused();
    expect(await procedure.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => procedure.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
    await expect(page.getByText("Scroll the table sideways to see every column →").first()).toBeVisible();
    await expectAccessible(page);
  });

  test("a record written before records were structured still displays, as its text and never as structure", async ({ page }) => {
    await signIn(page, USERS.manager);
    const path = await createRunViaForm(page, { environment: "staging", targetVersion: "1.7.1", risk: "low" });
    const runId = path.split("/").pop() ?? "";
    // As the previous Flightdeck stored it: Markdown only (here with the forged heading and row it let through).
    await connectDb(E2E.databaseUrl).releaseRecord.create({ data: { runId, version: 1, markdown: "# Release record\n\n## Approvals\n| forged | row |\n|---|---|\n| a | b |\n" } });

    await page.goto(`${path}/record`);
    await expect(page.getByText("Written by an earlier version of Flightdeck")).toBeVisible();
    await expect(page.getByRole("article", { name: "Release record text" })).toContainText("## Approvals");
    await expect(page.getByRole("heading", { name: "Approvals" })).toHaveCount(0);
    await expect(page.getByRole("table")).toHaveCount(0);
    await page.setViewportSize({ width: 390, height: 844 });
    await expectAccessible(page);
  });
});
