import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, afterAll } from "vitest";
import { MAX_REPORT_BYTES } from "./parts.ts";
import { makeWorkspace, runQa } from "./test-helpers.ts";

// The reports a team's CI already writes, read from real files.
const ws = makeWorkspace();
afterAll(() => ws.remove());
const run = (parts: Record<string, unknown>) => runQa({ workspace: ws.dir, ...parts });
const write = (rel: string, content: string | Buffer) => writeFileSync(path.join(ws.dir, rel), content);

describe("JUnit reports", () => {
  it("a passing report passes with its totals", async () => {
    const r = await run({ junitPaths: ["junit/pass.xml"] });
    expect(r).toMatchObject({ status: "passed", summary: "6 tests, 0 failed, 1 skipped", findings: [] });
    expect(r.logs).toContain("JUnit junit/pass.xml: 6 tests, 0 failures, 0 errors, 1 skipped");
  });

  it("adds up several reports, <testsuites> and bare <testsuite>", async () => {
    const r = await run({ junitPaths: ["junit/pass.xml", "junit/single-suite.xml"] });
    expect(r.summary).toBe("8 tests, 0 failed, 1 skipped");
  });

  it("node:test's report counts its top-level testcases, not only those inside suites", async () => {
    const r = await run({ junitPaths: ["junit/node-test.xml"] });
    expect(r.status).toBe("failed");
    expect(r.summary).toBe("3 tests, 1 failed");
    expect(r.messages).toEqual(["high: test failed: (top level) › rounds half up"]);
  });

  it("every failing or erroring testcase is a high finding with its message", async () => {
    const r = await run({ junitPaths: ["junit/fail.xml"] });
    expect(r.status).toBe("failed");
    expect(r.summary).toBe("5 tests, 2 failed");
    expect(r.messages).toEqual(["high: test failed: Payments API › refunds a settled payment", "high: test errored: Webhooks › delivers to the merchant"]);
    expect(r.findings[0]?.evidence).toMatch(/^AssertionError: expected 200 to be 409\n\s+at Context.<anonymous> \(test\/payments.test.js:42:27\)/);
    expect(r.findings[1]?.evidence).toContain("connect ECONNREFUSED 127.0.0.1:5432");
  });

  it("malformed XML is an error with the parser's message, not a crash", async () => {
    const r = await run({ junitPaths: ["junit/malformed.xml"] });
    expect(r.status).toBe("error");
    expect(r.verdict).toMatch(/^Could not run: [a-z ]+: JUnit report junit\/malformed.xml could not be parsed: malformed XML at line \d+, column \d+: .+/);
    expect(r.findings).toEqual([]);
  });

  it("a missing report, or one that is not JUnit, is an error naming it", async () => {
    expect((await run({ junitPaths: ["reports/none.xml"] })).verdict).toBe("Could not run: junit: JUnit report not found: reports/none.xml");
    const notJUnit = await run({ junitPaths: ["coverage/lcov-high.info"] });
    expect(notJUnit.status).toBe("error");
    expect(notJUnit.verdict).toContain("coverage/lcov-high.info could not be parsed");
  });

  it("suites that carry only counts are counted, and their failures block even without names", async () => {
    const r = await run({ junitPaths: ["junit/counts-only.xml"] });
    expect(r.status).toBe("failed");
    expect(r.summary).toBe("14 tests, 1 failed, 2 skipped");
    expect(r.messages).toEqual(["high: test failed: payments-api › 1 failing test (not named in the report)"]);
    const totals = await run({ junitPaths: ["junit/totals-only.xml"] });
    expect(totals).toMatchObject({ status: "failed", summary: "5 tests, 1 failed" });
    expect(totals.messages).toEqual(["high: test errored: smoke › 1 erroring test (not named in the report)"]);
  });

  it("suites with testcases are counted from the testcases, not from stale attributes", async () => {
    const r = await run({ junitPaths: ["junit/stale-counts.xml"] });
    expect(r).toMatchObject({ status: "passed", summary: "2 tests, 0 failed", findings: [] });
  });

  it("130,000 failing testcases are counted and summarised, not a stack overflow", async () => {
    const cases = Array.from({ length: 130_000 }, (_, i) => `<testcase name="t${i}"><failure/></testcase>`).join("");
    write("junit/many-failures.xml", `<testsuite name="load">${cases}</testsuite>`);
    const r = await run({ junitPaths: ["junit/many-failures.xml"] });
    expect(r.status).toBe("failed");
    expect(r.summary).toBe("130000 tests, 130000 failed");
    expect(r.findings).toHaveLength(101);
    expect(r.findings.at(-1)?.message).toBe("129900 more failing tests");
  });

  it("suites nested absurdly deep are refused with a message, not a stack overflow", async () => {
    write("junit/deep.xml", `${"<testsuite name=\"s\">".repeat(5_000)}<testcase name="t"/>${"</testsuite>".repeat(5_000)}`);
    const r = await run({ junitPaths: ["junit/deep.xml"] });
    expect(r.status).toBe("error");
    expect(r.verdict).toMatch(/^Could not run: junit: JUnit report junit\/deep.xml could not be parsed: elements nested deeper than 100 levels$/);
  });
});

describe("limits on report size", () => {
  it("a report over its size limit is refused before it is read, naming the file and the limit", async () => {
    write("junit/huge.xml", Buffer.alloc(MAX_REPORT_BYTES.junit + 1, " "));
    expect((await run({ junitPaths: ["junit/huge.xml"] })).verdict).toBe("Could not run: junit: JUnit report junit/huge.xml is 16.0 MB, over the 16 MB limit for one report; not read");
    write("coverage/huge.info", Buffer.alloc(MAX_REPORT_BYTES.coverage + 1, " "));
    expect((await run({ coverage: { lcovPath: "coverage/huge.info", criticalPaths: ["src"] } })).verdict).toBe("Could not run: coverage: lcov tracefile coverage/huge.info is 32.0 MB, over the 32 MB limit for one report; not read");
    write("openapi/huge.json", Buffer.alloc(MAX_REPORT_BYTES.openapi + 1, " "));
    expect((await run({ openapi: { previousPath: "openapi/previous.yaml", currentPath: "openapi/huge.json" } })).verdict).toBe("Could not run: api compatibility: current OpenAPI document openapi/huge.json is 8.0 MB, over the 8 MB limit for one report; not read");
  });

  it("a report just under its limit is read", async () => {
    const report = '<testsuite name="s"><testcase name="t"/></testsuite>';
    write("junit/padded.xml", report + " ".repeat(MAX_REPORT_BYTES.junit - report.length));
    expect(await run({ junitPaths: ["junit/padded.xml"] })).toMatchObject({ status: "passed", summary: "1 tests, 0 failed" });
  });
});

describe("coverage on critical paths", () => {
  const summaryHigh = "coverage/coverage-summary-high.json";

  it("passes when every critical path is at or above the threshold (istanbul summary)", async () => {
    const r = await run({ coverage: { summaryPath: summaryHigh, criticalPaths: ["src/payments", "src/auth/"] } });
    expect(r).toMatchObject({ status: "passed", summary: "coverage 86% on src/payments, 95% on src/auth/", findings: [] });
    expect(r.logs).toContain("Coverage src/payments: 86% (172/200 lines in 2 files)");
  });

  it("fails below the threshold with the figure, also for a report written on another machine", async () => {
    const r = await run({ coverage: { summaryPath: "coverage/coverage-summary-low.json", criticalPaths: ["src/payments", "src/auth"] } });
    expect(r.status).toBe("failed");
    expect(r.findings).toEqual([{ check: "coverage", severity: "high", message: "coverage 69% on src/payments is below the 80% threshold", evidence: "138 of 200 lines covered in 2 files matching src/payments" }]);
  });

  it("reads lcov, and 79.5% is below 80% (never rounded up to a pass)", async () => {
    const high = await run({ coverage: { lcovPath: "coverage/lcov-high.info", criticalPaths: ["src/payments"] } });
    expect(high).toMatchObject({ status: "passed", summary: "coverage 90% on src/payments" });
    const low = await run({ coverage: { lcovPath: "coverage/lcov-low.info", criticalPaths: ["src/payments"] } });
    expect(low.status).toBe("failed");
    expect(low.messages).toEqual(["high: coverage 79.5% on src/payments is below the 80% threshold"]);
  });

  it("honours a configured threshold and glob critical paths", async () => {
    const r = await run({ coverage: { lcovPath: "coverage/lcov-low.info", criticalPaths: ["src/**/refund.ts", "src/*/session.ts"], thresholdPct: 98 } });
    expect(r).toMatchObject({ status: "passed", summary: "coverage 98.7% on src/**/refund.ts, 99% on src/*/session.ts" });
  });

  it("a critical path with no coverage data is a medium finding", async () => {
    const r = await run({ coverage: { summaryPath: summaryHigh, lcovPath: "coverage/lcov-low.info", criticalPaths: ["src/ledger", "src/pay"] } });
    expect(r.messages).toEqual(["medium: no coverage data for src/ledger", "medium: no coverage data for src/pay"]);
    expect(r.status).toBe("passed");
  });

  it("with both reports, the summary's figure wins for a file both list", async () => {
    // lcov-low says charge.ts 80/120; the summary says 108/120.
    const r = await run({ coverage: { summaryPath: summaryHigh, lcovPath: "coverage/lcov-low.info", criticalPaths: ["src/payments"] } });
    expect(r.summary).toBe("coverage 86% on src/payments");
  });

  it("lcov with only DA lines (no LF/LH) is counted from them, not read as no coverage data", async () => {
    const r = await run({ coverage: { lcovPath: "coverage/lcov-da-only.info", criticalPaths: ["src/payments"] } });
    expect(r.status).toBe("failed");
    expect(r.findings).toEqual([{ check: "coverage", severity: "high", message: "coverage 70% on src/payments is below the 80% threshold", evidence: "14 of 20 lines covered in 2 files matching src/payments" }]);
  });

  it("lcov with LF/LH keeps the generator's own figures over its DA lines", async () => {
    const r = await run({ coverage: { lcovPath: "coverage/lcov-da-with-totals.info", criticalPaths: ["src/payments"] } });
    expect(r).toMatchObject({ status: "passed", summary: "coverage 90% on src/payments" });
  });

  it("a missing or unreadable coverage report is an error naming it", async () => {
    expect((await run({ coverage: { summaryPath: "coverage/nope.json", criticalPaths: ["src"] } })).verdict).toBe("Could not run: coverage: coverage summary not found: coverage/nope.json");
    const bad = await run({ coverage: { summaryPath: "junit/pass.xml", criticalPaths: ["src"] } });
    expect(bad.status).toBe("error");
    expect(bad.verdict).toMatch(/^Could not run: [a-z ]+: coverage summary junit\/pass.xml could not be parsed: .*JSON/);
  });
});

describe("API backward compatibility", () => {
  it("additions, renamed path parameters and widened types are compatible", async () => {
    const r = await run({ openapi: { previousPath: "openapi/previous.yaml", currentPath: "openapi/current-compatible.json" } });
    expect(r.status).toBe("passed");
    expect(r.summary).toBe("API compatible");
    expect(r.messages).toEqual(["info: API addition: added operation PATCH /payments/{paymentId}", "info: API addition: added path /payouts"]);
  });

  it("each breaking change is a high finding with where it is and what it was", async () => {
    const r = await run({ openapi: { previousPath: "openapi/previous.yaml", currentPath: "openapi/current-breaking.yaml" } });
    expect(r.status).toBe("failed");
    expect(r.summary).toBe("13 breaking API changes");
    expect(r.messages.map((m) => m.replace("high: Breaking API change: ", ""))).toEqual([
      "GET /payments: changed type of query parameter limit",
      'GET /payments: enum narrowed at query parameter status (removed "failed")',
      "GET /payments: new required query parameter merchantId",
      "GET /payments: removed response property items[].createdAt",
      "GET /payments: changed type of items[].customer.id",
      "POST /payments: newly required request-body property customerId",
      'POST /payments: enum narrowed at method (removed "ach")',
      "POST /payments: removed response property createdAt",
      "POST /payments: changed type of customer.id",
      "GET /payments/{id}: removed response property createdAt",
      "GET /payments/{id}: changed type of customer.id",
      "removed operation DELETE /payments/{id}",
      "removed path /refunds",
    ]);
    const at = (fragment: string) => r.findings.find((f) => f.message.includes(fragment))?.evidence;
    expect(at("query parameter limit")).toBe("#/paths/~1payments/get/parameters/query/limit/schema — previous: type integer; current: type string — rule request-parameter-type-changed");
    expect(at("merchantId")).toBe("#/paths/~1payments/get/parameters/query/merchantId — previous: (absent); current: required — rule request-parameter-became-required");
    expect(at("removed \"ach\"")).toBe('#/paths/~1payments/post/requestBody/content/application~1json/schema/properties/method — previous: enum ["card","sepa","ach"]; current: enum ["card","sepa"] — rule request-property-enum-value-removed');
    expect(at("items[].createdAt")).toMatch(/^#\/paths\/~1payments\/get\/responses\/200\/content\/application~1json\/schema\/properties\/items\/items\/properties\/createdAt — previous: \{"type":"string"/);
  });

  it("a status old clients may now receive breaks the response; one more value accepted in a request does not", async () => {
    const current = JSON.parse(readFileSync(path.join(ws.dir, "openapi/current-compatible.json"), "utf8")) as { components: { schemas: { PaymentStatus: { enum: string[] } } } };
    current.components.schemas.PaymentStatus.enum.push("disputed");
    write("openapi/current-new-status.json", JSON.stringify(current));
    const r = await run({ openapi: { previousPath: "openapi/previous.yaml", currentPath: "openapi/current-new-status.json" } });
    expect(r.status).toBe("failed");
    expect(r.summary).toBe("3 breaking API changes");
    // Payment.status in the three responses that return a payment; the status query parameter accepts it silently.
    expect(new Set(r.messages.filter((m) => m.startsWith("high")))).toEqual(new Set(["high: Breaking API change: GET /payments: items[].status may now return \"disputed\"", "high: Breaking API change: POST /payments: status may now return \"disputed\"", "high: Breaking API change: GET /payments/{paymentId}: status may now return \"disputed\""]));
  });

  it("a deprecation is shown as a warning and does not block", async () => {
    const current = JSON.parse(readFileSync(path.join(ws.dir, "openapi/current-compatible.json"), "utf8")) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const getPayment = current.paths["/payments/{paymentId}"]?.["get"];
    if (getPayment) getPayment["deprecated"] = true;
    write("openapi/current-deprecated.json", JSON.stringify(current));
    const r = await run({ openapi: { previousPath: "openapi/previous.yaml", currentPath: "openapi/current-deprecated.json" } });
    expect(r.status).toBe("passed");
    expect(r.summary).toBe("API compatible (1 API warning)");
    expect(r.messages).toContain("low: API warning: GET /payments/{paymentId} is deprecated");
  });

  it("a document nested 5,000 levels deep is an error naming it and where, not a crash", async () => {
    let deep = "{ \"type\": \"string\" }";
    for (let i = 0; i < 5_000; i++) deep = `{ "type": "object", "properties": { "next": ${deep} } }`;
    write("openapi/deep.json", `{ "openapi": "3.1.0", "paths": {}, "components": { "schemas": { "Deep": ${deep} } } }`);
    const r = await run({ openapi: { previousPath: "openapi/previous.yaml", currentPath: "openapi/deep.json" } });
    expect(r.status).toBe("error");
    expect(r.verdict).toMatch(/^Could not run: api compatibility: current OpenAPI document openapi\/deep.json could not be parsed: nested deeper than 200 levels at #\/…\//);
    write("openapi/deep.yaml", `openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n    Deep: ${deep}\n`);
    const yaml = await run({ openapi: { previousPath: "openapi/deep.yaml", currentPath: "openapi/previous.yaml" } });
    expect(yaml.verdict).toMatch(/^Could not run: api compatibility: previous OpenAPI document openapi\/deep.yaml could not be parsed: nested too deeply to read \(the parser ran out of stack; at most 200 levels are compared\)$/);
  });

  it("a comparison that cannot finish (a chain of $refs too deep) is an error naming both documents and where", async () => {
    const chain = (maxLength: number) => {
      const schemas: Record<string, unknown> = { S110: { type: "string", maxLength } };
      for (let i = 0; i < 110; i++) schemas[`S${i}`] = { type: "object", properties: { next: { $ref: `#/components/schemas/S${i + 1}` } } };
      const paths = { "/c": { post: { requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/S0" } } } }, responses: { "200": { description: "ok" } } } } };
      return JSON.stringify({ openapi: "3.1.0", paths, components: { schemas } });
    };
    write("openapi/chain-previous.json", chain(20));
    write("openapi/chain-current.json", chain(10));
    const r = await run({ openapi: { previousPath: "openapi/chain-previous.json", currentPath: "openapi/chain-current.json" } });
    expect(r.status).toBe("error");
    expect(r.verdict).toMatch(/^Could not run: api compatibility: OpenAPI documents could not be compared: schema nested deeper than 100 levels at #\/paths\/~1c\/post\/requestBody\/.* \(previous openapi\/chain-previous.json, current openapi\/chain-current.json\)$/);
  });

  it("an unparseable, missing or externally referenced document is an error naming it", async () => {
    const malformed = await run({ openapi: { previousPath: "openapi/previous.yaml", currentPath: "openapi/malformed.yaml" } });
    expect(malformed.status).toBe("error");
    expect(malformed.verdict).toMatch(/^Could not run: api compatibility: current OpenAPI document openapi\/malformed.yaml could not be parsed: .+ at line \d+/);
    const missing = await run({ openapi: { previousPath: "openapi/v0.yaml", currentPath: "openapi/previous.yaml" } });
    expect(missing.verdict).toContain(": previous OpenAPI document not found: openapi/v0.yaml");
    const external = await run({ openapi: { previousPath: "openapi/previous.yaml", currentPath: "openapi/external-ref.yaml" } });
    expect(external.status).toBe("error");
    expect(external.verdict).toContain(': OpenAPI documents could not be compared: external $ref "./schemas/payment-page.yaml#/PaymentPage" is not supported; bundle the document first');
    const swagger = await run({ openapi: { previousPath: "junit/pass.xml", currentPath: "openapi/previous.yaml" } });
    expect(swagger.status).toBe("error");
  });
});
