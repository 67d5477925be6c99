import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { securityRunner } from "./security-runner.ts";
import { fixture, securityContext, startSite } from "./security.fixture.ts";
import { judgedRun } from "../judged.fixture.ts";

// The agent as the engine runs it: several sub-checks configured together.
let workspace: string;
let site: Awaited<ReturnType<typeof startSite>>;

beforeAll(async () => {
  workspace = await mkdtemp(path.join(os.tmpdir(), "flightdeck-security-runner-"));
  await writeFile(path.join(workspace, "index.ts"), `export const port = Number(process.env.PORT ?? 3000);\n`);
  site = await startSite({});
});
afterAll(async () => {
  await site.close();
  await rm(workspace, { recursive: true, force: true });
});

describe("security-audit-specialist", () => {
  it("no configuration is not_configured", async () => {
    for (const config of [undefined, null, {}]) {
      expect((await judgedRun(securityRunner, securityContext(config))).status).toBe("not_configured");
    }
  });

  it("an invalid configuration is an error with zod's message", async () => {
    const result = await judgedRun(securityRunner, securityContext({ workspace: "repo", urls: ["ftp://staging"], reports: {} }));
    expect(result.status).toBe("error");
    expect(result.summary).toContain("Invalid security-audit-specialist configuration");
    expect(result.summary).toContain("must be an absolute path");
    expect(result.summary).toContain("must be an http(s) URL");
    expect(result.summary).toContain("list at least one report (npmAudit, sarif or cyclonedx)");
  });

  it("runs every configured sub-check; those left out are reported as not checked, never silently passed", async () => {
    const ctx = securityContext({ reports: { npmAudit: [fixture("reports/npm-audit-clean.json")], sarif: [fixture("reports/sarif-clean.json")] }, workspace, compliance: { evidenceDir: fixture("evidence-sox-complete") } }, { compliance: "sox" });
    const result = await judgedRun(securityRunner, ctx);
    expect(result.status).toBe("passed");
    expect(result.summary).toBe("checked 2 scanner report(s), secrets in 1 file(s), 4 sox evidence item(s)");
    expect(result.findings.filter((f) => f.message.endsWith("not configured")).map((f) => f.message)).toEqual(["staging web security not checked: not configured"]);
    expect(ctx.progressSeen.at(-1)).toBe(100);
  });

  it("a malformed report is named while the other checks still run; their high findings keep the agent failed (never a waivable error)", async () => {
    const result = await judgedRun(securityRunner, 
      securityContext({ reports: { sarif: [fixture("reports/sarif-1.0.json")] }, workspace, compliance: { evidenceDir: fixture("evidence-sox-incomplete") } }, { compliance: "sox" }),
    );
    expect(result.status).toBe("failed");
    expect(result.summary).toMatch(/; could not run: scanner reports: .*sarif-1\.0\.json is not a SARIF report/);
    expect(result.findings.filter((f) => f.severity === "high").map((f) => f.message)).toEqual(["sox evidence missing: segregation of duties approval record (approver is not the author)", "sox evidence missing: rollback plan"]);
  });

  it("a run cancelled while staging hangs stops at once and says so", async () => {
    const controller = new AbortController();
    const ctx = securityContext({ urls: [site.url("/never-answers")] }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("run rolled back")), 200);
    const t0 = Date.now();
    const result = await judgedRun(securityRunner, ctx);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(result).toMatchObject({ status: "error", summary: expect.stringMatching(/^Could not run: remaining checks: cancelled before the checks finished: run rolled back/) });
  });
});
