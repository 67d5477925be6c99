import { expect, expectAccessible, pageAs, signIn, test, USERS } from "../fixtures/test";
import { CHECKOUT, createRunViaForm } from "../runs/helpers";

test.describe("who may do what", () => {
  test("a viewer sees no controls, and a command posted anyway is refused with 403 and changes nothing", async ({ page, browser }) => {
    await signIn(page, USERS.manager);
    const path = await createRunViaForm(page, { environment: "production", targetVersion: "2.0.0" });
    await expect(page.getByRole("button", { name: "Waive blockers" })).toBeVisible({ timeout: 10_000 });
    const runId = path.split("/").pop() ?? "";

    const viewer = await pageAs(browser, USERS.viewer);
    await expect(viewer.getByRole("link", { name: "New run" })).toHaveCount(0);
    await viewer.goto(path);
    await expect(viewer.getByRole("heading", { level: 1, name: /^Run #\d+/ })).toBeVisible();
    for (const name of ["Roll back", "Approve", "Waive blockers", "Reject", "Abort"]) {
      await expect(viewer.getByRole("button", { name, exact: true })).toHaveCount(0);
    }
    const before = await (await viewer.request.get(`/api/runs/${runId}`)).json();
    for (const kind of ["approve", "rollback", "waive", "abort"]) {
      const res = await viewer.request.post(`/api/v1/runs/${runId}/commands`, { data: { kind, reason: "sneaky viewer" } });
      expect(res.status(), kind).toBe(403);
    }
    // A kind that is no command at all is the sender's mistake (400), whoever sends it — prototype names included.
    for (const kind of ["__proto__", "constructor", "toString", "deploy"]) {
      const res = await viewer.request.post(`/api/v1/runs/${runId}/commands`, { data: { kind, reason: "not a command" } });
      expect(res.status(), kind).toBe(400);
      expect((await res.json()).detail).toMatch(/^Unknown command/);
    }
    // Another site's form posting with the manager's cookie: text/plain is refused, and so is a foreign Origin.
    const forged = await page.request.post(`/api/v1/runs/${runId}/commands`, {
      headers: { "content-type": "text/plain" },
      data: JSON.stringify({ kind: "abort", reason: "cross-site form" }),
    });
    expect(forged.status()).toBe(400);
    const foreign = await page.request.post(`/api/v1/runs/${runId}/commands`, { headers: { origin: "http://127.0.0.1:9" }, data: { kind: "abort", reason: "cross-site fetch" } });
    expect(foreign.status()).toBe(403);
    expect((await foreign.json()).detail).toMatch(/^Cross-site request refused/);
    const after = await (await viewer.request.get(`/api/runs/${runId}`)).json();
    expect(after.state).toEqual(before.state);
    await expectAccessible(viewer);
  });

  test("on-call may roll back but is never offered the approval", async ({ page, browser }) => {
    await signIn(page, USERS.manager);
    const path = await createRunViaForm(page, { environment: "production", targetVersion: "2.0.1" });
    await expect(page.getByRole("button", { name: "Waive blockers" })).toBeVisible({ timeout: 10_000 });
    const onCall = await pageAs(browser, USERS.onCall);
    await onCall.goto(path);
    await expect(onCall.getByRole("button", { name: "Roll back", exact: true })).toBeVisible();
    await expect(onCall.getByRole("button", { name: "Approve", exact: true })).toHaveCount(0);
    const res = await onCall.request.post(`/api/v1/runs/${path.split("/").pop()}/commands`, { data: { kind: "approve" } });
    expect(res.status()).toBe(403);
  });

  test("nobody renames themselves or changes their e-mail: who someone is in the audit trail is for admins to say", async ({ browser }) => {
    const onCall = await pageAs(browser, USERS.onCall);
    const attempts = [
      ["/api/auth/update-user", { name: '=HYPERLINK("http://example.com","Rhea Manager")' }],
      ["/api/auth/update-user", { name: USERS.manager.name }],
      ["/api/auth/change-email", { newEmail: "rhea@e2e.local" }],
    ] as const;
    for (const [path, data] of attempts) {
      const res = await onCall.request.post(path, { data });
      expect(res.status(), path).toBe(404);
    }
    const session = await (await onCall.request.get("/api/auth/get-session")).json();
    expect(session.user).toMatchObject({ name: USERS.onCall.name, email: USERS.onCall.email });
  });

  test("signed-out visitors are sent to sign in, and the API refuses them", async ({ page, browser }) => {
    await page.goto("/runs");
    await expect(page).toHaveURL(/\/sign-in/);
    expect((await page.request.get("/api/runs")).status()).toBe(401);
    await expectAccessible(page);

    // A run's address tells a signed-out visitor nothing: not its number, not whether it exists.
    const manager = await pageAs(browser, USERS.manager);
    const [run] = (await (await manager.request.get("/api/runs")).json()) as { id: string; number: number }[];
    expect(run).toBeDefined();
    if (!run) return;
    for (const path of [`/runs/${run.id}`, `/runs/${run.id}/record`, "/runs/00000000-0000-4000-8000-000000000000"]) {
      const res = await page.request.get(path, { maxRedirects: 0 });
      const body = await res.text();
      // (The segment's not-found template travels with every page under it, so "not found" may appear as
      // text either way: what matters is that nothing differs between a run that exists and one that does not.)
      expect(body, path).not.toContain(`#${run.number}`);
      expect(body, path).not.toMatch(/Run #\d+/);
      expect(body, path).toContain("<title>Sign in · Flightdeck</title>");
    }
  });

  test("a wrong password says so and does not sign in", async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("E-mail").fill(USERS.manager.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByText("Wrong e-mail or password.")).toBeVisible();
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test("someone guessing a password is made to wait after five tries, with a message saying how long", async ({ page, request }) => {
    const email = `guesser-${Date.now()}@example.test`;
    await page.goto("/sign-in");
    for (let i = 0; i < 5; i++) {
      await page.getByLabel("E-mail").fill(email);
      await page.getByLabel("Password").fill(`guess-number-${i}-xx`);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await expect(page.getByText("Wrong e-mail or password.")).toBeVisible();
    }
    await page.getByLabel("Password").fill("guess-number-6-xx");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByText(/^Too many failed sign-ins for this account\. Try again in \d+ s\.$/)).toBeVisible();
    // The HTTP endpoint counts the same failures, and a forged X-Forwarded-For changes nothing.
    const res = await request.post("/api/auth/sign-in/email", { data: { email, password: "another-guess-xx" }, headers: { "x-forwarded-for": "203.0.113.50" } });
    expect(res.status()).toBe(429);
  });
});

test.describe("bad input", () => {
  test("an invalid new-run form shows field errors and writes nothing", async ({ page }) => {
    await signIn(page, USERS.manager);
    const before = (await (await page.request.get("/api/runs")).json()).length;
    await page.goto("/runs/new");
    await page.getByLabel("Service").selectOption({ label: CHECKOUT.label });
    await page.getByLabel("Target version").fill("not a version!");
    await page.getByRole("button", { name: /start run/i }).click();
    await expect(page.getByText("Letters, digits, dots, dashes, plus and underscores only")).toBeVisible();
    await expect(page.getByLabel("Target version")).toHaveAttribute("aria-invalid", "true");
    await expect(page).toHaveURL(/\/runs\/new$/);
    expect((await (await page.request.get("/api/runs")).json()).length).toBe(before);
    await expectAccessible(page);
  });

  test("an unknown run is a 404 page", async ({ page }) => {
    await signIn(page, USERS.manager);
    const res = await page.goto("/runs/00000000-0000-4000-8000-000000000000");
    expect(res?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Run not found" })).toBeVisible();
    await page.goto("/runs/not-a-uuid");
    await expect(page.getByRole("heading", { name: "Run not found" })).toBeVisible();
    await expectAccessible(page);
  });

  test("a command on a run in the wrong state gets a clear message and changes nothing", async ({ page }) => {
    await signIn(page, USERS.manager);
    const path = await createRunViaForm(page, { environment: "production", targetVersion: "2.0.2" });
    await expect(page.getByRole("button", { name: "Waive blockers" })).toBeVisible({ timeout: 10_000 });
    const runId = path.split("/").pop() ?? "";
    const res = await page.request.post(`/api/v1/runs/${runId}/commands`, { data: { kind: "promote", reason: "ship it now" } });
    expect(res.status()).toBe(409);
    expect((await res.json()).detail).toBe("Only a rollout step can be promoted.");
  });
});

test.describe("every page is accessible", () => {
  for (const path of ["/runs", "/runs/new", "/audit", "/settings"]) {
    test(`${path} has no WCAG 2.1 A/AA violations`, async ({ page }) => {
      await signIn(page, USERS.admin);
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expectAccessible(page);
    });
  }
});
