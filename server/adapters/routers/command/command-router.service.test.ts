import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteTarget } from "../../../engine/ports.ts";
import { CommandRouter } from "./command-router.ts";

// Real processes: a node script that appends its argv, environment and directory to a file, and
// /bin/sh for the failures. Nothing is mocked.
let dir: string;
let record: string;
let log: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "fd-command-router-"));
  record = path.join(dir, "record.cjs");
  log = path.join(dir, "calls.jsonl");
  await writeFile(
    record,
    `require("node:fs").appendFileSync(${JSON.stringify(log)}, JSON.stringify({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd() }) + "\\n");`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Call = { argv: string[]; env: Record<string, string>; cwd: string };
async function calls(): Promise<Call[]> {
  const text = await readFile(log, "utf8").catch(() => "");
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Call);
}

const target: RouteTarget = { runId: "run-81", service: "checkout", environment: "production", baseline: "2.3.0", canary: "2.3.1" };

describe("command router", () => {
  it("runs the command once per weight change, 5 → 50 → 100, with the change in its environment and arguments", async () => {
    await rm(log, { force: true });
    const router = new CommandRouter({
      command: [process.execPath, record, "--weight={weight}", "--baseline-weight={baselineWeight}", "route/{service}-{environment}", "{runId}", "{baselineVersion}..{canaryVersion}", "{unknown} stays"],
      timeoutSeconds: 10,
      workingDirectory: dir,
    });
    for (const percent of [5, 50, 100]) {
      await router.setWeight(target, percent);
      expect(await router.verifyWeight(target, percent)).toBe(true);
    }
    const seen = await calls();
    expect(seen.map((c) => c.argv)).toEqual([
      ["--weight=5", "--baseline-weight=95", "route/checkout-production", "run-81", "2.3.0..2.3.1", "{unknown} stays"],
      ["--weight=50", "--baseline-weight=50", "route/checkout-production", "run-81", "2.3.0..2.3.1", "{unknown} stays"],
      ["--weight=100", "--baseline-weight=0", "route/checkout-production", "run-81", "2.3.0..2.3.1", "{unknown} stays"],
    ]);
    const last = seen[2];
    expect(last?.cwd).toBe(dir);
    expect(last?.env).toMatchObject({
      FLIGHTDECK_WEIGHT: "100",
      FLIGHTDECK_BASELINE_WEIGHT: "0",
      FLIGHTDECK_SERVICE: "checkout",
      FLIGHTDECK_ENVIRONMENT: "production",
      FLIGHTDECK_RUN_ID: "run-81",
      FLIGHTDECK_BASELINE_VERSION: "2.3.0",
      FLIGHTDECK_CANARY_VERSION: "2.3.1",
    });
    // The server's own settings (database URL, secrets) are not handed to the team's program.
    expect(Object.keys(last?.env ?? {}).filter((k) => !k.startsWith("FLIGHTDECK_"))).toEqual(["PATH"]);
    // Verification is the exit code of the last change of this run: another run or weight is not it.
    expect(await router.verifyWeight(target, 50)).toBe(false);
    expect(await router.verifyWeight({ ...target, runId: "run-82" }, 100)).toBe(false);
  });

  it("keeps a hostile value one literal argument: no shell ever sees it", async () => {
    await rm(log, { force: true });
    const canary = await mkdtemp(path.join(tmpdir(), "fd-must-survive-"));
    try {
      const hostile = `2.3.1; rm -rf ${canary} $(touch ${canary}/pwned) \`id\` && echo {weight}`;
      const router = new CommandRouter({ command: [process.execPath, record, "{canaryVersion}", "v={canaryVersion}"], timeoutSeconds: 10 });
      await router.setWeight({ ...target, canary: hostile }, 25);
      const [call] = await calls();
      // One argument each, byte for byte; the {weight} inside the value is not substituted again.
      expect(call?.argv).toEqual([hostile, `v=${hostile}`]);
      expect(call?.env.FLIGHTDECK_CANARY_VERSION).toBe(hostile);
      await expect(readFile(path.join(canary, "pwned"))).rejects.toThrow(/ENOENT/);
      await expect(readFile(canary)).rejects.toThrow(/EISDIR/); // still there
    } finally {
      await rm(canary, { recursive: true, force: true });
    }
  });

  it("a non-zero exit fails the weight change with the code and the end of stderr", async () => {
    const router = new CommandRouter({
      command: ["/bin/sh", "-c", 'echo "patching route to $FLIGHTDECK_WEIGHT%"; echo "Error from server (NotFound): httproutes \\"checkout\\" not found" >&2; exit 3'],
      timeoutSeconds: 10,
    });
    await expect(router.setWeight(target, 50)).rejects.toThrow(
      'router command /bin/sh (setting 50% to the canary) exited with code 3; stderr: Error from server (NotFound): httproutes "checkout" not found',
    );
    expect(await router.verifyWeight(target, 50)).toBe(false);
  });

  it("a command that hangs is killed at its timeout, with what it started", async () => {
    const router = new CommandRouter({ command: ["/bin/sh", "-c", "echo waiting for rollout >&2; sleep 30"], timeoutSeconds: 1 });
    const started = Date.now();
    await expect(router.setWeight(target, 5)).rejects.toThrow("router command /bin/sh (setting 5% to the canary) timed out after 1 s and was killed; stderr: waiting for rollout");
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(await router.verifyWeight(target, 5)).toBe(false);
  });

  it("a failure after a success leaves no weight confirmed, and a program that is missing says so", async () => {
    const ok = new CommandRouter({ command: ["/bin/sh", "-c", 'test "$FLIGHTDECK_WEIGHT" != 50'], timeoutSeconds: 5 });
    await ok.setWeight(target, 5);
    expect(await ok.verifyWeight(target, 5)).toBe(true);
    await expect(ok.setWeight(target, 50)).rejects.toThrow(/exited with code 1 \(nothing on stderr\)/);
    expect(await ok.verifyWeight(target, 5)).toBe(false);

    const missing = new CommandRouter({ command: ["/nonexistent/kubectl", "patch"], timeoutSeconds: 5 });
    await expect(missing.setWeight(target, 5)).rejects.toThrow(/router command \/nonexistent\/kubectl \(setting 5% to the canary\) could not start: .*ENOENT/);
  });

  it("keeps only the end of a chatty command's stderr", async () => {
    const router = new CommandRouter({ command: ["/bin/sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo line-$i >&2; i=$((i+1)); done; exit 1"], timeoutSeconds: 10 });
    const error = await router.setWeight(target, 5).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain("line-1999");
    expect(error?.message).not.toContain("line-0\n");
    expect(error?.message.length).toBeLessThan(2_200);
  });

  it("runs one change at a time, in the order asked", async () => {
    await rm(log, { force: true });
    const slow = path.join(dir, "slow.cjs");
    await writeFile(slow, `setTimeout(() => require("node:fs").appendFileSync(${JSON.stringify(log)}, JSON.stringify({ argv: process.argv.slice(2), env: {}, cwd: "" }) + "\\n"), Number(process.argv[2]) === 5 ? 300 : 0);`);
    const router = new CommandRouter({ command: [process.execPath, slow, "{weight}"], timeoutSeconds: 10 });
    await Promise.all([router.setWeight(target, 5), router.setWeight(target, 25)]);
    expect((await calls()).map((c) => c.argv[0])).toEqual(["5", "25"]);
    expect(await router.verifyWeight(target, 25)).toBe(true);
  });
});
