import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";
import { E2E } from "./playwright/fixtures/e2e-env";

// Debian's chromium (what CI installs) or a Playwright-managed one on a developer laptop.
// Never downloads a browser: our network reaches only the package registries.
function chromiumPath(): string | undefined {
  for (const candidate of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) if (existsSync(candidate)) return candidate;
  return undefined; // Playwright's own, if installed; otherwise it says what to install
}
const executablePath = chromiumPath();
if (!executablePath) {
  console.warn("No system Chromium found: install Debian's `chromium` package (apt-get install -y chromium).");
}

export default defineConfig({
  testDir: "playwright",
  outputDir: "test-results/playwright",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  retries: 0,
  reporter: [["list"], ["json", { outputFile: "test-results/playwright.json" }]],
  use: {
    baseURL: E2E.baseUrl,
    trace: "off",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath,
          args: [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
          ],
        },
      },
    },
  ],
  webServer: [
    {
      // The single sign-on tests' OpenID Connect provider, up before Flightdeck discovers it.
      command: "node --import tsx playwright/fixtures/oidc-provider.ts",
      url: `${E2E.oidc.issuer}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "ignore",
      stderr: "pipe",
      env: { E2E_OIDC_PORT: String(E2E.oidc.port), E2E_PORT: new URL(E2E.baseUrl).port },
    },
    {
      // The production build, started the way `npm start` starts it, on its own embedded database.
      command: "node --import tsx server/main.ts",
      url: `${E2E.baseUrl}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "pipe",
      stderr: "pipe",
      env: E2E.serverEnv,
      gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    },
  ],
});
