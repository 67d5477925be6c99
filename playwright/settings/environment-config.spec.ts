import { expect, expectAccessible, signIn, test, USERS } from "../fixtures/test";

// An admin configures checkout/staging's router, rollback hooks and limits through the form; the
// secret goes in once, is never shown again, and stays when the form is saved with it empty.
test.describe("environment settings", () => {
  test("an admin sets a webhook router, hooks and limits; secrets stay write-only", async ({ page }) => {
    await signIn(page, USERS.admin);
    await page.goto("/settings");
    await page.locator("#service-checkout").getByText("Configure staging: router, rollback hooks, limits").click();
    const form = page.getByRole("form", { name: /Router, hooks and limits for .* staging/ });

    await form.getByLabel("Router", { exact: true }).selectOption("webhook");
    const router = form.getByRole("group", { name: "Traffic router" });
    await router.getByLabel("Webhook URL").fill("http://127.0.0.1:9/deploy");
    const migration = form.getByRole("group", { name: "Data-migration hook" });
    await migration.getByLabel("Kind").selectOption("command");
    await migration.getByLabel("Program (absolute path)").fill("bin/migrate"); // not absolute
    await migration.getByLabel("Arguments (one per line)").fill("down\n--to=previous");
    await form.getByLabel("Memory limit (MB)").fill("512");
    await form.getByRole("button", { name: "Save staging settings" }).click();

    await expect(form.getByRole("alert")).toHaveText("Please correct the highlighted fields.");
    await expect(migration.getByLabel("Program (absolute path)")).toHaveAccessibleDescription(/Enter the program's absolute path/);
    await expectAccessible(page);

    // A new webhook needs its secret.
    await migration.getByLabel("Program (absolute path)").fill("/usr/local/bin/migrate");
    await form.getByRole("button", { name: "Save staging settings" }).click();
    await expect(router.getByLabel("Shared secret")).toHaveAccessibleDescription(/Enter the shared secret/);

    await router.getByLabel("Shared secret").fill("deploy-secret-123");
    await form.getByRole("button", { name: "Save staging settings" }).click();
    await expect(form.getByRole("status")).toHaveText(/Saved/);

    await page.reload();
    const row = page.locator("#service-checkout").getByRole("row", { name: /staging/ });
    await expect(row).toContainText("webhook http://127.0.0.1:9/deploy (secret configured)");
    await expect(row).toContainText("command /usr/local/bin/migrate down --to=previous");
    await expect(row).toContainText("512 MB");
    expect(await page.content()).not.toContain("deploy-secret-123");

    // Saved again without typing the secret: it is kept.
    await page.locator("#service-checkout").getByText("Configure staging: router, rollback hooks, limits").click();
    const again = page.getByRole("form", { name: /Router, hooks and limits for .* staging/ });
    await expect(again.getByLabel("Shared secret")).toHaveValue("");
    await again.getByRole("button", { name: "Save staging settings" }).click();
    await expect(again.getByRole("status")).toHaveText(/Saved/);
    await page.reload();
    await expect(page.locator("#service-checkout").getByRole("row", { name: /staging/ })).toContainText("(secret configured)");

    // Back to the manual router with no hooks: the specs after this one drive checkout/staging by hand.
    await page.locator("#service-checkout").getByText("Configure staging: router, rollback hooks, limits").click();
    const restore = page.getByRole("form", { name: /Router, hooks and limits for .* staging/ });
    await restore.getByLabel("Router", { exact: true }).selectOption("manual");
    await restore.getByRole("group", { name: "Data-migration hook" }).getByLabel("Kind").selectOption("none");
    await restore.getByLabel("Memory limit (MB)").fill("");
    await restore.getByRole("button", { name: "Save staging settings" }).click();
    await expect(restore.getByRole("status")).toHaveText(/Saved/);
    await page.reload();
    await expect(page.locator("#service-checkout").getByRole("row", { name: /staging/ })).toContainText(/manual/i);
  });

  test("an admin edits an environment's agent checks as JSON; a bad one is refused by name and nothing is saved", async ({ page }) => {
    await signIn(page, USERS.admin);
    await page.goto("/settings");
    await page.locator("#service-storefront").getByText("Configure production: agent checks").click();
    const form = page.getByRole("form", { name: /Agent checks for .* production/ });
    const qa = form.getByLabel("qa-test-engineer");
    const systems = form.getByLabel("systems-engineer");
    await qa.fill(JSON.stringify({ workspace: "/srv/storefront/{targetVersion}", junitPaths: ["reports/junit.xml"] }));
    await systems.fill('{ "loadTest": { "url": "ftp://nowhere" ');
    await form.getByRole("button", { name: "Save checks" }).click();
    await expect(form.getByRole("alert")).toHaveText("Please correct the highlighted configurations.");
    await expect(systems).toHaveAccessibleDescription(/Not valid JSON/);
    await expectAccessible(page);

    await systems.fill(JSON.stringify({ loadTest: { url: "ftp://nowhere", sla: { p95Ms: 200, p99Ms: 400 } } }));
    await form.getByRole("button", { name: "Save checks" }).click();
    await expect(systems).toHaveAccessibleDescription(/loadTest\.url: must be an http\(s\) URL/);

    await systems.fill("");
    await form.getByRole("button", { name: "Save checks" }).click();
    await expect(form.getByRole("status")).toHaveText(/Saved/);
    await page.reload();
    await expect(page.locator("#service-storefront").getByRole("row", { name: /production/ })).toContainText("qa-test-engineer");
    await page.locator("#service-storefront").getByText("Configure production: agent checks").click();
    await expect(page.getByRole("form", { name: /Agent checks for .* production/ }).getByLabel("qa-test-engineer")).toHaveValue(/"workspace": "\/srv\/storefront\/\{targetVersion\}"/);
  });

  test("a viewer sees the settings but no form", async ({ page }) => {
    await signIn(page, USERS.viewer);
    await page.goto("/settings");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    // The services load in the browser: wait for them, or the count below is zero while they load.
    await expect(page.locator("#service-checkout").getByRole("row", { name: /staging/ })).toBeVisible();
    await expect(page.getByText(/Configure staging/)).toHaveCount(0);
  });
});

test("the hold scale reads in words: staging's 1/60 of full length, a 30-minute hold lasting 30 s", async ({ page }) => {
  await signIn(page, USERS.admin);
  await page.goto("/settings");
  await expect(page.getByText("1/60 of full length: a 30-minute hold lasts 30 s").first()).toBeVisible();
  await expect(page.getByText("full length: a 30-minute hold lasts 30 min", { exact: true }).first()).toBeVisible();
});
