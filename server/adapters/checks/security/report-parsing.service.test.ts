import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SEVERITIES } from "../../../core/types.ts";
import { CannotRunError } from "../check-io.ts";
import { cycloneDxFormat } from "./cyclonedx-format.ts";
import { fromScore, npmAuditFormat, type ReportFormat, type Vulnerability } from "./report-formats.ts";
import { sarifFormat } from "./sarif-format.ts";
import { MAX_NESTING_DEPTH, parseReport } from "./scanner-reports.ts";
import { fixture } from "./security.fixture.ts";

// Property tests of the report parsers (issue 10): whatever a file holds, the agent either lists
// findings or refuses the file naming it, never crashes, and does so quickly.

const FILE = "/ci/reports/scan.json";
/** Ample for one small input on a loaded CI machine. */
const BOUND_MS = 5_000;
/** For 100k+ entries (about 2 s here): linear work stays well below it, quadratic work would take hours. */
const HUGE_BOUND_MS = 15_000;

type Outcome = { vulnerabilities: Vulnerability[] } | { refused: string };
type Parser = (text: string) => Vulnerability[];
const parser =
  <T>(format: ReportFormat<T>): Parser =>
  (text) =>
    parseReport(format, text, FILE);
const SARIF = parser(sarifFormat);
const CYCLONEDX = parser(cycloneDxFormat);
const parsers = [SARIF, CYCLONEDX, parser(npmAuditFormat)];

/** Parses `text`, failing the property on any error other than a refusal that names the file, or on a slow answer. */
function outcome(parse: Parser, text: string, boundMs = BOUND_MS): Outcome {
  const t0 = performance.now();
  let result: Outcome;
  try {
    result = { vulnerabilities: parse(text) };
  } catch (e) {
    if (!(e instanceof CannotRunError)) throw e;
    result = { refused: e.message };
  }
  expect(performance.now() - t0).toBeLessThan(boundMs);
  if ("refused" in result) expect(result.refused).toContain(FILE);
  else expect(result.vulnerabilities.filter((v) => !SEVERITIES.includes(v.severity) || typeof v.message !== "string" || typeof v.evidence !== "string")).toEqual([]);
  return result;
}

describe("any text", () => {
  it("arbitrary JSON gives findings or a refusal naming the file, for every format", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...parsers), (value, format) => {
        outcome(format, JSON.stringify(value));
      }),
      { numRuns: 500 },
    );
  });

  it("every fixture cut anywhere (a truncated upload), with or without a byte-order mark, is read or refused", () => {
    const dir = fixture("reports");
    const reports = readdirSync(dir)
      .filter((name) => name.endsWith(".json") && name !== "sarif-utf16.json")
      .map((name) => readFileSync(`${dir}/${name}`, "utf8"));
    fc.assert(
      fc.property(fc.constantFrom(...reports), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), fc.constantFrom(...parsers), (text, at, bom, format) => {
        outcome(format, `${bom ? "\uFEFF" : ""}${text.slice(0, Math.floor(text.length * at))}`);
      }),
      { numRuns: 300 },
    );
  });

  it("nesting far past the limit is refused, not a stack overflow", () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_NESTING_DEPTH + 1, max: 200_000 }), fc.constantFrom("[", '{"components":['), fc.constantFrom(...parsers), (depth, open, format) => {
        const close = open === "[" ? "]" : "]}";
        const result = outcome(format, `${open.repeat(depth)}${close.repeat(depth)}`);
        expect(result).toEqual({ refused: expect.stringContaining(`nested more than ${MAX_NESTING_DEPTH} levels deep`) });
      }),
      { numRuns: 10 },
    );
  });
});

// ---- SARIF ------------------------------------------------------------------------------------

const score = fc.double({ min: 0, max: 10, noNaN: true });
const sarifRule = (id: fc.Arbitrary<string>) =>
  fc.record({ id, properties: fc.record({ "security-severity": fc.oneof(score.map(String), score, fc.string()) }, { requiredKeys: [] }), defaultConfiguration: fc.record({ level: fc.constantFrom("none", "note", "warning", "error") }) }, { requiredKeys: ["id"] });
const ruleId = fc.constantFrom("js/sql-injection", "js/xss", "py/path-injection", "");
const toolComponentReference = fc.record({ index: fc.integer({ min: -2, max: 4 }), name: fc.constantFrom("CodeQL", "codeql/javascript-queries", "nothing"), guid: fc.uuid() }, { requiredKeys: [] });
const looseResult = fc.record(
  {
    ruleId,
    ruleIndex: fc.integer({ min: -2, max: 6 }),
    rule: fc.record({ id: ruleId, index: fc.integer({ min: -2, max: 6 }), toolComponent: toolComponentReference }, { requiredKeys: [] }),
    kind: fc.constantFrom("fail", "pass", "open", "review", "notApplicable", "informational", "weird"),
    level: fc.constantFrom("none", "note", "warning", "error"),
    message: fc.record({ text: fc.string(), markdown: fc.string() }, { requiredKeys: [] }),
    baselineState: fc.constantFrom("new", "unchanged", "updated", "absent"),
    suppressions: fc.array(fc.record({ kind: fc.constantFrom("inSource", "external"), status: fc.constantFrom("accepted", "underReview", "rejected") }, { requiredKeys: [] }), { maxLength: 3 }),
    locations: fc.array(fc.record({ physicalLocation: fc.record({ artifactLocation: fc.record({ uri: fc.string() }), region: fc.record({ startLine: fc.integer() }) }, { requiredKeys: [] }) }), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const looseComponent = fc.record({ name: fc.constantFrom("CodeQL", "codeql/javascript-queries", "acme/queries"), rules: fc.array(sarifRule(ruleId), { maxLength: 5 }) });
const looseSarif = fc.record({
  version: fc.constantFrom("2.1.0", "2.1.0", "2.0.0"),
  runs: fc.array(fc.record({ tool: fc.record({ driver: looseComponent, extensions: fc.array(looseComponent, { maxLength: 3 }) }, { requiredKeys: ["driver"] }), results: fc.array(looseResult, { maxLength: 20 }) }), { maxLength: 3 }),
});

describe("SARIF parser", () => {
  it("any SARIF-shaped run, right or wrong in every field, gives at most one finding per result or a refusal", () => {
    fc.assert(
      fc.property(looseSarif, (sarif) => {
        const result = outcome(SARIF, JSON.stringify(sarif));
        if ("vulnerabilities" in result) expect(result.vulnerabilities.length).toBeLessThanOrEqual(sarif.runs.reduce((n, r) => n + r.results.length, 0));
      }),
      { numRuns: 300 },
    );
  });

  it("a result referencing a rule through its tool component has that rule's security-severity, wherever the rule is kept", () => {
    // Components (driver first, then extensions) each with scored rules; each result points at one of them.
    const layout = fc.array(fc.array(score, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }).chain((components) =>
      fc.tuple(
        fc.constant(components),
        fc.array(
          fc.integer({ min: 0, max: components.length - 1 }).chain((c) =>
            fc.record({ component: fc.constant(c), rule: fc.integer({ min: 0, max: (components[c]?.length ?? 1) - 1 }), by: fc.constantFrom("index", "ruleIndex", "name", "id") }),
          ),
          { minLength: 1, maxLength: 10 },
        ),
      ),
    );
    fc.assert(
      fc.property(layout, ([components, refs]) => {
        const [driver, ...extensions] = components.map((scores, c) => ({ name: c === 0 ? "CodeQL" : `pack-${c}`, rules: scores.map((s, r) => ({ id: `c${c}/r${r}`, properties: { "security-severity": String(s) } })) }));
        const results = refs.map(({ component, rule, by }) => {
          // §3.54: an extension is referenced by its index in tool.extensions; the driver by name.
          const toolComponent = component === 0 ? { name: "CodeQL" } : by === "name" ? { name: `pack-${component}` } : { index: component - 1 };
          const id = `c${component}/r${rule}`;
          if (by === "ruleIndex") return { ruleId: id, ruleIndex: rule, rule: { toolComponent }, message: { text: "m" } };
          if (by === "id" && component === 0) return { ruleId: id, message: { text: "m" } };
          return { ruleId: id, rule: { id, ...(by === "index" ? { index: rule } : {}), toolComponent }, message: { text: "m" } };
        });
        const result = outcome(SARIF, JSON.stringify({ version: "2.1.0", runs: [{ tool: { driver, extensions }, results }] }));
        expect(result).toEqual({ vulnerabilities: refs.map(({ component, rule }) => expect.objectContaining({ severity: fromScore(components[component]?.[rule] ?? Number.NaN) })) });
      }),
      { numRuns: 300 },
    );
  });

  it("a huge results array is read within the bound", () => {
    fc.assert(
      fc.property(fc.integer({ min: 100_000, max: 200_000 }), (n) => {
        const results = Array.from({ length: n }, (_, i) => ({ ruleId: "r", level: i % 2 === 0 ? "error" : "note", message: { text: "m" } }));
        const result = outcome(SARIF, JSON.stringify({ version: "2.1.0", runs: [{ tool: { driver: { name: "t" } }, results }] }), HUGE_BOUND_MS);
        expect("vulnerabilities" in result && result.vulnerabilities.length).toBe(n);
      }),
      { numRuns: 2 },
    );
  });
});

// ---- CycloneDX --------------------------------------------------------------------------------

const STATES = ["not_affected", "resolved", "resolved_with_pedigree", "false_positive", "in_triage", "exploitable"] as const;
const DISMISSED: readonly string[] = STATES.slice(0, 4);
const cdxSeverity = fc.constantFrom("critical", "high", "medium", "low", "info", "none", "unknown", "severe");
const { component } = fc.letrec<{ component: object }>((tie) => ({
  component: fc.record({ "bom-ref": fc.constantFrom("a", "b", "c"), name: fc.constantFrom("lodash", "ws", ""), version: fc.constantFrom("1.0.0", ""), components: fc.array(tie("component"), { maxLength: 3, depthIdentifier: "tree" }) }, { requiredKeys: ["name"] }),
}));
const looseCdx = fc.record({
  bomFormat: fc.constantFrom("CycloneDX", "SPDX"),
  specVersion: fc.constantFrom("1.4", "1.5", "1.6", "1.3", "2.0"),
  components: fc.array(component, { maxLength: 4 }),
  vulnerabilities: fc.array(
    fc.record(
      {
        id: fc.constantFrom("CVE-2024-21538", "GHSA-27h2-hvpr-p74q", ""),
        ratings: fc.array(fc.record({ severity: cdxSeverity, score: fc.double({ min: -1, max: 11, noNaN: true }) }, { requiredKeys: [] }), { maxLength: 3 }),
        affects: fc.array(fc.record({ ref: fc.constantFrom("a", "b", "c", "missing") }), { maxLength: 3 }),
        analysis: fc.record({ state: fc.oneof(fc.constantFrom(...STATES), fc.string()), justification: fc.string(), detail: fc.string(), response: fc.array(fc.string(), { maxLength: 2 }) }, { requiredKeys: [] }),
      },
      { requiredKeys: ["id"] },
    ),
    { maxLength: 10 },
  ),
});

describe("CycloneDX parser", () => {
  it("any CycloneDX-shaped SBOM gives one finding per vulnerability or a refusal; an analysed-away one is info, nothing else is", () => {
    fc.assert(
      fc.property(looseCdx, (bom) => {
        const result = outcome(CYCLONEDX, JSON.stringify(bom));
        if (!("vulnerabilities" in result)) return;
        expect(result.vulnerabilities).toHaveLength(bom.vulnerabilities.length);
        bom.vulnerabilities.forEach((v, i) => {
          const dismissed = v.analysis?.state !== undefined && DISMISSED.includes(v.analysis.state);
          if (dismissed) expect(result.vulnerabilities[i]).toMatchObject({ severity: "info", message: expect.stringContaining(`(${v.analysis?.state}`) });
          else expect(result.vulnerabilities[i]?.message).not.toMatch(/\((not_affected|resolved|false_positive)/);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("a huge vulnerabilities array is read within the bound", () => {
    fc.assert(
      fc.property(fc.integer({ min: 100_000, max: 150_000 }), (n) => {
        const vulnerabilities = Array.from({ length: n }, (_, i) => ({ id: `CVE-2024-${i}`, ratings: [{ score: i % 10 }], affects: [{ ref: "a" }], ...(i % 3 === 0 ? { analysis: { state: "not_affected" } } : {}) }));
        const result = outcome(CYCLONEDX, JSON.stringify({ bomFormat: "CycloneDX", specVersion: "1.5", components: [{ "bom-ref": "a", name: "a" }], vulnerabilities }), HUGE_BOUND_MS);
        expect("vulnerabilities" in result && result.vulnerabilities.length).toBe(n);
      }),
      { numRuns: 2 },
    );
  });
});
