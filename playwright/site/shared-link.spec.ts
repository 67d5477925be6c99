import { expect, test } from "../fixtures/test";

// What a browser, a phone's home screen and a chat app's link preview read before anyone signs in.
test.describe("the product's icon, manifest and link card", () => {
  test("a shared link previews with the product's card, and the app installs with its icons", async ({ page }) => {
    await page.goto("/sign-in");
    const og = await page.locator('meta[property="og:image"]').getAttribute("content");
    expect(og).toMatch(/\/og-image\.png$/);
    await expect(page.locator('meta[property="og:title"]')).toHaveAttribute("content", "Flightdeck");
    const card = await page.request.get(new URL(og ?? "", page.url()).pathname);
    expect(card.status()).toBe(200);
    expect(card.headers()["content-type"]).toBe("image/png");

    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute("href");
    const manifest = await (await page.request.get(manifestHref ?? "")).json();
    expect(manifest.name).toContain("Flightdeck");
    expect(manifest.icons.length).toBeGreaterThanOrEqual(3);
    for (const icon of manifest.icons as { src: string }[]) {
      expect((await page.request.get(icon.src)).status(), icon.src).toBe(200);
    }
    await expect(page.locator('link[rel="icon"]')).toHaveAttribute("href", /icon\.svg/);
  });
});
