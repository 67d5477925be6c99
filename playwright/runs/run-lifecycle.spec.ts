import { expect, expectAccessible, pageAs, signIn, test, USERS } from "../fixtures/test";
import { createRunViaForm, runStatus, withReason } from "./helpers";

test.describe("a release run, followed live by two people", () => {
  test("create, watch live in a second browser, waive, approve, shift traffic, roll back with a reason, see it audited", async ({ page, browser }) => {
    await signIn(page, USERS.manager);
    const path = await createRunViaForm(page, { environment: "production", targetVersion: "1.5.0" });

    // A second person opens the same run and follows it without reloading.
    const approver = await pageAs(browser, USERS.approver);
    await approver.goto(path);
    await expect(approver.getByRole("heading", { level: 1, name: /^Run #\d+/ })).toBeVisible();

    // No checks are configured: every agent says so, and production policy blocks until waived.
    await expect(approver.getByText("not configured").first()).toBeVisible();
    await withReason(approver, "Waive blockers", "Reason for waiver", "Confirm waiver", "Checks arrive with the agents work");
    await approver.getByRole("button", { name: "Approve", exact: true }).click();

    // The creator's page learns about the approval live and asks for the first traffic shift.
    const confirm5 = page.getByRole("button", { name: "Confirm 5% applied" });
    await expect(confirm5).toBeVisible({ timeout: 1_500 });
    await confirm5.click();
    // The countdown exists only while a step holds ("… left in hold", then "Hold complete").
    await expect(approver.getByText(/left in hold|Hold complete/).first()).toBeVisible({ timeout: 1_500 });

    // The 5% hold (30 min scaled down) ends by itself and the next step asks for 50%.
    await expect(approver.getByRole("button", { name: "Confirm 50% applied" })).toBeVisible({ timeout: 15_000 });
    await expectAccessible(approver);

    // Something looks wrong: roll back with a reason.
    await withReason(page, "Roll back", "Reason", "Confirm rollback", "p95 doubled on the canary");
    await page.getByRole("button", { name: "Confirm 0% applied" }).click();
    await expect(runStatus(page)).toHaveText(/rolled back/, { timeout: 10_000 });
    await expect(runStatus(approver)).toHaveText(/rolled back/, { timeout: 1_500 });
    await expect(approver.getByText("p95 doubled on the canary").first()).toBeVisible();
    await expect(approver.getByRole("button", { name: "Roll back" })).toHaveCount(0);

    // The audit trail has every step, with who did it (in the table on a desktop; the phone's cards are hidden).
    await page.goto("/audit");
    await expect(page.getByText("Requested rollback: p95 doubled on the canary").filter({ visible: true })).toBeVisible();
    await expect(page.getByText("Waived blockers: Checks arrive with the agents work").filter({ visible: true })).toBeVisible();
    await expect(page.getByText(/Approved the gate/).filter({ visible: true }).first()).toBeVisible();
    await expectAccessible(page);
  });

  test("a staging run at low risk needs no approver and goes straight to its first traffic shift", async ({ page }) => {
    await signIn(page, USERS.manager);
    await createRunViaForm(page, { environment: "staging", targetVersion: "1.5.1", risk: "low" });
    await expect(page.getByRole("button", { name: "Confirm 5% applied" })).toBeVisible({ timeout: 10_000 });
    await expect(page.getByRole("button", { name: "Approve", exact: true })).toHaveCount(0);
  });

  test("under SOX the run's creator is told why they cannot approve instead of being offered a button that is refused", async ({ page, browser }) => {
    await signIn(page, USERS.manager);
    const path = await createRunViaForm(page, { environment: "production", targetVersion: "1.5.3", compliance: "sox" });
    await expect(page.getByText("not configured").first()).toBeVisible();
    await withReason(page, "Waive blockers", "Reason for waiver", "Confirm waiver", "Checks arrive with the agents work");
    await expect(page.getByText(/^You cannot approve: Separation of duties \(SOX\)/)).toBeVisible();
    await expect(page.getByText(/may approve, except the person who created the run/)).toBeVisible();
    await expect(page.getByRole("button", { name: "Approve", exact: true })).toHaveCount(0);
    // The rule is listed once in the gate's policy.
    await expect(page.getByRole("region", { name: "Gate policy" }).getByText(/creat(ed|or).*cannot approve/)).toHaveCount(1);
    // Another release manager is offered Approve.
    const approver = await pageAs(browser, USERS.approver);
    await approver.goto(path);
    await expect(approver.getByRole("button", { name: "Approve", exact: true })).toBeVisible();
    await expectAccessible(page);
  });

  test("two people pressing Roll back at once roll back once, and both presses are audited", async ({ page, browser }) => {
    await signIn(page, USERS.manager);
    const path = await createRunViaForm(page, { environment: "staging", targetVersion: "1.5.2", risk: "low" });
    await page.getByRole("button", { name: "Confirm 5% applied" }).click();
    const onCall = await pageAs(browser, USERS.onCall);
    await onCall.goto(path);

    const runId = path.split("/").pop() ?? "";
    const [a, b] = await Promise.all([
      page.request.post(`/api/v1/runs/${runId}/commands`, { data: { kind: "rollback", reason: "manager saw errors" } }),
      onCall.request.post(`/api/v1/runs/${runId}/commands`, { data: { kind: "rollback", reason: "pager fired" } }),
    ]);
    expect([a.status(), b.status()]).toEqual([200, 200]);
    const notes = [(await a.json()).note, (await b.json()).note];
    expect(notes.filter((n) => n === "Already rolling back.")).toHaveLength(1);

    const run = await (await page.request.get(`/api/runs/${runId}`)).json();
    expect(run.audit.filter((e: { action: string }) => e.action === "run.rollback")).toHaveLength(2);
    expect(run.decisions.filter((d: { verdict: string }) => d.verdict === "rollback")).toHaveLength(1);
  });
});
