import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseLcov } from "./coverage.ts";
import { parseJUnit } from "./junit.ts";
import { diffOpenApi } from "./openapi-diff.ts";
import { parseOpenApi, type Json } from "./openapi-document.ts";

// Whatever a team's CI writes, the QA gate answers: findings, or a refusal that says what is
// wrong with the report. Never a TypeError or a stack overflow that the run page cannot explain,
// and never a report that holds the gate for minutes.

const BUDGET_MS = 2_000;

/** Reads with `read`; a refusal must be a plain Error with a message, and either must come quickly. */
function answers(read: () => unknown): void {
  const t0 = performance.now();
  try {
    read();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    // TypeError, RangeError (stack overflow), SyntaxError, URIError: crashes, not refusals.
    expect(Object.getPrototypeOf(e)).not.toBe(TypeError.prototype);
    expect(e).not.toBeInstanceOf(RangeError);
    expect(e).not.toBeInstanceOf(SyntaxError);
    expect(e).not.toBeInstanceOf(URIError);
    expect((e as Error).message.trim().length).toBeGreaterThan(0);
  }
  expect(performance.now() - t0).toBeLessThan(BUDGET_MS);
}

const attrValue = fc.oneof(fc.nat({ max: 1_000 }).map(String), fc.constantFrom("", "-3", "1e400", "NaN", "12.5", "0x10", "&amp;", "<"), fc.string({ maxLength: 8 }));
const attrs = (names: string[]) =>
  fc.dictionary(fc.constantFrom(...names), attrValue, { maxKeys: names.length }).map((d) =>
    Object.entries(d)
      .map(([k, v]) => ` ${k}="${v.replace(/[&<"]/g, "")}"`)
      .join(""),
  );
const testcase = fc
  .tuple(attrs(["name", "classname", "time"]), fc.constantFrom("", "<failure/>", '<failure message="m">body</failure>', "<error/>", "<skipped/>", "<system-out>x</system-out>"))
  .map(([a, body]) => `<testcase${a}>${body}</testcase>`);
const { suite } = fc.letrec<{ suite: string }>((tie) => ({
  suite: fc
    .tuple(attrs(["name", "tests", "failures", "errors", "skipped", "disabled"]), fc.array(fc.oneof({ depthSize: "small" }, testcase, tie("suite")), { maxLength: 6 }))
    .map(([a, children]) => `<testsuite${a}>${children.join("")}</testsuite>`),
}));
const junitReport = fc.oneof(
  fc.tuple(attrs(["name", "tests", "failures", "errors", "skipped"]), fc.array(fc.oneof(suite, testcase), { maxLength: 6 })).map(([a, children]) => `<?xml version="1.0"?><testsuites${a}>${children.join("")}</testsuites>`),
  suite,
);

describe("JUnit parser", () => {
  it("reads or refuses any well-formed report, with totals that add up", () => {
    fc.assert(
      fc.property(junitReport, (xml) => {
        answers(() => {
          const t = parseJUnit(xml);
          // What the summary shows must be consistent: never more failed or skipped than ran.
          expect(t.failures + t.errors + t.skipped).toBeLessThanOrEqual(t.tests);
          expect(t.failed.length).toBeGreaterThanOrEqual(t.failures + t.errors > 0 ? 1 : 0);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("reads or refuses any text, including broken XML", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 500 }), junitReport.map((x) => x.slice(0, Math.max(0, x.length - 7)))), (text) => answers(() => parseJUnit(text))),
      { numRuns: 300 },
    );
  });
});

const lcovLine = fc.oneof(
  fc.constantFrom("TN:", "end_of_record", "LF:", "LH:-1", "DA:", "DA:1", "DA:x,1", "BRDA:1,0,0,-", "FNDA:0,f", "SF:"),
  fc.tuple(fc.constantFrom("SF:", "LF:", "LH:", "DA:", "FN:", "FNDA:", "BRDA:"), fc.oneof(fc.nat().map(String), fc.string({ maxLength: 12 }), fc.tuple(fc.nat({ max: 50 }), fc.integer({ min: -2, max: 5 })).map(([l, h]) => `${l},${h}`))).map(([k, v]) => `${k}${v}`),
  fc.string({ maxLength: 20 }),
);

describe("lcov parser", () => {
  it("reads or refuses any tracefile; a file never shows more lines covered than found", () => {
    fc.assert(
      fc.property(fc.array(lcovLine, { maxLength: 60 }), fc.constantFrom("\n", "\r\n"), (lines, eol) => {
        answers(() => {
          for (const { total, covered } of parseLcov(lines.join(eol), "/srv/checkout").values()) {
            expect(covered).toBeGreaterThanOrEqual(0);
            expect(covered).toBeLessThanOrEqual(Math.max(total, 0));
          }
        });
      }),
      { numRuns: 500 },
    );
  });
});

// Schemas built from the keywords the comparison reads, with values of every type, and $refs to
// components that may or may not exist (or refer to themselves).
const refTarget = fc.constantFrom("#/components/schemas/A", "#/components/schemas/B", "#/components/schemas/Missing", "#/paths", "#bad", "#/components/schemas/%zz", "other.yaml#/X");
const anyValue: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
const { schema } = fc.letrec<{ schema: Json }>((tie) => ({
  schema: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ $ref: refTarget }),
    fc.record(
      {
        type: fc.oneof(fc.constantFrom("string", "integer", "number", "object", "array", "boolean", "null"), fc.constant<Json>(["string", "null"]), anyValue),
        properties: fc.dictionary(fc.constantFrom("id", "name", "items", "a/b", "~"), tie("schema"), { maxKeys: 3 }),
        required: fc.oneof(fc.array(fc.constantFrom("id", "name", "x"), { maxLength: 3 }), anyValue),
        items: tie("schema"),
        additionalProperties: fc.oneof(fc.boolean(), tie("schema")),
        allOf: fc.array(tie("schema"), { maxLength: 2 }),
        anyOf: fc.array(tie("schema"), { maxLength: 2 }),
        oneOf: fc.oneof(fc.array(tie("schema"), { maxLength: 2 }), anyValue),
        enum: fc.oneof(fc.array(anyValue, { maxLength: 3 }), anyValue),
        const: anyValue,
        default: anyValue,
        maxLength: fc.oneof(fc.nat({ max: 10 }), anyValue),
        minLength: fc.nat({ max: 10 }),
        maximum: fc.oneof(fc.integer(), fc.double()),
        exclusiveMaximum: fc.oneof(fc.boolean(), fc.integer(), anyValue),
        exclusiveMinimum: fc.oneof(fc.boolean(), fc.integer()),
        minimum: fc.integer(),
        multipleOf: fc.oneof(fc.integer({ min: -2, max: 10 }), fc.double()),
        pattern: fc.oneof(fc.string({ maxLength: 5 }), anyValue),
        readOnly: fc.boolean(),
        writeOnly: fc.boolean(),
        deprecated: anyValue,
        nullable: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
    anyValue,
  ),
}));
const operation = fc.record(
  {
    deprecated: anyValue,
    "x-sunset": anyValue,
    parameters: fc.array(fc.oneof(fc.record({ name: fc.constantFrom("q", "id", "X-Id"), in: fc.constantFrom("query", "path", "header", "cookie"), required: fc.boolean(), deprecated: fc.boolean(), schema }, { requiredKeys: ["name", "in"] }), fc.record({ $ref: refTarget }), anyValue), { maxLength: 3 }),
    requestBody: fc.oneof(fc.record({ required: fc.boolean(), content: fc.dictionary(fc.constantFrom("application/json", "text/csv", "*/*", "application/xml; charset=utf-8"), fc.record({ schema })) }), anyValue),
    responses: fc.dictionary(
      fc.constantFrom("200", "201", "2XX", "404"),
      fc.oneof(fc.record({ description: fc.constant("r"), headers: fc.dictionary(fc.constantFrom("Sunset", "X-Limit", "x-limit"), fc.record({ schema })), content: fc.dictionary(fc.constantFrom("application/json", "application/problem+json", "text/csv"), fc.record({ schema })) }, { requiredKeys: [] }), fc.record({ $ref: refTarget }), anyValue),
    ),
  },
  { requiredKeys: [] },
);
const document = fc.record({
  openapi: fc.constantFrom("3.0.3", "3.1.0"),
  paths: fc.dictionary(fc.constantFrom("/a", "/a/{id}", "/b/{x}", "/b/"), fc.dictionary(fc.constantFrom("get", "post", "parameters"), fc.oneof(operation, anyValue), { maxKeys: 3 }), { maxKeys: 3 }),
  components: fc.record({ schemas: fc.record({ A: schema, B: schema }, { requiredKeys: [] }) }),
});

// Generating two documents takes most of each run's time: fewer runs, a longer timeout.
describe("OpenAPI parser and comparison", () => {
  it("compares or refuses any two documents, in bounded time", () => {
    fc.assert(
      fc.property(document, document, (prev, curr) => {
        answers(() => diffOpenApi(parseOpenApi(JSON.stringify(prev), "prev.json"), parseOpenApi(JSON.stringify(curr), "curr.json")));
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it("a document compared with itself has no breaking change", () => {
    fc.assert(
      fc.property(document, (doc) => {
        let findings: ReturnType<typeof diffOpenApi> = [];
        answers(() => {
          const parsed = parseOpenApi(JSON.stringify(doc), "api.json");
          findings = diffOpenApi(parsed, parsed);
        });
        expect(findings.filter((f) => f.severity !== "info")).toEqual([]);
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it("reads or refuses any text as YAML or JSON", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), document.map((d) => JSON.stringify(d).slice(0, 200))), fc.constantFrom("api.yaml", "api.json"), (text, name) => answers(() => parseOpenApi(text, name))),
      { numRuns: 300 },
    );
  });
});
