import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { diffOpenApiChanges } from "../adapters/checks/qa/openapi-diff.ts";
import { parseOpenApi } from "../adapters/checks/qa/openapi-document.ts";
import { levelOf } from "../adapters/checks/qa/openapi-rules.ts";
import { API_TOKEN_SCOPES } from "../services/api-tokens.ts";
import { buildOpenApiDocument, VALIDATED_SCHEMAS } from "./openapi.ts";
import { renderApiReference } from "./openapi-docs.ts";

/**
 * Flightdeck gates its own API: the document the server serves describes every v1 route, the
 * request schemas in it are the ones the routes validate with, and it stays backward compatible
 * with the released document (openapi.released.json) by the QA agent's own comparison.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const doc = buildOpenApiDocument();
const paths = doc.paths as Record<string, Record<string, Obj>>;
const schemas = (doc.components as { schemas: Record<string, Obj> }).schemas;
const ROOT = join(import.meta.dirname, "..", "..");
const RELEASED = join(import.meta.dirname, "openapi.released.json");

/** Every app/api/v1 route file as [OpenAPI path, methods it exports]. */
function routeFiles(): [string, string[]][] {
  const dir = join(ROOT, "app", "api", "v1");
  const out: [string, string[]][] = [];
  for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!file.endsWith(`route.ts`)) continue;
    const source = readFileSync(join(dir, file), "utf8");
    const methods = [...source.matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => (m[1] ?? "").toLowerCase());
    const route = `/${relative(ROOT, join(dir, file)).split(sep).slice(1, -1).join("/")}`.replaceAll("[id]", "{ref}");
    out.push([route, methods]);
  }
  return out;
}

describe("the OpenAPI document", () => {
  it("describes every v1 route file and method, and nothing that does not exist (the HTML reference page aside)", () => {
    const files = routeFiles().filter(([p]) => p !== "/api/v1/docs");
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const [path, methods] of files) {
      expect(Object.keys(paths[path] ?? {}).sort(), path).toEqual([...methods].sort());
    }
    expect(Object.keys(paths).sort()).toEqual(files.map(([p]) => p).sort());
  });

  it("is OpenAPI 3.1 whose every $ref resolves, with unique operation ids, one scope per protected operation and problem details for its errors", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(() => parseOpenApi(JSON.stringify(doc), "openapi.json")).not.toThrow();
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (isObj(v)) {
        for (const [k, x] of Object.entries(v)) {
          if (k === "$ref" && typeof x === "string") refs.push(x);
          else walk(x);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const target = ref.replace(/^#\//, "").split("/").reduce<unknown>((node, key) => (isObj(node) ? node[key] : undefined), doc);
      expect(target, ref).toBeDefined();
    }
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(typeof op.operationId, where).toBe("string");
        expect(ids.has(String(op.operationId)), where).toBe(false);
        ids.add(String(op.operationId));
        const responses = op.responses as Record<string, Obj>;
        expect(Object.keys(responses).some((s) => s.startsWith("2")), where).toBe(true);
        if (path === "/api/v1/openapi.json") continue;
        expect((API_TOKEN_SCOPES as readonly string[]).includes(String(op["x-flightdeck-scope"])), where).toBe(true);
        expect(op.security, where).toEqual([{ bearer: [] }]);
        // The OTLP receiver answers as the OTLP specification says (google.rpc.Status), which exporters read.
        const otlp = path.endsWith("/otlp/v1/metrics");
        for (const [status, response] of Object.entries(responses)) {
          if (Number(status) >= 400 && !otlp) expect(response.content, `${where} ${status}`).toEqual({ "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } });
          if (Number(status) >= 400 && otlp) expect(String(response.description), `${where} ${status}`).toMatch(/google\.rpc\.Status/);
        }
        expect(Object.keys(responses), where).toEqual(expect.arrayContaining(["401", "403"]));
      }
    }
  });

  // The document is generated from the routes' own schemas; these check it says what they do.
  const VALID: Record<keyof typeof VALIDATED_SCHEMAS, Obj> = {
    CreateRun: { service: "storefront", environment: "staging", version: "2.3.1" },
    Command: { kind: "rollback", reason: "error rate above 1%" },
    MetricsBatch: { runId: "00000000-0000-4000-8000-000000000000", samples: [] },
    Signal: { runId: "00000000-0000-4000-8000-000000000000", source: "waf", message: "sql injection" },
    RunList: { runs: [] },
  };

  // Required by a refinement, not by the document: CreateRun's version for a version run (the
  // default kind); a flag run gives a flag instead (issue 15). The descriptions say so.
  const REQUIRED_BY_KIND: Partial<Record<keyof typeof VALIDATED_SCHEMAS, string[]>> = { CreateRun: ["version"] };

  it("documents exactly the fields the routes require and accept", () => {
    for (const [name, schema] of Object.entries(VALIDATED_SCHEMAS) as [keyof typeof VALIDATED_SCHEMAS, (typeof VALIDATED_SCHEMAS)[keyof typeof VALIDATED_SCHEMAS]][]) {
      const documented = schemas[name];
      expect(documented, name).toBeDefined();
      const valid = VALID[name];
      expect(schema.safeParse(valid).success, name).toBe(true);
      // The Command schema is one object per kind; the rest are plain objects.
      const variant = (Array.isArray(documented?.oneOf) ? (documented.oneOf as Obj[]).find((o) => isObj(o.properties) && isObj(o.properties.kind) && o.properties.kind.const === valid.kind) : documented) as Obj;
      const required = (variant.required as string[] | undefined) ?? [];
      expect([...required, ...(REQUIRED_BY_KIND[name] ?? [])].sort(), name).toEqual(Object.keys(valid).sort());
      for (const field of Object.keys(valid)) {
        const { [field]: _gone, ...without } = valid;
        expect(schema.safeParse(without).success, `${name} without ${field}`).toBe(false);
      }
      if (variant.additionalProperties === false) expect(schema.safeParse({ ...valid, surprise: 1 }).success, `${name} + unknown field`).toBe(false);
    }
    // Every optional field of CreateRun that the document lists is one the route takes.
    const createRun = schemas.CreateRun as { properties: Obj };
    const full = { service: "storefront", environment: "production", kind: "version", version: "2.3.1", strategy: "blue-green", risk: "high", compliance: "sox", commitSha: "abc1234", commitTime: "2026-12-04T10:00:00Z", releaseNotes: "notes", links: [{ label: "PR", url: "https://git.example/pr/1" }], freezeOverrideReason: "Payment outage fix cannot wait" };
    const fullFlag = { service: "storefront", environment: "production", kind: "flag", flag: { key: "new-checkout", variant: "on" } };
    expect(Object.keys(createRun.properties).sort()).toEqual([...new Set([...Object.keys(full), ...Object.keys(fullFlag)])].sort());
    expect(VALIDATED_SCHEMAS.CreateRun.safeParse(full).success).toBe(true);
    expect(VALIDATED_SCHEMAS.CreateRun.safeParse(fullFlag).success).toBe(true);
    // A flag run names its flag; a version run its version, and never a flag.
    expect(VALIDATED_SCHEMAS.CreateRun.safeParse({ ...fullFlag, flag: undefined }).success).toBe(false);
    expect(VALIDATED_SCHEMAS.CreateRun.safeParse({ ...fullFlag, version: "2.3.1" }).success).toBe(false);
    expect(VALIDATED_SCHEMAS.CreateRun.safeParse({ ...full, flag: { key: "new-checkout", variant: "on" } }).success).toBe(false);
  });

  it("is backward compatible with the released document by the QA agent's own OpenAPI check", () => {
    const released = parseOpenApi(readFileSync(RELEASED, "utf8"), "openapi.released.json");
    const current = parseOpenApi(JSON.stringify(doc), "openapi.json");
    const breaking = diffOpenApiChanges(released, current).filter((c) => levelOf(c.rule) === "breaking");
    // Printed so a failing CI run says what broke, not just that something did.
    if (breaking.length > 0) console.error(`Breaking API changes against openapi.released.json:\n${breaking.map((c) => `  ${c.rule}: ${c.message}`).join("\n")}`);
    expect(breaking.map((c) => `${c.rule}: ${c.message}`)).toEqual([]);
  });

  it("the gate catches a breaking change: a removed route and a tightened request field", () => {
    const released = parseOpenApi(readFileSync(RELEASED, "utf8"), "openapi.released.json");
    const broken = structuredClone(doc) as { paths: Obj; components: { schemas: { CreateRun: { properties: { releaseNotes: Obj } } } } };
    delete broken.paths["/api/v1/runs/{ref}/events"];
    broken.components.schemas.CreateRun.properties.releaseNotes.maxLength = 500;
    const breaking = diffOpenApiChanges(released, parseOpenApi(JSON.stringify(broken), "openapi.json")).filter((c) => levelOf(c.rule) === "breaking");
    expect(breaking.map((c) => c.message).join("\n")).toMatch(/events/);
    expect(breaking.map((c) => c.message).join("\n")).toMatch(/maxLength/);
  });

  it("renders a reference page with every operation, its fields and the error types, and no script", () => {
    const html = renderApiReference(doc);
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(html, `${method} ${path}`).toContain(`id="${String(op.operationId)}"`);
        expect(html).toContain(`>${method.toUpperCase()}</span> <code>${path}</code>`);
      }
    }
    for (const field of ["commitSha", "releaseNotes", "Idempotency-Key", "Last-Event-ID", "run.finished"]) expect(html).toContain(field);
    for (const anchor of ["problem-bad-request", "problem-unprocessable", "problem-payload-too-large"]) expect(html).toContain(`id="${anchor}"`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!json-schema\.org)/i);
    // Text from the document is escaped, never markup.
    const hostile = structuredClone(doc) as { info: { summary: string } };
    hostile.info.summary = "<img src=x onerror=alert(1)>";
    expect(renderApiReference(hostile)).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });
});
