import { expect, expectAccessible, signIn, test, USERS } from "../fixtures/test";
import { createRunViaForm } from "../runs/helpers";

test.describe("share links", () => {
  test("a stakeholder without an account follows a live rollout through a link, and loses access the moment it is revoked", async ({ page, browser }) => {
    test.setTimeout(90_000);
    await signIn(page, USERS.manager);
    const path = await createRunViaForm(page, { environment: "staging", targetVersion: "1.6.0", risk: "low" });
    const runId = path.split("/").pop() ?? "";
    const number = /Run #(\d+)/.exec((await page.getByRole("heading", { level: 1 }).textContent()) ?? "")?.[1];

    // The release manager makes a link; it is shown once, selected, ready to copy.
    await page.getByRole("button", { name: `Share read-only link to run #${number}` }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Works for").selectOption({ label: "24 hours" });
    await dialog.getByLabel("Label (optional)").fill("support leads");
    await dialog.getByRole("button", { name: "Create link" }).click();
    const linkField = dialog.getByLabel("Read-only link");
    await expect(linkField).toBeFocused();
    const url = await linkField.inputValue();
    expect(url).toMatch(/\/share\/fds_[A-Za-z0-9_-]{43}$/);
    await dialog.getByRole("button", { name: "Done" }).click();

    // Someone without an account opens it: the run, live, with no controls and no configuration.
    const stakeholder = await (await browser.newContext()).newPage();
    await stakeholder.goto(url);
    await expect(stakeholder.getByRole("heading", { level: 1, name: new RegExp(`^Run #${number}: Checkout .* → 1\\.6\\.0$`) })).toBeVisible();
    await expect(stakeholder.getByText("Read-only view")).toBeVisible();
    for (const name of ["Roll back", "Approve", "Pause", "Abort", "Confirm 5% applied", "Share read-only link"]) {
      await expect(stakeholder.getByRole("button", { name })).toHaveCount(0);
    }
    await expect(stakeholder.getByText("0% of traffic on the new version")).toBeVisible();
    await expectAccessible(stakeholder);

    // The rollout moves on; the stakeholder sees it without reloading.
    await page.getByRole("button", { name: "Confirm 5% applied" }).click({ timeout: 15_000 });
    await expect(stakeholder.getByText("5% of traffic on the new version")).toBeVisible({ timeout: 10_000 });

    // Their view is in the run's audit trail, as the link.
    const audit = ((await (await page.request.get(`/api/runs/${runId}`)).json()) as { audit: { action: string; actorName: string }[] }).audit;
    expect(audit).toContainEqual(expect.objectContaining({ action: "share.view", actorName: 'Read-only link "support leads"' }));

    // Revoked in Settings: the open page says so at its next update, and the link answers 410.
    await page.goto("/settings");
    const row = page.getByRole("region", { name: "Share links" }).getByRole("row").filter({ hasText: "support leads" });
    await expect(row.getByText("Active")).toBeVisible();
    await row.getByRole("button", { name: /^Revoke the link to Run #\d+/ }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Revoke link" }).click();
    await expect(row.getByText("Revoked")).toBeVisible();
    await expect(stakeholder.getByRole("heading", { name: "This link no longer opens anything" })).toBeVisible({ timeout: 10_000 });
    await expect(stakeholder.getByText("This link was revoked.", { exact: false })).toBeVisible();
    expect((await stakeholder.request.get(`/api/share/${url.split("/share/")[1]}`)).status()).toBe(410);
    await stakeholder.goto(url);
    await expect(stakeholder.getByRole("heading", { name: "This link no longer opens anything" })).toBeVisible();
    await expectAccessible(stakeholder);

    // Leave the environment free for the next spec.
    await page.request.post(`/api/v1/runs/${runId}/commands`, { data: { kind: "rollback", reason: "share link test done" } });
    await page.request.post(`/api/v1/runs/${runId}/commands`, { data: { kind: "confirmWeight", percent: 0 } });
  });
});
