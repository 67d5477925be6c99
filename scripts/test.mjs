// `npm test`: every check the project has, in order, with one honest closing line.
// typecheck → lint → migration drift → unit + service tests (vitest, real PostgreSQL) →
// production build → end-to-end tests (Playwright + axe in Chromium against that build).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
mkdirSync(path.join(root, "test-results"), { recursive: true });

const tally = [];
function record(tier, passed, failed, note = "") {
  tally.push({ tier, passed, failed, note });
}

function run(label, cmd, args, env = {}) {
  console.log(`\n━━ ${label} ━━`);
  const started = Date.now();
  const res = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env } });
  console.log(`── ${label}: ${res.status === 0 ? "ok" : `exit ${res.status ?? res.signal}`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return res.status === 0;
}

/** A step that passes or fails as a whole counts as one. */
function check(label, ok) {
  record(label, ok ? 1 : 0, ok ? 0 : 1);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

check("typecheck", run("typecheck", bin("tsc"), ["--noEmit"]));
check("lint", run("lint", bin("eslint"), ["--max-warnings", "0", "."]));
check("migration drift", run("migration drift", process.execPath, ["--import", "tsx", "scripts/check-drift.ts"]));

// Unit (pure core) and service (real PostgreSQL) tiers.
const vitestJson = path.join(root, "test-results", "vitest.json");
rmSync(vitestJson, { force: true });
const vitestOk = run("unit + service tests", bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile=${vitestJson}`]);
if (existsSync(vitestJson)) {
  const report = JSON.parse(readFileSync(vitestJson, "utf8"));
  const tiers = { unit: [0, 0], service: [0, 0] };
  for (const file of report.testResults) {
    const tier = file.name.includes(`${path.sep}core${path.sep}`) ? "unit" : "service";
    let failedHere = 0;
    for (const t of file.assertionResults) {
      if (t.status === "passed") tiers[tier][0]++;
      else if (t.status === "failed") failedHere++;
    }
    // A file that failed outside its tests (it did not load, or a hook threw and its tests were
    // skipped) is a failure, whatever vitest's exit code says.
    if (file.status === "failed" && failedHere === 0) failedHere = 1;
    tiers[tier][1] += failedHere;
  }
  record("unit", ...tiers.unit);
  record("service", ...tiers.service);
} else {
  record("unit + service", 0, 1, vitestOk ? "no report" : "vitest failed to run");
}

// End-to-end: the production build, a fresh embedded database, Debian's Chromium.
const built = run("production build", bin("next"), ["build"]);
check("build", built);
if (built) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "flightdeck-e2e-"));
  chmodSync(dataDir, 0o755); // the embedded PostgreSQL runs as an unprivileged user
  const pwJson = path.join(root, "test-results", "playwright.json");
  rmSync(pwJson, { force: true });
  run("end-to-end tests", bin("playwright"), ["test"], {
    E2E_DATA_DIR: path.join(dataDir, "data"),
    E2E_PORT: String(await freePort()),
    E2E_PG_PORT: String(await freePort()),
    E2E_OIDC_PORT: String(await freePort()),
  });
  rmSync(dataDir, { recursive: true, force: true });
  if (existsSync(pwJson)) {
    const { stats, errors } = JSON.parse(readFileSync(pwJson, "utf8"));
    record("e2e", stats.expected, stats.unexpected + stats.flaky + (errors?.length ?? 0));
  } else {
    record("e2e", 0, 1, "playwright produced no report");
  }
} else {
  record("e2e", 0, 1, "skipped: build failed");
}

console.log("\n━━ summary ━━");
for (const t of tally) console.log(`${t.tier.padEnd(16)} ${String(t.passed).padStart(4)} passed ${String(t.failed).padStart(3)} failed${t.note ? `  (${t.note})` : ""}`);
const passed = tally.reduce((n, t) => n + t.passed, 0);
const failed = tally.reduce((n, t) => n + t.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
