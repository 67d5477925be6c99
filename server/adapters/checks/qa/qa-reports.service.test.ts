import { describe, expect, it, afterAll } from "vitest";
import { makeWorkspace, runQa } from "./test-helpers.ts";

// The reports a team's CI already writes, read from real files.
const ws = makeWorkspace();
afterAll(() => ws.remove());
const run = (parts: Record<string, unknown>) => runQa({ workspace: ws.dir, ...parts });

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
    expect(at("query parameter limit")).toBe("#/paths/~1payments/get/parameters/query/limit/schema — previous: type integer; current: type string");
    expect(at("merchantId")).toBe("#/paths/~1payments/get/parameters/query/merchantId — previous: (absent); current: required");
    expect(at("removed \"ach\"")).toBe('#/paths/~1payments/post/requestBody/content/application~1json/schema/properties/method — previous: enum ["card","sepa","ach"]; current: enum ["card","sepa"]');
    expect(at("items[].createdAt")).toMatch(/^#\/paths\/~1payments\/get\/responses\/200\/content\/application~1json\/schema\/properties\/items\/items\/properties\/createdAt — previous: \{"type":"string"/);
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
