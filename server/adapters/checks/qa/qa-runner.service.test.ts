import { existsSync, readFileSync, utimesSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_LOG_LINES } from "./run-command.ts";
import { makeWorkspace, runQa } from "./test-helpers.ts";

// Real processes, real files: what a release manager sees on the run page.
const ws = makeWorkspace();
afterAll(() => ws.remove());
const sh = (script: string, timeoutMs = 5_000) => ({ command: "/bin/sh", args: ["-c", script], timeoutMs });

// Gone, or a zombie waiting for a container's init that never reaps (dead all the same). Linux /proc.
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2).charAt(0);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

describe("qa-test-engineer configuration", () => {
  it("is not configured without a configuration, with an empty one, or with only a workspace", async () => {
    for (const config of [undefined, null, {}, { workspace: ws.dir }]) {
      const r = await runQa(config);
      expect(r.status).toBe("not_configured");
      expect(r.findings).toEqual([]);
      expect(r.progress.at(-1)).toBe(100);
    }
  });

  it("an invalid configuration is an error that says what is wrong", async () => {
    const r = await runQa({ workspace: "relative/dir", junitPaths: ["/etc/passwd"] });
    expect(r.status).toBe("error");
    expect(r.verdict).toMatch(/^Could not run: configuration: Invalid qa-test-engineer configuration: /);
    expect(r.verdict).toMatch(/must be an absolute path without “..”[; ]+→ at workspace/);
    expect(r.verdict).toContain("relative to the workspace");
  });

  it("a workspace that does not exist is an error, not a pass", async () => {
    const r = await runQa({ workspace: "/nonexistent/checkout", junitPaths: ["junit/pass.xml"] });
    expect(r).toMatchObject({ status: "error", verdict: "Could not run: workspace: Workspace /nonexistent/checkout does not exist or is not a folder" });
  });
});

describe("the test command", () => {
  it("passes when it exits 0, with its output in the live log", async () => {
    const r = await runQa({ workspace: ws.dir, testCommand: sh("echo ok; echo warn >&2") });
    expect(r.status).toBe("passed");
    expect(r.summary).toBe("test command passed");
    expect(r.logs).toContain("[tests] ok");
    expect(r.logs).toContain("[tests] warn");
    expect(r.progress).toEqual([0, 100]);
    // Viewers read the log too: it names the program, not the arguments (paths, hosts, tokens).
    expect(r.logs).toContain("Running the test command (sh with 2 arguments)");
    expect(r.logs.join("\n")).not.toContain("echo ok");
  });

  it("runs in the workspace with only PATH and CI=true, not the server's environment", async () => {
    const r = await runQa({ workspace: ws.dir, testCommand: sh("pwd; env") });
    expect(r.status).toBe("passed");
    expect(r.logs).toContain(`[tests] ${ws.dir}`);
    expect(r.logs).toContain("[tests] CI=true");
    expect(r.logs.join("\n")).not.toMatch(/DATABASE_URL|NODE_OPTIONS|VITEST/);
  });

  it("fails with a high finding when it exits non-zero, its output as evidence", async () => {
    const r = await runQa({ workspace: ws.dir, testCommand: sh("echo '1 test failed: refunds a settled payment' >&2; exit 2") });
    expect(r.status).toBe("failed");
    expect(r.summary).toBe("test command failed (exit 2)");
    expect(r.findings).toEqual([{ check: "tests", severity: "high", message: "test command failed (exit 2)", evidence: "1 test failed: refunds a settled payment" }]);
  });

  it("a hanging command is killed at its timeout, with everything it started", async () => {
    const pidFile = path.join(ws.dir, "sleep.pid");
    const t0 = Date.now();
    const r = await runQa({ workspace: ws.dir, testCommand: sh(`echo started; sleep 30 & echo $! > ${pidFile}; wait`, 300) });
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(r.status).toBe("failed");
    expect(r.messages).toEqual(["high: test command timed out after 300 ms and was killed"]);
    expect(r.findings[0]?.evidence).toBe("started");
    // The sleep ran in the command's process group: killed with it, not left behind.
    const pid = Number(readFileSync(pidFile, "utf8"));
    await new Promise((res) => setTimeout(res, 100));
    expect(isRunning(pid)).toBe(false);
  });

  it("is cancelled when the run is aborted: killed at once, and the check is not a pass", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("release rolled back")), 200);
    const t0 = Date.now();
    const r = await runQa({ workspace: ws.dir, testCommand: sh("sleep 30", 60_000), junitPaths: ["junit/pass.xml"] }, controller.signal);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(r.status).toBe("error");
    expect(r.verdict).toBe("Could not run: tests: cancelled; remaining checks: cancelled (release rolled back)");
    expect(r.logs.some((l) => l.startsWith("JUnit"))).toBe(false); // nothing ran after the cancel
  });

  it("keeps the live log to its cap, with a marker for the rest", async () => {
    const r = await runQa({ workspace: ws.dir, testCommand: sh("i=0; while [ $i -lt 620 ]; do echo line-$i; i=$((i+1)); done") });
    const lines = r.logs.filter((l) => l.startsWith("[tests]"));
    expect(lines).toHaveLength(MAX_LOG_LINES + 1);
    expect(lines.at(-2)).toBe(`[tests] line-${MAX_LOG_LINES - 1}`);
    expect(lines.at(-1)).toBe(`[tests] … 120 more lines not shown (log capped at ${MAX_LOG_LINES} lines)`);
  });

  it("a program that does not exist is an error with the reason", async () => {
    const r = await runQa({ workspace: ws.dir, testCommand: { command: "/nonexistent/vitest", args: ["run"], timeoutMs: 1_000 } });
    expect(r.status).toBe("error");
    expect(r.verdict).toMatch(/^Could not run: tests: test command did not start: could not start \/nonexistent\/vitest: .*ENOENT/);
  });

  it("finds programs on PATH by name", async () => {
    const r = await runQa({ workspace: ws.dir, testCommand: { command: "true", args: [], timeoutMs: 2_000 } });
    expect(r.status).toBe("passed");
  });

  it("reads the JUnit report the command wrote; a report left over from an earlier run is an error", async () => {
    const fresh = await runQa({ workspace: ws.dir, testCommand: sh("mkdir -p reports && cp junit/pass.xml reports/junit.xml"), junitPaths: ["reports/junit.xml"] });
    expect(fresh).toMatchObject({ status: "passed", summary: "test command passed; 6 tests, 0 failed, 1 skipped" });

    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(path.join(ws.dir, "reports", "junit.xml"), hourAgo, hourAgo);
    const stale = await runQa({ workspace: ws.dir, testCommand: sh("echo 'forgot the junit reporter'"), junitPaths: ["reports/junit.xml"] });
    expect(stale.status).toBe("error");
    expect(stale.verdict).toContain("JUnit report reports/junit.xml was not written by this run's test command");
  });
});

describe("the resilience hook", () => {
  it("passes with an info finding when it exits 0", async () => {
    const r = await runQa({ workspace: ws.dir, chaosCommand: sh("echo 'killed 1 of 3 pods; p99 held'") });
    expect(r.status).toBe("passed");
    expect(r.messages).toEqual(["info: resilience hook passed"]);
    expect(r.logs).toContain("[chaos] killed 1 of 3 pods; p99 held");
  });

  it("fails with a high finding otherwise", async () => {
    const r = await runQa({ workspace: ws.dir, chaosCommand: sh("echo 'error rate 7% after pod kill'; exit 1") });
    expect(r.status).toBe("failed");
    expect(r.findings).toEqual([{ check: "resilience", severity: "high", message: "resilience hook failed (exit 1)", evidence: "error rate 7% after pod kill" }]);
  });
});

describe("a full qa-test-engineer run", () => {
  it("runs every part with progress and one summary", async () => {
    const r = await runQa({
      workspace: ws.dir,
      // Like a real suite, the command writes the reports the next parts read.
      testCommand: sh("mkdir -p out && cp junit/pass.xml junit/single-suite.xml coverage/coverage-summary-high.json out/ && echo 8 passed"),
      junitPaths: ["out/pass.xml", "out/single-suite.xml"],
      coverage: { summaryPath: "out/coverage-summary-high.json", criticalPaths: ["src/payments"] },
      openapi: { previousPath: "openapi/previous.yaml", currentPath: "openapi/current-compatible.json" },
      chaosCommand: sh("exit 0"),
    });
    expect(r.status).toBe("passed");
    expect(r.summary).toBe("test command passed; 8 tests, 0 failed, 1 skipped; coverage 86% on src/payments; API compatible; resilience hook passed");
    expect(r.progress).toEqual([0, 20, 40, 60, 80, 100]);
    expect(r.findings.every((f) => f.severity === "info")).toBe(true);
  });

  it("coverage and API checks without a test run or report say the tests were not checked (no evidence that they pass)", async () => {
    const r = await runQa({ workspace: ws.dir, openapi: { previousPath: "openapi/previous.yaml", currentPath: "openapi/previous.yaml" } });
    expect(r.status).toBe("passed");
    expect(r.all).toContainEqual(expect.objectContaining({ check: "tests", severity: "info", message: "tests not checked: not configured" }));
  });

  it("reports every part even when one cannot run: failed when the others found blocking problems, naming what could not run", async () => {
    const r = await runQa({
      workspace: ws.dir,
      junitPaths: ["junit/pass.xml"],
      coverage: { lcovPath: "coverage/missing.info", criticalPaths: ["src/payments"] },
      openapi: { previousPath: "openapi/previous.yaml", currentPath: "openapi/current-breaking.yaml" },
    });
    // Failed, not error: a blocking finding must not become waivable because another part broke.
    expect(r.status).toBe("failed");
    expect(r.verdict).toBe("6 tests, 0 failed, 1 skipped; 13 breaking API changes; 13 high finding(s) block (high or above); could not run: coverage: lcov tracefile not found: coverage/missing.info");
    expect(r.findings.filter((f) => f.severity === "high")).toHaveLength(13);
    expect(existsSync(path.join(ws.dir, "coverage", "missing.info"))).toBe(false);
  });
});
