import { mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckFinding } from "../../../engine/ports.ts";
import { MAX_NESTING_DEPTH, MAX_REPORT_BYTES } from "./scanner-reports.ts";
import { securityRunner } from "./security-runner.ts";
import { fixture, securityContext } from "./security.fixture.ts";
import { judgedRun } from "../judged.fixture.ts";

// Layouts real tools write that the agent once misread (issue 10), each next to a look-alike that
// must not be read the same way. Fixtures in ./fixtures/reports.
const report = (name: string) => fixture(`reports/${name}`);
const run = (reports: Record<string, string[]>, floor: "critical" | "high" = "high") => judgedRun(securityRunner, securityContext({ reports }), floor);
const reported = (findings: CheckFinding[]) => findings.filter((f) => !f.message.endsWith("not checked: not configured"));
const shown = (findings: CheckFinding[]) => reported(findings).map((f) => [f.severity, f.message]);

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "flightdeck-security-layouts-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("SARIF rules kept in tool extensions (CodeQL's layout)", () => {
  it("a 9.8 CodeQL alert is critical and blocks at the default floor; each rule is found through its tool component", async () => {
    const result = await run({ sarif: [report("sarif-codeql-extensions.json")] }, "critical");
    expect(result.status).toBe("failed");
    expect(result.summary).toContain("1 critical finding(s) block (critical or above)");
    expect(shown(result.findings)).toEqual([
      ["critical", "CodeQL: Uncontrolled command line in server/jobs/export.ts:57"],
      ["high", "CodeQL: Uncontrolled data used in path expression in server/routes/invoices.ts:23"],
      ["medium", "CodeQL: Reflected cross-site scripting in server/routes/search.ts:14"],
      // Index 0 of the acme pack: not the 9.8 rule at index 0 of codeql/javascript-queries.
      ["low", "CodeQL: Stack trace shown on error page in server/app.ts:77"],
    ]);
    expect(reported(result.findings)[0]).toMatchObject({ link: "https://codeql.github.com/codeql-query-help/javascript/js-command-line-injection/" });
  });

  it("a result naming no component still reads the driver's rules by index (Semgrep, gitleaks, older CodeQL)", async () => {
    const result = await run({ sarif: [report("sarif-findings.json")] }, "critical");
    expect(result.status).toBe("failed");
    expect(reported(result.findings)[0]).toMatchObject({ severity: "critical", message: "CodeQL: Code injection in server/routes/discounts.ts:42" });
  });

  it("a component reference that points nowhere leaves the rule unknown: the result's own level, never another pack's score", async () => {
    const sarif = JSON.parse(await readFile(report("sarif-codeql-extensions.json"), "utf8")) as { runs: { results: Record<string, unknown>[] }[] };
    const [first] = sarif.runs[0]?.results ?? [];
    const file = path.join(tmp, "codeql-dangling.sarif");
    await writeFile(file, JSON.stringify({ ...sarif, runs: [{ ...sarif.runs[0], results: [{ ...first, level: "note", rule: { id: "js/command-line-injection", index: 0, toolComponent: { index: 7 } } }] }] }));
    const result = await run({ sarif: [file] }, "critical");
    expect(result.status).toBe("passed");
    expect(shown(result.findings)).toEqual([["low", "CodeQL: js/command-line-injection in server/jobs/export.ts:57"]]);
  });
});

describe("SARIF results that are not live findings", () => {
  it("accepted suppressions hide a critical result; under review, rejected or an empty list do not", async () => {
    const result = await run({ sarif: [report("sarif-suppressed.json")] });
    expect(result.status).toBe("failed");
    const files = reported(result.findings).map((f) => f.message.replace(/^.* in /, ""));
    expect(files).toEqual(expect.arrayContaining(["server/jobs/backup.ts:19", "server/jobs/import.ts:66", "server/jobs/archive.ts:8"]));
    expect(files).not.toContain("server/jobs/thumbnail.ts:12");
    expect(files).not.toContain("server/jobs/report-pdf.ts:40");
    expect(reported(result.findings).every((f) => f.severity === "critical")).toBe(true);
  });

  it("a result absent from this run (baselineState absent) is gone; unchanged stays; pass, notApplicable and informational results without a message are skipped, not refused", async () => {
    const result = await run({ sarif: [report("sarif-suppressed.json")] });
    expect(result.checks.find((c) => c.name === "scanner reports")).toMatchObject({ outcome: "ran" });
    const files = reported(result.findings).map((f) => f.message.replace(/^.* in /, ""));
    expect(files).toContain("server/jobs/export.ts:57");
    expect(files).not.toContain("server/jobs/legacy-export.ts:57");
    expect(files).toHaveLength(4);
  });
});

describe("byte-order marks", () => {
  it("a SARIF file starting with a UTF-8 byte-order mark is read (DevSkim on Windows writes one)", async () => {
    const result = await run({ sarif: [report("sarif-bom.json")] });
    expect(result.status).toBe("failed");
    expect(shown(result.findings)).toEqual([["high", "DevSkim: Weak/Broken Hash Algorithm in server/auth/password.ts:9"]]);
  });

  it("the same report saved as UTF-16 is refused with the encoding named", async () => {
    const result = await run({ sarif: [report("sarif-utf16.json")] });
    expect(result.status).toBe("error");
    expect(result.summary).toContain(`SARIF report ${report("sarif-utf16.json")} is UTF-16 encoded; write it as UTF-8`);
  });

  it("a CycloneDX SBOM with a byte-order mark is read; a mark before anything but JSON is still not JSON", async () => {
    const bom = path.join(tmp, "vex-bom.json");
    await writeFile(bom, `\uFEFF${await readFile(report("cyclonedx-vex.json"), "utf8")}`);
    expect((await run({ cyclonedx: [bom] })).status).toBe("failed");
    const garbage = path.join(tmp, "bom-garbage.json");
    await writeFile(garbage, "\uFEFFtrivy: no such image");
    const refused = await run({ cyclonedx: [garbage] });
    expect(refused.status).toBe("error");
    expect(refused.summary).toContain(`CycloneDX report ${garbage} is not valid JSON`);
  });
});

describe("CycloneDX VEX analysis", () => {
  it("not_affected, resolved, resolved_with_pedigree and false_positive show as info with the analysis; in_triage and exploitable keep their rating", async () => {
    const result = await run({ cyclonedx: [report("cyclonedx-vex.json")] });
    expect(result.status).toBe("failed");
    expect(shown(result.findings)).toEqual([
      ["critical", "CycloneDX: CVE-2019-10744 in lodash@4.17.11"],
      ["high", "CycloneDX: CVE-2024-37890 in ws@8.17.0"],
      ["medium", "CycloneDX: CVE-2022-25883 in semver@7.5.1"],
      ["info", "CycloneDX: CVE-2023-45133 in @babel/traverse@7.22.5 (not_affected: code_not_reachable)"],
      ["info", "CycloneDX: CVE-2024-21538 in cross-spawn@7.0.3 (resolved)"],
      ["info", "CycloneDX: CVE-2022-23529 in jsonwebtoken@8.5.1 (false_positive)"],
      ["info", "CycloneDX: CVE-2021-44906 in minimist@1.2.5 (resolved_with_pedigree)"],
      ["info", "CycloneDX: CVE-2024-29415 in @acme/pdf-kit@2.3.0 (not_affected: protected_at_perimeter)"],
    ]);
    const babel = reported(result.findings).find((f) => f.message.includes("CVE-2023-45133"));
    expect(babel?.evidence).toContain("rated critical; analysis not_affected: code_not_reachable (Babel runs only in the build stage;");
    expect(babel?.evidence).toContain("response will_not_fix");
    expect(reported(result.findings).find((f) => f.message.includes("CVE-2019-10744"))?.evidence).toContain("analysis exploitable");
  });

  it("an SBOM whose only criticals the team analysed as not affected passes, showing them", async () => {
    const bom = JSON.parse(await readFile(report("cyclonedx-vex.json"), "utf8")) as { vulnerabilities: { id: string }[] };
    const file = path.join(tmp, "vex-analysed.json");
    await writeFile(file, JSON.stringify({ ...bom, vulnerabilities: bom.vulnerabilities.filter((v) => !["CVE-2019-10744", "CVE-2024-37890"].includes(v.id)) }));
    const result = await run({ cyclonedx: [file] });
    expect(result.status).toBe("passed");
    expect(reported(result.findings).filter((f) => f.severity === "info")).toHaveLength(5);
  });
});

describe("bounds", () => {
  // A component tree `depth` levels deep whose deepest component has a critical vulnerability.
  const deepBom = (depth: number) => {
    let component: Record<string, unknown> = { "bom-ref": "pkg:npm/deepest@1.0.0", name: "deepest", version: "1.0.0" };
    for (let i = depth - 1; i > 0; i--) component = { "bom-ref": `pkg:npm/level-${i}@1.0.0`, name: `level-${i}`, version: "1.0.0", components: [component] };
    return { bomFormat: "CycloneDX", specVersion: "1.5", components: [component], vulnerabilities: [{ id: "CVE-2024-0001", ratings: [{ severity: "critical" }], affects: [{ ref: "pkg:npm/deepest@1.0.0" }] }] };
  };

  it("a component tree 2,000 deep is refused with the limit named, not a stack overflow", async () => {
    const file = path.join(tmp, "sbom-deep.json");
    await writeFile(file, JSON.stringify(deepBom(2_000)));
    const result = await run({ cyclonedx: [file] });
    expect(result.status).toBe("error");
    expect(result.summary).toContain(`CycloneDX report ${file} is nested more than ${MAX_NESTING_DEPTH} levels deep`);
  });

  it("a tree 100 deep is read and names its deepest component", async () => {
    const file = path.join(tmp, "sbom-nested.json");
    await writeFile(file, JSON.stringify(deepBom(100)));
    const result = await run({ cyclonedx: [file] });
    expect(result.status).toBe("failed");
    expect(shown(result.findings)).toEqual([["critical", "CycloneDX: CVE-2024-0001 in deepest@1.0.0"]]);
  });

  it("a report over the size limit is refused naming the file and the limit", async () => {
    const file = path.join(tmp, "codeql-huge.sarif");
    await writeFile(file, "");
    await truncate(file, MAX_REPORT_BYTES + 1); // sparse: nothing is written
    const result = await run({ sarif: [file] });
    expect(result.status).toBe("error");
    expect(result.summary).toContain(`SARIF report ${file} is 64.0 MiB, over the 64.0 MiB limit for one report`);
  });

  it("130,000 SARIF results are read: the one critical among them blocks and the rest are counted", async () => {
    const results = Array.from({ length: 130_000 }, (_, i) => ({ ruleId: i === 64_000 ? "js/command-line-injection" : "js/unused-local-variable", message: { text: "m" }, locations: [{ physicalLocation: { artifactLocation: { uri: `src/f${i}.ts` } } }] }));
    const rules = [
      { id: "js/command-line-injection", shortDescription: { text: "Uncontrolled command line" }, properties: { "security-severity": "9.8" } },
      { id: "js/unused-local-variable", shortDescription: { text: "Unused variable" }, defaultConfiguration: { level: "note" } },
    ];
    const file = path.join(tmp, "codeql-many.sarif");
    await writeFile(file, JSON.stringify({ version: "2.1.0", runs: [{ tool: { driver: { name: "CodeQL", rules: [] }, extensions: [{ name: "codeql/javascript-queries", rules }] }, results }] }));
    const result = await run({ sarif: [file] }, "critical");
    expect(result.status).toBe("failed");
    expect(reported(result.findings)[0]).toMatchObject({ severity: "critical", message: "CodeQL: Uncontrolled command line in src/f64000.ts" });
    expect(reported(result.findings).at(-1)).toMatchObject({ message: "129900 more vulnerabilities not listed" });
  });

  it("a report that cannot be read is named while the critical findings of the others still block", async () => {
    const result = await run({ sarif: [report("sarif-codeql-extensions.json"), report("sarif-utf16.json")] }, "critical");
    expect(result.status).toBe("failed");
    expect(result.summary).toContain(`could not run: scanner reports: SARIF report ${report("sarif-utf16.json")} is UTF-16 encoded`);
    expect(reported(result.findings)[0]).toMatchObject({ severity: "critical", message: "CodeQL: Uncontrolled command line in server/jobs/export.ts:57" });
  });
});
