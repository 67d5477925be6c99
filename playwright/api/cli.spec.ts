import { spawn } from "node:child_process";
import path from "node:path";
import { E2E } from "../fixtures/e2e-env";
import { expect, signIn, test, USERS } from "../fixtures/test";
import { clearActiveRuns } from "../runs/helpers";

/** Runs the real `flightdeck` CLI (bin/flightdeck.mjs) as its own process against the e2e server. */
function cli(args: string[], env: Record<string, string> = {}): { done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [path.resolve("bin/flightdeck.mjs"), ...args], {
    // The admin commands find the server's embedded database the way an operator's shell would.
    env: { ...process.env, FLIGHTDECK_DATA_DIR: E2E.serverEnv.FLIGHTDECK_DATA_DIR, EMBEDDED_PG_PORT: E2E.serverEnv.EMBEDDED_PG_PORT, CI: "1", FLIGHTDECK_URL: "", FLIGHTDECK_TOKEN: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return { done: new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr }))) };
}

test.describe("the CLI in a pipeline", () => {
  test("a token from `admin token create` lets `run create --wait` follow a run to its release (exit 0) and another to its rollback (exit 2)", async ({ page }) => {
    test.setTimeout(120_000);
    const created = await cli(["admin", "token", "create", "--name", "e2e-ci", "--role", "release_manager"]).done;
    expect(created.code, created.stderr).toBe(0);
    const token = /fd_[A-Za-z0-9_-]{43}/.exec(created.stdout)?.[0];
    expect(token, created.stdout).toBeDefined();
    const env = { FLIGHTDECK_URL: E2E.baseUrl, FLIGHTDECK_TOKEN: token ?? "" };

    await signIn(page, USERS.manager);
    await clearActiveRuns(page, "checkout", "staging");
    // Checkout's staging is on the manual router: the test confirms each weight as the operator would.
    const released = cli(["run", "create", "--service", "checkout", "--environment", "staging", "--version", "1.8.0", "--risk", "low", "--commit-sha", "0123abcd", "--wait"], env);
    let finished = false;
    void released.done.then(() => (finished = true));
    const confirmEachWeight = async () => {
      while (!finished) {
        const [run] = (await (await page.request.get("/api/runs?service=checkout&environment=staging&status=active")).json()) as { id: string }[];
        if (!run) {
          await page.waitForTimeout(300);
          continue;
        }
        const state = ((await (await page.request.get(`/api/runs/${run.id}`)).json()) as { state: { waitingFor: string | null; steps: { percent: number }[]; stepIndex: number } }).state;
        const step = state.steps[state.stepIndex];
        if (state.waitingFor === "weight_confirmation" && step) await page.request.post(`/api/v1/runs/${run.id}/commands`, { data: { kind: "confirmWeight", percent: step.percent } });
        await page.waitForTimeout(300);
      }
    };
    const [outcome] = await Promise.all([released.done, confirmEachWeight()]);
    expect(outcome.code, outcome.stdout + outcome.stderr).toBe(0);
    // CI output: plain timestamped lines, the run's number and how it ended.
    expect(outcome.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z #\d+ checkout 1\.8\.0/m);
    expect(outcome.stdout).toMatch(/released/i);

    // A run rolled back by the on-call engineer ends the pipeline with exit code 2.
    const rolledBack = cli(["run", "create", "--service", "checkout", "--environment", "staging", "--version", "1.8.1", "--risk", "low", "--wait"], env);
    await expect
      .poll(async () => ((await (await page.request.get("/api/runs?service=checkout&environment=staging&status=active")).json()) as unknown[]).length, { timeout: 30_000 })
      .toBe(1);
    const [run] = (await (await page.request.get("/api/runs?service=checkout&environment=staging&status=active")).json()) as { id: string }[];
    await expect.poll(async () => ((await (await page.request.get(`/api/runs/${run?.id}`)).json()) as { state: { phase: string } }).state.phase, { timeout: 30_000 }).toBe("rollout");
    await page.request.post(`/api/v1/runs/${run?.id}/commands`, { data: { kind: "rollback", reason: "pager fired during the e2e pipeline" } });
    await page.request.post(`/api/v1/runs/${run?.id}/commands`, { data: { kind: "confirmWeight", percent: 0 } });
    const second = await rolledBack.done;
    expect(second.code, second.stdout + second.stderr).toBe(2);
    expect(second.stdout).toMatch(/rolled back/i);

    // Without a token the CLI says exactly what to set, and sends nothing.
    const bare = await cli(["run", "list"], { FLIGHTDECK_URL: E2E.baseUrl }).done;
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toMatch(/FLIGHTDECK_TOKEN/);
  });
});
