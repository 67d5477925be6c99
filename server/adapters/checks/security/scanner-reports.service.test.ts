import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckFinding } from "../../../engine/ports.ts";
import { MAX_VULNERABILITY_FINDINGS } from "./scanner-reports.ts";
import { securityRunner } from "./security-runner.ts";
import { fixture, securityContext } from "./security.fixture.ts";
import { judgedRun } from "../judged.fixture.ts";

// Real reports as npm 10, CodeQL / Semgrep and Trivy write them, from ./fixtures/reports.
const report = (name: string) => fixture(`reports/${name}`);
const run = (reports: Record<string, string[]>) => judgedRun(securityRunner, securityContext({ reports }));
// The findings of this sub-check, without the other sub-checks' "not configured" notes.
const reported = (findings: CheckFinding[]) => findings.filter((f) => !f.message.endsWith("not checked: not configured"));

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "flightdeck-security-reports-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("npm audit", () => {
  it("a clean audit passes", async () => {
    const ctx = securityContext({ reports: { npmAudit: [report("npm-audit-clean.json")] } });
    const result = await judgedRun(securityRunner, ctx);
    expect(result.status).toBe("passed");
    expect(result.summary).toContain("checked 1 scanner report(s)");
    expect(result.findings.filter((f) => f.message.startsWith("npm audit"))).toEqual([]);
    expect(ctx.logs).toContain(`npm audit ${report("npm-audit-clean.json")}: no vulnerabilities`);
  });

  it("a critical vulnerability blocks: one finding per vulnerable package, most severe first, moderate as medium", async () => {
    const result = await run({ npmAudit: [report("npm-audit-critical.json")] });
    expect(result.status).toBe("failed");
    const npm = reported(result.findings);
    expect(npm.map((f) => [f.severity, f.message])).toEqual([
      ["critical", "npm audit: minimist <0.2.4: Prototype Pollution in minimist"],
      ["critical", "npm audit: mkdirp 0.4.1 - 0.5.1: through minimist"],
      ["high", "npm audit: semver 7.0.0 - 7.5.1: semver vulnerable to Regular Expression Denial of Service"],
      ["medium", "npm audit: postcss <8.4.31: PostCSS line return parsing error"],
    ]);
    expect(npm[0]).toMatchObject({
      evidence: `minimist <0.2.4 at node_modules/minimist; GHSA-xvch-5gv4-984h; fix: mkdirp@0.5.6; report ${report("npm-audit-critical.json")}`,
      link: "https://github.com/advisories/GHSA-xvch-5gv4-984h",
    });
    expect(npm[3]?.evidence).toContain("fix: postcss@8.4.31 (semver-major)");
  });

  it("an npm 6 report is refused with the schema's message", async () => {
    const result = await run({ npmAudit: [report("npm-audit-v6.json")] });
    expect(result.status).toBe("error");
    expect(result.summary).toMatch(/npm-audit-v6\.json is not a npm audit report: .*npm 6 reports are not supported.*auditReportVersion/);
  });
});

describe("SARIF", () => {
  it("a run without results passes", async () => {
    const result = await run({ sarif: [report("sarif-clean.json")] });
    expect(result.status).toBe("passed");
  });

  it("takes severity from security-severity, else the level; skips accepted suppressions; evidence has rule, file:line and message", async () => {
    const result = await run({ sarif: [report("sarif-findings.json")] });
    expect(result.status).toBe("failed");
    const sarif = reported(result.findings);
    expect(sarif.map((f) => [f.severity, f.message])).toEqual([
      ["critical", "CodeQL: Code injection in server/routes/discounts.ts:42"],
      ["high", "CodeQL: Database query built from user-controlled sources in server/repositories/orders.ts:88"],
      ["medium", "Semgrep OSS: Semgrep Finding: javascript.express.security.audit.express-cookie-settings.express-cookie-session-no-httponly in server/app.ts:31"],
    ]);
    expect(sarif[0]).toMatchObject({
      evidence: `rule js/code-injection at server/routes/discounts.ts:42: This code execution depends on a [user-provided value](1).; report ${report("sarif-findings.json")}`,
      link: "https://codeql.github.com/codeql-query-help/javascript/js-code-injection/",
    });
    expect(result.findings.some((f) => f.message.includes("reset-token"))).toBe(false);
  });

  it("a SARIF 1.0 file is refused with the version it has", async () => {
    const result = await run({ sarif: [report("sarif-1.0.json")] });
    expect(result.status).toBe("error");
    expect(result.summary).toMatch(/sarif-1\.0\.json is not a SARIF report: .*expected "2\.1\.0".*version/);
  });
});

describe("CycloneDX", () => {
  it("names the affected component as name@version, takes the worst rating, blocks on critical", async () => {
    const result = await run({ cyclonedx: [report("cyclonedx-critical.json")] });
    expect(result.status).toBe("failed");
    expect(reported(result.findings).map((f) => [f.severity, f.message])).toEqual([
      ["critical", "CycloneDX: CVE-2023-45133 in @babel/traverse@7.22.5"],
      ["high", "CycloneDX: CVE-2022-23529 in jsonwebtoken@8.5.1"],
      ["medium", "CycloneDX: CVE-2023-5678 in libssl3@3.0.11-1~deb12u1"],
    ]);
    expect(result.findings[0]).toMatchObject({
      evidence: expect.stringContaining("CVE-2023-45133 (ghsa): Babel vulnerable to arbitrary code execution"),
      link: "https://github.com/advisories/GHSA-67hx-6x53-jw92",
    });
  });

  it("a truncated SBOM errors with the JSON parser's message", async () => {
    const result = await run({ cyclonedx: [report("cyclonedx-truncated.json")] });
    expect(result.status).toBe("error");
    expect(result.summary).toMatch(/CycloneDX report .*cyclonedx-truncated\.json is not valid JSON: (Unterminated string|Unexpected end)/);
  });

  it("an SBOM that was never scanned (no vulnerabilities section) is refused, not passed", async () => {
    const file = path.join(tmp, "sbom-unscanned.json");
    await writeFile(file, JSON.stringify({ bomFormat: "CycloneDX", specVersion: "1.5", components: [{ name: "express", version: "4.19.2" }] }));
    const result = await run({ cyclonedx: [file] });
    expect(result.status).toBe("error");
    expect(result.summary).toContain("expected a vulnerabilities array (was the SBOM scanned?)");
  });
});

describe("several reports", () => {
  it("a malformed report is named while the others are still read, and their critical findings still block", async () => {
    const ctx = securityContext({ reports: { npmAudit: [report("npm-audit-critical.json")], sarif: [report("sarif-1.0.json")], cyclonedx: [report("cyclonedx-critical.json")] } });
    const result = await judgedRun(securityRunner, ctx);
    // Not a waivable error: what the readable reports found is reported and judged.
    expect(result.status).toBe("failed");
    expect(result.summary).toMatch(/could not run: scanner reports: .*sarif-1\.0\.json is not a SARIF report/);
    expect(ctx.logs).toContain(`npm audit ${report("npm-audit-critical.json")}: 2 critical, 1 high, 1 medium`);
    expect(ctx.logs).toContain(`CycloneDX ${report("cyclonedx-critical.json")}: 1 critical, 1 high, 1 medium`);
    expect(reported(result.findings).filter((f) => f.severity === "critical")).toHaveLength(3);
  });

  it("a missing report file is an error naming the path", async () => {
    const result = await run({ sarif: [path.join(tmp, "does-not-exist.sarif")] });
    expect(result.status).toBe("error");
    expect(result.summary).toContain("cannot read SARIF report");
    expect(result.summary).toContain("does-not-exist.sarif");
  });

  it("a huge report is listed up to the cap, the rest counted in one finding", async () => {
    const vulnerabilities = Object.fromEntries(
      Array.from({ length: 5_000 }, (_, i) => [
        `pkg-${i}`,
        { name: `pkg-${i}`, severity: i < 3 ? "critical" : "low", via: [{ source: i, name: `pkg-${i}`, title: `Issue ${i}`, url: `https://github.com/advisories/GHSA-${i}`, severity: "low", range: "<1.0.0" }], range: "<1.0.0", nodes: [`node_modules/pkg-${i}`], fixAvailable: true },
      ]),
    );
    const file = path.join(tmp, "npm-audit-huge.json");
    await writeFile(file, JSON.stringify({ auditReportVersion: 2, vulnerabilities }));
    const result = await run({ npmAudit: [file] });
    expect(result.status).toBe("failed");
    expect(reported(result.findings)).toHaveLength(MAX_VULNERABILITY_FINDINGS + 1);
    expect(result.findings.slice(0, 3).map((f) => f.severity)).toEqual(["critical", "critical", "critical"]);
    expect(reported(result.findings).at(-1)).toMatchObject({ severity: "low", message: "4900 more vulnerabilities not listed", evidence: "4900 low; the reports list them all" });
  });
});

describe("what scanners quote", () => {
  it("a secret a scanner quotes in its SARIF message is redacted in the finding", async () => {
    // Generated here so no credential-shaped string sits in the repository.
    const token = `ghp_${Array.from({ length: 36 }, (_, i) => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789"[(i * 7 + 3) % 46]).join("")}`;
    const sarif = {
      version: "2.1.0",
      runs: [{ tool: { driver: { name: "gitleaks", rules: [{ id: "github-pat", properties: { "security-severity": "9.1" } }] } }, results: [{ ruleId: "github-pat", level: "error", message: { text: `GitHub token ${token} committed` }, locations: [{ physicalLocation: { artifactLocation: { uri: "src/app.ts" }, region: { startLine: 3 } } }] }] }],
    };
    const file = path.join(tmp, "gitleaks.sarif");
    await writeFile(file, JSON.stringify(sarif));
    const result = await run({ sarif: [file] });
    const finding = reported(result.findings).find((f) => f.severity === "critical");
    expect(finding?.evidence).toContain("ghp_… [redacted, 40 characters]");
    expect(JSON.stringify(result)).not.toContain(token);
  });
});
