import { describe, expect, it } from "vitest";
import { diffOpenApi } from "./openapi-diff.ts";
import { parseOpenApi, type Json, type JsonObject, type OpenApiDocument } from "./openapi-document.ts";
import { API_RULES } from "./openapi-rules.ts";
import { MAX_SCHEMA_DEPTH } from "./openapi-schema-diff.ts";

// Each rule both ways: the change that triggers it, and the mirror change that must not.
// What is asserted is what the run page shows: the finding's severity, its rule and its message.

const api = (paths: JsonObject, schemas: JsonObject = {}, openapi = "3.1.0"): OpenApiDocument =>
  parseOpenApi(JSON.stringify({ openapi, info: { title: "Orders", version: "1" }, paths, components: { schemas } }), "api.json");

const json = (schema: Json) => ({ "application/json": { schema } });
/** POST /orders whose JSON body has the property `f`. */
const requestWith = (f: Json, more: JsonObject = {}) => ({ "/orders": { post: { requestBody: { content: json({ type: "object", properties: { f }, ...more }) }, responses: { "201": { description: "created" } } } } });
/** GET /orders whose 200 JSON response has the property `f`. */
const responseWith = (f: Json, more: JsonObject = {}) => ({ "/orders": { get: { responses: { "200": { description: "ok", content: json({ type: "object", properties: { f }, ...more }) } } } } });
/** GET /orders with the query parameter `q`. */
const queryWith = (schema: Json, more: JsonObject = {}) => ({ "/orders": { get: { parameters: [{ name: "q", in: "query", schema, ...more }], responses: { "200": { description: "ok" } } } } });

/** `severity rule` of every finding, as the evidence names it. */
function rules(prev: OpenApiDocument, curr: OpenApiDocument): string[] {
  return diffOpenApi(prev, curr).map((f) => `${f.severity} ${/ — rule (\S+)$/.exec(f.evidence)?.[1] ?? "(no rule)"}`);
}
const messages = (prev: OpenApiDocument, curr: OpenApiDocument) => diffOpenApi(prev, curr).map((f) => `${f.severity}: ${f.message}`);

describe("constraints: narrowed in a request, widened in a response", () => {
  // [what, wide schema, narrow schema, request rule (wide → narrow), response rule (narrow → wide)]
  const cases: [string, Json, Json, string, string][] = [
    ["maxLength lowered", { type: "string", maxLength: 100 }, { type: "string", maxLength: 50 }, "max-length-decreased", "max-length-increased"],
    ["maxLength added", { type: "string" }, { type: "string", maxLength: 50 }, "max-length-decreased", "max-length-increased"],
    ["minLength raised", { type: "string", minLength: 1 }, { type: "string", minLength: 3 }, "min-length-increased", "min-length-decreased"],
    ["pattern added", { type: "string" }, { type: "string", pattern: "^[A-Z]{3}$" }, "pattern-added", "pattern-removed"],
    ["maximum lowered", { type: "integer", maximum: 100 }, { type: "integer", maximum: 10 }, "max-decreased", "max-increased"],
    ["minimum raised", { type: "integer", minimum: 0 }, { type: "integer", minimum: 1 }, "min-increased", "min-decreased"],
    ["maximum made exclusive (3.0 boolean)", { type: "number", maximum: 100 }, { type: "number", maximum: 100, exclusiveMaximum: true }, "max-decreased", "max-increased"],
    ["minimum made exclusive (3.0 boolean)", { type: "number", minimum: 0 }, { type: "number", minimum: 0, exclusiveMinimum: true }, "min-increased", "min-decreased"],
    ["maximum made exclusive (3.1 number)", { type: "number", maximum: 100 }, { type: "number", exclusiveMaximum: 100 }, "max-decreased", "max-increased"],
    ["exclusiveMinimum added (3.1 number)", { type: "number" }, { type: "number", exclusiveMinimum: 0 }, "min-increased", "min-decreased"],
    ["maxItems lowered", { type: "array", maxItems: 10 }, { type: "array", maxItems: 5 }, "max-items-decreased", "max-items-increased"],
    ["minItems raised", { type: "array" }, { type: "array", minItems: 1 }, "min-items-increased", "min-items-decreased"],
    ["multipleOf added", { type: "integer" }, { type: "integer", multipleOf: 5 }, "multiple-of-added", "multiple-of-removed"],
    ["multipleOf 5 → 10", { type: "integer", multipleOf: 5 }, { type: "integer", multipleOf: 10 }, "multiple-of-changed", "multiple-of-changed"],
    ["enum added", { type: "string" }, { type: "string", enum: ["eur", "usd"] }, "enum-added", "enum-removed"],
    ["enum value removed", { type: "string", enum: ["eur", "usd", "gbp"] }, { type: "string", enum: ["eur", "usd"] }, "enum-value-removed", "enum-value-added"],
    ["const added", { type: "string" }, { type: "string", const: "eur" }, "const-added", "const-removed"],
  ];

  for (const [what, wide, narrow, requestRule, responseRule] of cases) {
    it(`${what}: breaks a request; the same change in a response does not`, () => {
      expect(rules(api(requestWith(wide)), api(requestWith(narrow)))).toEqual([`high request-property-${requestRule}`]);
      expect(rules(api(queryWith(wide)), api(queryWith(narrow)))).toEqual([`high request-parameter-${requestRule}`]);
      expect(rules(api(responseWith(wide)), api(responseWith(narrow)))).toEqual([]);
    });
    it(`${what}, undone: breaks a response; the same change in a request does not`, () => {
      expect(rules(api(responseWith(narrow)), api(responseWith(wide)))).toEqual([`high response-property-${responseRule}`]);
      expect(rules(api(requestWith(narrow)), api(requestWith(wide)))).toEqual([]);
      expect(rules(api(queryWith(narrow)), api(queryWith(wide)))).toEqual([]);
    });
  }

  it("says what changed and by how much", () => {
    expect(messages(api(queryWith({ type: "string", maxLength: 100 })), api(queryWith({ type: "string", maxLength: 50 })))).toEqual(["high: Breaking API change: GET /orders: maxLength of query parameter q decreased"]);
    const [finding] = diffOpenApi(api(requestWith({ type: "number", maximum: 100 })), api(requestWith({ type: "number", exclusiveMaximum: 100 })));
    expect(finding?.evidence).toBe("#/paths/~1orders/post/requestBody/content/application~1json/schema/properties/f — previous: ≤ 100; current: < 100 — rule request-property-max-decreased");
  });

  it("a pattern or const changed breaks both sides; a divisor of the old multipleOf widens only", () => {
    const a = { type: "string", pattern: "^[a-z]+$" };
    const b = { type: "string", pattern: "^[a-z0-9]+$" };
    expect(rules(api(requestWith(a)), api(requestWith(b)))).toEqual(["high request-property-pattern-changed"]);
    expect(rules(api(responseWith(a)), api(responseWith(b)))).toEqual(["high response-property-pattern-changed"]);
    expect(rules(api(requestWith({ const: "eur" })), api(requestWith({ const: "usd" })))).toEqual(["high request-property-const-changed"]);
    expect(rules(api(responseWith({ const: "eur" })), api(responseWith({ const: "usd" })))).toEqual(["high response-property-const-changed"]);
    expect(rules(api(requestWith({ type: "integer", multipleOf: 10 })), api(requestWith({ type: "integer", multipleOf: 5 })))).toEqual([]);
    expect(rules(api(responseWith({ type: "integer", multipleOf: 5 })), api(responseWith({ type: "integer", multipleOf: 10 })))).toEqual([]);
  });

  it("3.0 documents read exclusiveMaximum as a flag on maximum", () => {
    const prev = api(requestWith({ type: "number", maximum: 10, exclusiveMaximum: true }), {}, "3.0.3");
    expect(rules(prev, api(requestWith({ type: "number", maximum: 10 }), {}, "3.0.3"))).toEqual([]);
    expect(rules(prev, api(requestWith({ type: "number", maximum: 9, exclusiveMaximum: true }), {}, "3.0.3"))).toEqual(["high request-property-max-decreased"]);
  });
});

describe("additionalProperties", () => {
  const open = { type: "object", additionalProperties: true };
  it("true → false breaks a request (unlisted keys are refused); false → true does not", () => {
    expect(rules(api(requestWith(open)), api(requestWith({ type: "object", additionalProperties: false })))).toEqual(["high request-property-additional-properties-disallowed"]);
    expect(rules(api(requestWith({ type: "object", additionalProperties: false })), api(requestWith(open)))).toEqual([]);
  });
  it("any value → a schema breaks a request; a schema → any value does not", () => {
    expect(rules(api(requestWith({ type: "object" })), api(requestWith({ type: "object", additionalProperties: { type: "string" } })))).toEqual(["high request-property-additional-properties-narrowed"]);
    expect(rules(api(requestWith({ type: "object", additionalProperties: { type: "string" } })), api(requestWith({ type: "object" })))).toEqual([]);
  });
  it("its schema is compared like any other: tightened breaks a request, loosened a response", () => {
    const loose = { type: "object", additionalProperties: { type: "string", maxLength: 64 } };
    const tight = { type: "object", additionalProperties: { type: "string", maxLength: 8 } };
    expect(messages(api(requestWith(loose)), api(requestWith(tight)))).toEqual(["high: Breaking API change: POST /orders: maxLength of f.* decreased"]);
    expect(rules(api(requestWith(tight)), api(requestWith(loose)))).toEqual([]);
    expect(rules(api(responseWith(tight)), api(responseWith(loose)))).toEqual(["high response-property-max-length-increased"]);
  });
});

describe("required, in allOf, anyOf and oneOf, with readOnly and writeOnly", () => {
  const base = (required: string[], extra: JsonObject = {}) => ({ Base: { type: "object", required, properties: { id: { type: "string", readOnly: true }, secret: { type: "string", writeOnly: true }, name: { type: "string" }, ...extra } } });
  const body = { allOf: [{ $ref: "#/components/schemas/Base" }] };
  const req = (required: string[]) => api({ "/orders": { post: { requestBody: { content: json(body) }, responses: { "201": { description: "created" } } } } }, base(required));
  const res = (required: string[]) => api({ "/orders": { get: { responses: { "200": { description: "ok", content: json(body) } } } } }, base(required));

  it("a property newly required inside allOf breaks a request; no longer required does not", () => {
    expect(messages(req([]), req(["name"]))).toEqual(["high: Breaking API change: POST /orders: newly required request-body property name"]);
    expect(rules(req(["name"]), req([]))).toEqual([]);
  });
  it("a newly required readOnly property is not a request break (clients never send it); a writeOnly one is", () => {
    expect(rules(req([]), req(["id"]))).toEqual([]);
    expect(rules(req([]), req(["secret"]))).toEqual(["high request-property-became-required"]);
  });
  it("a response property no longer required breaks a response, unless it is writeOnly (never returned); newly required breaks nothing", () => {
    expect(messages(res(["name"]), res([]))).toEqual(["high: Breaking API change: GET /orders: response property no longer always returned: name"]);
    expect(rules(res(["secret"]), res([]))).toEqual([]);
    expect(rules(res([]), res(["secret", "name"]))).toEqual([]);
  });
  it("a removed writeOnly property is not a response break; a removed readable one is", () => {
    const without = (name: string) => {
      const props: JsonObject = { id: { type: "string", readOnly: true }, secret: { type: "string", writeOnly: true }, name: { type: "string" } };
      delete props[name];
      return api({ "/orders": { get: { responses: { "200": { description: "ok", content: json({ type: "object", properties: props }) } } } } });
    };
    const full = without("none");
    expect(rules(full, without("secret"))).toEqual([]);
    expect(rules(full, without("name"))).toEqual(["high response-property-removed"]);
  });

  const payment = (cardRequired: string[], branches = 2) => {
    const all: Json[] = [{ type: "object", required: cardRequired, properties: { card: { type: "string" }, cvc: { type: "string" } } }, { type: "object", properties: { iban: { type: "string" } } }];
    return (key: "anyOf" | "oneOf") => api({ "/pay": { post: { requestBody: { content: json({ [key]: all.slice(0, branches) }) }, responses: { "200": { description: "ok" } } } } });
  };
  for (const key of ["anyOf", "oneOf"] as const) {
    it(`${key}: a property newly required in a branch, or a branch removed, breaks a request; the reverse does not`, () => {
      expect(messages(payment(["card"])(key), payment(["card", "cvc"])(key))).toEqual(["high: Breaking API change: POST /pay: newly required request-body property cvc"]);
      expect(rules(payment(["card", "cvc"])(key), payment(["card"])(key))).toEqual([]);
      expect(rules(payment([])(key), payment([], 1)(key))).toEqual([`high request-property-${key === "anyOf" ? "any-of" : "one-of"}-removed`]);
      expect(rules(payment([], 1)(key), payment([])(key))).toEqual([]);
    });
  }
});

describe("media types, headers and parameters", () => {
  const get = (content: JsonObject, headers: JsonObject = {}) => api({ "/orders": { get: { responses: { "200": { description: "ok", headers, content } } } } });
  const post = (content: JsonObject) => api({ "/orders": { post: { requestBody: { content }, responses: { "201": { description: "created" } } } } });
  const csv = { "text/csv": { schema: { type: "string" } } };

  it("a response media type removed breaks; one added does not", () => {
    expect(messages(get({ ...json({ type: "object" }), ...csv }), get(json({ type: "object" })))).toEqual(["high: Breaking API change: GET /orders: response 200 no longer returns text/csv"]);
    expect(rules(get(json({ type: "object" })), get({ ...json({ type: "object" }), ...csv }))).toEqual([]);
  });
  it("a request media type removed breaks; one added, or a charset parameter, does not", () => {
    expect(rules(post({ ...json({ type: "object" }), ...csv }), post(json({ type: "object" })))).toEqual(["high request-media-type-removed"]);
    expect(rules(post(json({ type: "object" })), post({ ...json({ type: "object" }), ...csv }))).toEqual([]);
    expect(rules(post(json({ type: "object" })), post({ "application/json; charset=utf-8": { schema: { type: "object" } } }))).toEqual([]);
  });
  it("a removed response header breaks (names compared case-insensitively); an added one does not", () => {
    const limit = { "X-RateLimit-Remaining": { schema: { type: "integer" } } };
    expect(messages(get({}, limit), get({}))).toEqual(["high: Breaking API change: GET /orders: response 200 no longer sends header X-RateLimit-Remaining"]);
    expect(rules(get({}), get({}, limit))).toEqual([]);
    expect(rules(get({}, limit), get({}, { "x-ratelimit-remaining": { schema: { type: "integer" } } }))).toEqual([]);
  });
  it("a newly required request header breaks; a new optional one does not", () => {
    const withHeader = (required: boolean) => api({ "/orders": { get: { parameters: [{ name: "X-Tenant", in: "header", required, schema: { type: "string" } }], responses: { "200": { description: "ok" } } } } });
    const none = api({ "/orders": { get: { responses: { "200": { description: "ok" } } } } });
    expect(messages(none, withHeader(true))).toEqual(["high: Breaking API change: GET /orders: new required header parameter X-Tenant"]);
    expect(rules(withHeader(false), withHeader(true))).toEqual(["high request-header-became-required"]);
    expect(rules(none, withHeader(false))).toEqual([]);
    expect(rules(withHeader(true), withHeader(false))).toEqual([]);
  });
});

describe("warnings: defaults and deprecation do not block", () => {
  it("a changed default is a warning on either side; a changed description is nothing", () => {
    expect(messages(api(queryWith({ type: "integer", default: 20 })), api(queryWith({ type: "integer", default: 50 })))).toEqual(["low: API warning: GET /orders: default of query parameter q changed"]);
    expect(rules(api(requestWith({ type: "string", default: "eur" })), api(requestWith({ type: "string" })))).toEqual(["low request-property-default-changed"]);
    expect(rules(api(responseWith({ type: "string", default: "eur" })), api(responseWith({ type: "string", default: "usd" })))).toEqual(["low response-property-default-changed"]);
    expect(rules(api(queryWith({ type: "integer", default: 20 })), api(queryWith({ type: "integer", default: 20, description: "page size" })))).toEqual([]);
  });
  it("an operation, parameter or property newly deprecated is a warning; undeprecated is nothing", () => {
    const op = (extra: JsonObject) => api({ "/orders": { get: { ...extra, responses: { "200": { description: "ok" } } } } });
    expect(messages(op({}), op({ deprecated: true }))).toEqual(["low: API warning: GET /orders is deprecated"]);
    expect(rules(op({ deprecated: true }), op({}))).toEqual([]);
    expect(rules(api(queryWith({ type: "string" })), api(queryWith({ type: "string" }, { deprecated: true })))).toEqual(["low request-parameter-deprecated"]);
    expect(rules(api(queryWith({ type: "string" }, { deprecated: true })), api(queryWith({ type: "string" })))).toEqual([]);
    expect(rules(api(responseWith({ type: "string" })), api(responseWith({ type: "string", deprecated: true })))).toEqual(["low response-property-deprecated"]);
    expect(rules(api(requestWith({ type: "string" })), api(requestWith({ type: "string", deprecated: true })))).toEqual(["low request-property-deprecated"]);
  });
  it("a sunset announced (x-sunset, or a Sunset response header) is a warning; one already announced is nothing", () => {
    const op = (extra: JsonObject, headers: JsonObject = {}) => api({ "/orders": { get: { ...extra, responses: { "200": { description: "ok", headers } } } } });
    expect(messages(op({}), op({ "x-sunset": "2027-06-30" }))).toEqual(["low: API warning: GET /orders will be removed on 2027-06-30 (x-sunset)"]);
    expect(rules(op({ "x-sunset": "2027-06-30" }), op({ "x-sunset": "2027-06-30" }))).toEqual([]);
    expect(rules(op({}), op({}, { Sunset: { schema: { type: "string" } } }))).toEqual(["low api-sunset-announced"]);
    expect(rules(op({}, { Sunset: { schema: { type: "string" } } }), op({}, { Sunset: { schema: { type: "string" } } }))).toEqual([]);
  });
});

describe("the rules that were already there keep their ids and levels", () => {
  const ok = { "200": { description: "ok" } };
  it("paths and operations: removed breaks, added is info", () => {
    const both = api({ "/a": { get: { responses: ok }, post: { responses: ok } }, "/b": { get: { responses: ok } } });
    const fewer = api({ "/a": { get: { responses: ok } } });
    expect(rules(both, fewer)).toEqual(["high api-operation-removed", "high api-path-removed"]);
    expect(rules(fewer, both)).toEqual(["info api-operation-added", "info api-path-added"]);
  });
  it("a new required parameter, a body that became required, a removed 2xx response: breaking one way only", () => {
    const op = (extra: JsonObject, responses: JsonObject) => api({ "/a": { post: { ...extra, responses } } });
    const loose = op({ requestBody: { content: json({ type: "object" }) } }, { "200": { description: "ok" }, "202": { description: "accepted" } });
    const strict = op({ parameters: [{ name: "v", in: "query", required: true, schema: { type: "string" } }], requestBody: { required: true, content: json({ type: "object" }) } }, { "200": { description: "ok" } });
    expect(rules(loose, strict)).toEqual(["high request-parameter-became-required", "high request-body-became-required", "high response-success-status-removed"]);
    expect(rules(strict, loose)).toEqual([]);
  });
  it("a changed type breaks; integer → number in a request does not", () => {
    expect(rules(api(requestWith({ type: "integer" })), api(requestWith({ type: "string" })))).toEqual(["high request-property-type-changed"]);
    expect(rules(api(requestWith({ type: "integer" })), api(requestWith({ type: "number" })))).toEqual([]);
    expect(rules(api(responseWith({ type: "integer" })), api(responseWith({ type: "number" })))).toEqual(["high response-property-type-changed"]);
  });
  it("every rule raised here is in the catalog with its level", () => {
    expect(API_RULES.get("request-property-max-length-decreased")).toBe("breaking");
    expect(API_RULES.get("api-deprecated")).toBe("warning");
    expect(API_RULES.get("api-path-added")).toBe("info");
    expect([...API_RULES.keys()].every((id) => /^[a-z]+(-[a-z]+)+$/.test(id))).toBe(true);
  });
});

describe("$refs, cycles and limits", () => {
  it("a schema that refers to itself (through properties or allOf) is compared without looping", () => {
    const tree = (maxLength: number) => ({ Node: { allOf: [{ $ref: "#/components/schemas/Node" }], type: "object", properties: { name: { type: "string", maxLength }, children: { type: "array", items: { $ref: "#/components/schemas/Node" } } } } });
    const doc = (maxLength: number) => api({ "/tree": { post: { requestBody: { content: json({ $ref: "#/components/schemas/Node" }) }, responses: { "200": { description: "ok" } } } } }, tree(maxLength));
    expect(rules(doc(20), doc(10))).toEqual(["high request-property-max-length-decreased"]);
    expect(rules(doc(10), doc(20))).toEqual([]);
  });

  it("a schema 5,000 levels deep is refused when read, saying where, not with a stack overflow", () => {
    // Written as text: JSON.stringify itself would overflow on it.
    const deep = `${'{ "type": "object", "properties": { "next": '.repeat(5_000)}{ "type": "string" }${" } }".repeat(5_000)}`;
    const text = `{ "openapi": "3.1.0", "paths": {}, "components": { "schemas": { "Deep": ${deep} } } }`;
    expect(() => parseOpenApi(text, "deep.json")).toThrow(/^nested deeper than 200 levels at #\/…\/.*properties\/next \(201 levels down\)$/);
  });

  it("a chain of $refs deeper than the comparison goes is an error naming where; a shorter one is compared", () => {
    const chain = (n: number, maxLength: number) => {
      const schemas: JsonObject = { [`S${n}`]: { type: "string", maxLength } };
      for (let i = 0; i < n; i++) schemas[`S${i}`] = { type: "object", properties: { next: { $ref: `#/components/schemas/S${i + 1}` } } };
      return api({ "/c": { post: { requestBody: { content: json({ $ref: "#/components/schemas/S0" }) }, responses: { "200": { description: "ok" } } } } }, schemas);
    };
    expect(() => diffOpenApi(chain(MAX_SCHEMA_DEPTH + 10, 20), chain(MAX_SCHEMA_DEPTH + 10, 10))).toThrow(/^schema nested deeper than 100 levels at #\/paths\/~1c\/post\/requestBody\/content\/application~1json\/schema\/properties\/next\//);
    expect(rules(chain(50, 20), chain(50, 10))).toEqual(["high request-property-max-length-decreased"]);
  });

  it("a schema shared by every field of every level (2^30 paths) is compared once per operation, in well under a second", () => {
    const dag = (maxLength: number) => {
      const schemas: JsonObject = { L30: { type: "string", maxLength } };
      for (let i = 0; i < 30; i++) schemas[`L${i}`] = { type: "object", properties: { a: { $ref: `#/components/schemas/L${i + 1}` }, b: { $ref: `#/components/schemas/L${i + 1}` } } };
      return api({ "/d": { post: { requestBody: { content: json({ $ref: "#/components/schemas/L0" }) }, responses: { "200": { description: "ok" } } } } }, schemas);
    };
    const t0 = performance.now();
    expect(rules(dag(20), dag(10))).toEqual(["high request-property-max-length-decreased"]);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });
});
