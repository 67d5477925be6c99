import type { Page } from "@playwright/test";
import { E2E } from "../fixtures/e2e-env";
import { expect, expectAccessible, signIn, test, USERS } from "../fixtures/test";

// Single sign-on through a real OpenID Connect provider (playwright/fixtures/oidc-provider.ts,
// started as the first webServer): its own login and consent pages, then back to Flightdeck with
// the role its groups claim maps to (FLIGHTDECK_OIDC_ROLE_MAP in e2e-env.ts).

const ssoButton = (page: Page) => page.getByRole("button", { name: `Sign in with ${E2E.oidc.label}` });

/** Clicks the SSO button and signs in at the provider as `login` (the provider accepts any password). */
async function signInAtProvider(page: Page, login: string): Promise<void> {
  // The provider's development pages import a web font; this machine reaches no internet.
  await page.route("https://fonts.googleapis.com/**", (route) => route.abort());
  await page.goto("/sign-in");
  await ssoButton(page).click();
  await page.waitForURL((url) => url.origin === E2E.oidc.issuer);
  await page.getByPlaceholder("Enter any login").fill(login);
  await page.getByPlaceholder("and password").fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click(); // the provider's consent page
}

async function signInWithSso(page: Page, login: string): Promise<void> {
  await signInAtProvider(page, login);
  await page.waitForURL(/\/runs$/);
}

test.describe("single sign-on", () => {
  test("the sign-in page offers the provider above the e-mail form, and is accessible", async ({ page }) => {
    await page.goto("/sign-in");
    await expect(ssoButton(page)).toBeVisible();
    await expect(page.getByLabel("E-mail")).toBeVisible(); // local accounts still sign in
    const ssoTop = (await ssoButton(page).boundingBox())?.y ?? Infinity;
    const emailTop = (await page.getByLabel("E-mail").boundingBox())?.y ?? -Infinity;
    expect(ssoTop).toBeLessThan(emailTop);
    await expectAccessible(page);
  });

  test("a release manager at the provider lands on the runs as a release manager; someone in no mapped group as a viewer", async ({ browser }) => {
    const managerContext = await browser.newContext();
    const manager = await managerContext.newPage();
    await signInWithSso(manager, "sso-manager");
    const header = manager.getByRole("banner");
    await expect(header.getByText("Sam Manager")).toBeVisible();
    await expect(header.getByText("release manager")).toBeVisible();
    await expect(manager.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "New run" })).toBeVisible();
    await managerContext.close();

    const viewerContext = await browser.newContext();
    const viewer = await viewerContext.newPage();
    await signInWithSso(viewer, "sso-viewer");
    await expect(viewer.getByRole("banner").getByText("Vic Viewer")).toBeVisible();
    await expect(viewer.getByRole("banner").getByText("viewer", { exact: true })).toBeVisible();
    await expect(viewer.getByRole("link", { name: "New run" })).toHaveCount(0);
    await viewerContext.close();
  });

  test("an address the provider has not verified does not open the local account that has it", async ({ page, browser }) => {
    await signInAtProvider(page, "sso-impostor");
    await page.waitForURL(/\/sign-in\?error=account_not_linked$/);
    await expect(page.getByRole("main").getByRole("alert")).toContainText("A Flightdeck account with this e-mail already exists");
    await page.goto("/runs");
    await expect(page).toHaveURL(/\/sign-in/);
    // the account itself is untouched: its owner still signs in with the password, as on-call
    const owner = await browser.newPage();
    await signIn(owner, USERS.onCall);
    await expect(owner.getByRole("banner").getByText("on call", { exact: true })).toBeVisible();
    await owner.close();
  });
});
