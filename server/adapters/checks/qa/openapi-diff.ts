import type { CheckFinding } from "../../../engine/ports.ts";
import { escapeSegment, isObject, resolve, type Json, type JsonObject, type OpenApiDocument } from "./openapi-document.ts";
import { findingOf, type ApiChange, type ApiRuleId } from "./openapi-rules.ts";
import { arrayOf, SchemaDiff } from "./openapi-schema-diff.ts";

/**
 * Backward compatibility of an API: can every client of `previous` keep working against
 * `current`? Each difference carries a rule id and a level (openapi-rules.ts): breaking changes
 * are high findings, warnings (deprecations, sunsets, changed defaults) low, additions info.
 *
 * Compared: paths and operations; parameters (newly required, deprecated, their schemas); request
 * bodies (became required, media types removed, JSON schema); 2xx responses (removed, media types
 * and headers removed, JSON schema); schemas through `$ref`s, `allOf`, `anyOf`/`oneOf` branches,
 * `items` and `additionalProperties` (openapi-schema-diff.ts says which way each one breaks).
 *
 * Not compared (documented limits): non-JSON body schemas, response headers' schemas, 4xx/5xx
 * responses, security schemes and callbacks; an `additionalProperties` opened on the response side.
 * Throws SchemaLimitError when a schema is nested too deep or the documents are too large.
 */
export function diffOpenApi(previous: OpenApiDocument, current: OpenApiDocument): CheckFinding[] {
  return diffOpenApiChanges(previous, current).map(findingOf);
}

/** The differences with their rule ids, in document order. */
export function diffOpenApiChanges(previous: OpenApiDocument, current: OpenApiDocument): ApiChange[] {
  return new Differ(previous, current).run();
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

class Differ {
  private readonly changes: ApiChange[] = [];
  private readonly schemas: SchemaDiff;

  constructor(
    private readonly prev: OpenApiDocument,
    private readonly curr: OpenApiDocument,
  ) {
    this.schemas = new SchemaDiff(prev, curr, (change) => this.changes.push(change));
  }

  run(): ApiChange[] {
    const currByShape = new Map(Object.keys(this.curr.paths).map((p) => [shapeOf(p), p]));
    const prevShapes = new Set(Object.keys(this.prev.paths).map(shapeOf));
    for (const [prevPath, prevItemRaw] of Object.entries(this.prev.paths)) {
      const loc = `#/paths/${escapeSegment(prevPath)}`;
      const currPath = currByShape.get(shapeOf(prevPath));
      if (currPath === undefined) {
        this.change("api-path-removed", `removed path ${prevPath}`, loc, `operations: ${methodsOf(this.obj(this.prev, prevItemRaw)).join(", ").toUpperCase() || "none"}`, "(absent)");
        continue;
      }
      this.comparePathItem(prevPath, currPath, loc);
    }
    for (const p of Object.keys(this.curr.paths)) {
      if (!prevShapes.has(shapeOf(p))) this.change("api-path-added", `added path ${p}`, `#/paths/${escapeSegment(p)}`, "(absent)", "(present)");
    }
    return this.changes;
  }

  private comparePathItem(prevPath: string, currPath: string, loc: string): void {
    const prevItem = this.obj(this.prev, this.prev.paths[prevPath]);
    const currItem = this.obj(this.curr, this.curr.paths[currPath]);
    // `/orders/{id}` and `/orders/{orderId}` are the same route; match path parameters by position.
    const renamed = new Map(templateNames(prevPath).map((n, i) => [n, templateNames(currPath)[i] ?? n]));
    for (const method of METHODS) {
      const prevOp = prevItem[method];
      const currOp = currItem[method];
      const label = `${method.toUpperCase()} ${currPath}`;
      if (prevOp !== undefined && currOp === undefined) this.change("api-operation-removed", `removed operation ${method.toUpperCase()} ${prevPath}`, `${loc}/${method}`, "(present)", "(absent)");
      else if (prevOp === undefined && currOp !== undefined) this.change("api-operation-added", `added operation ${label}`, `#/paths/${escapeSegment(currPath)}/${method}`, "(absent)", "(present)");
      else if (prevOp !== undefined && currOp !== undefined) {
        this.compareOperation(label, `${loc}/${method}`, prevItem, this.obj(this.prev, prevOp), currItem, this.obj(this.curr, currOp), renamed);
      }
    }
  }

  private compareOperation(label: string, loc: string, prevItem: JsonObject, prevOp: JsonObject, currItem: JsonObject, currOp: JsonObject, renamed: Map<string, string>): void {
    if (currOp["deprecated"] === true && prevOp["deprecated"] !== true) this.change("api-deprecated", `${label} is deprecated`, loc, "not deprecated", "deprecated: true");
    const sunset = currOp["x-sunset"];
    if (sunset !== undefined && JSON.stringify(sunset) !== JSON.stringify(prevOp["x-sunset"])) {
      this.change("api-sunset-announced", `${label} will be removed on ${String(sunset)} (x-sunset)`, `${loc}/x-sunset`, prevOp["x-sunset"] === undefined ? "(absent)" : String(prevOp["x-sunset"]), String(sunset));
    }
    const prevParams = this.parameters(this.prev, prevItem, prevOp, renamed);
    const currParams = this.parameters(this.curr, currItem, currOp, new Map());
    for (const [key, cp] of currParams) {
      const pp = prevParams.get(key);
      const where = typeof cp["in"] === "string" ? cp["in"] : "";
      const name = typeof cp["name"] === "string" ? cp["name"] : "";
      const ploc = `${loc}/parameters/${where}/${escapeSegment(name)}`;
      if (cp["required"] === true && pp?.["required"] !== true) {
        this.change(where === "header" ? "request-header-became-required" : "request-parameter-became-required", `${label}: new required ${where} parameter ${name}`, ploc, pp === undefined ? "(absent)" : "optional", "required");
      }
      if (pp === undefined) continue;
      if (cp["deprecated"] === true && pp["deprecated"] !== true) this.change("request-parameter-deprecated", `${label}: ${where} parameter ${name} is deprecated`, ploc, "not deprecated", "deprecated: true");
      this.schemas.compare(label, `${ploc}/schema`, pp["schema"], cp["schema"], "request-parameter");
    }
    this.compareRequestBody(label, `${loc}/requestBody`, prevOp["requestBody"], currOp["requestBody"]);
    this.compareResponses(label, `${loc}/responses`, this.obj(this.prev, prevOp["responses"]), this.obj(this.curr, currOp["responses"]));
  }

  private compareRequestBody(label: string, loc: string, prevRaw: Json | undefined, currRaw: Json | undefined): void {
    if (currRaw === undefined) return; // a dropped body is ignored by the server: not breaking
    const curr = this.obj(this.curr, currRaw);
    const prev = prevRaw === undefined ? undefined : this.obj(this.prev, prevRaw);
    if (curr["required"] === true && prev?.["required"] !== true) {
      this.change("request-body-became-required", `${label}: request body became required`, loc, prev === undefined ? "(no body)" : "optional", "required");
    }
    if (prev === undefined) return;
    const prevContent = this.obj(this.prev, prev["content"]);
    const currContent = this.obj(this.curr, curr["content"]);
    for (const type of removedMediaTypes(prevContent, currContent, "request")) {
      this.change("request-media-type-removed", `${label}: request no longer accepts ${type}`, `${loc}/content/${escapeSegment(type)}`, "(accepted)", "(absent)");
    }
    const prevJson = jsonContent(prevContent);
    const currJson = jsonContent(currContent);
    if (prevJson && currJson) {
      this.schemas.compare(label, `${loc}/content/${escapeSegment(currJson.type)}/schema`, this.obj(this.prev, prevJson.media)["schema"], this.obj(this.curr, currJson.media)["schema"], "request-property");
    }
  }

  private compareResponses(label: string, loc: string, prev: JsonObject, curr: JsonObject): void {
    for (const [status, prevRespRaw] of Object.entries(prev)) {
      if (!/^2(\d\d|XX)$/i.test(status)) continue;
      const rloc = `${loc}/${status}`;
      const currRespRaw = curr[status];
      if (currRespRaw === undefined) {
        this.change("response-success-status-removed", `${label}: removed response ${status}`, rloc, "(present)", `(absent; current 2xx: ${Object.keys(curr).filter((s) => s.startsWith("2")).join(", ") || "none"})`);
        continue;
      }
      const prevResp = this.obj(this.prev, prevRespRaw);
      const currResp = this.obj(this.curr, currRespRaw);
      this.compareResponseHeaders(label, `${rloc}/headers`, status, this.obj(this.prev, prevResp["headers"]), this.obj(this.curr, currResp["headers"]));
      const prevContent = this.obj(this.prev, prevResp["content"]);
      const currContent = this.obj(this.curr, currResp["content"]);
      for (const type of removedMediaTypes(prevContent, currContent, "response")) {
        this.change("response-media-type-removed", `${label}: response ${status} no longer returns ${type}`, `${rloc}/content/${escapeSegment(type)}`, "(present)", "(absent)");
      }
      const prevJson = jsonContent(prevContent);
      const currJson = jsonContent(currContent);
      if (prevJson && currJson) {
        this.schemas.compare(label, `${rloc}/content/${escapeSegment(currJson.type)}/schema`, this.obj(this.prev, prevJson.media)["schema"], this.obj(this.curr, currJson.media)["schema"], "response-property");
      }
    }
  }

  /** Header names are case-insensitive (RFC 9110). A newly documented `Sunset` header (RFC 8594) announces a removal. */
  private compareResponseHeaders(label: string, loc: string, status: string, prev: JsonObject, curr: JsonObject): void {
    const currNames = new Set(Object.keys(curr).map((h) => h.toLowerCase()));
    const prevNames = new Set(Object.keys(prev).map((h) => h.toLowerCase()));
    for (const name of Object.keys(prev)) {
      if (!currNames.has(name.toLowerCase())) this.change("response-header-removed", `${label}: response ${status} no longer sends header ${name}`, `${loc}/${escapeSegment(name)}`, "(present)", "(absent)");
    }
    for (const name of Object.keys(curr)) {
      if (name.toLowerCase() === "sunset" && !prevNames.has("sunset")) this.change("api-sunset-announced", `${label} announces its removal (Sunset header on ${status})`, `${loc}/${escapeSegment(name)}`, "(absent)", "Sunset header");
    }
  }

  /** Path-level parameters overridden by the operation's, keyed `in/name` (path names renamed, header names lower-cased). */
  private parameters(doc: OpenApiDocument, item: JsonObject, op: JsonObject, renamed: Map<string, string>): Map<string, JsonObject> {
    const params = new Map<string, JsonObject>();
    for (const raw of [...arrayOf(item["parameters"]), ...arrayOf(op["parameters"])]) {
      const p = this.obj(doc, raw);
      const name = typeof p["name"] === "string" ? p["name"] : "";
      const where = typeof p["in"] === "string" ? p["in"] : "";
      // Path parameters are always required (OpenAPI 3.x); treat them so even when the flag is missing.
      const param = where === "path" ? { ...p, required: true } : p;
      const key = where === "path" ? (renamed.get(name) ?? name) : where === "header" ? name.toLowerCase() : name;
      params.set(`${where}/${key}`, param);
    }
    return params;
  }

  private obj(doc: OpenApiDocument, raw: Json | undefined): JsonObject {
    const { value } = resolve(doc, raw);
    return isObject(value) ? value : {};
  }

  private change(rule: ApiRuleId, message: string, location: string, previous: string, current: string): void {
    this.changes.push({ rule, message, location, previous, current });
  }
}

function methodsOf(item: JsonObject): string[] {
  return METHODS.filter((m) => item[m] !== undefined);
}

function shapeOf(p: string): string {
  return p.replace(/\{[^}]*\}/g, "{}").replace(/\/+$/, "");
}

function templateNames(p: string): string[] {
  return [...p.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? "");
}

/** `application/json; charset=utf-8` and `Application/JSON` are the same media type. */
function mediaTypeOf(type: string): string {
  return (type.split(";")[0] ?? "").trim().toLowerCase();
}

/**
 * Media types of `prev` that `curr` no longer lists. `*\/*` in the current request accepts all;
 * a response that listed `*\/*` promised nothing a client could rely on.
 */
function removedMediaTypes(prev: JsonObject, curr: JsonObject, side: "request" | "response"): string[] {
  const currTypes = new Set(Object.keys(curr).map(mediaTypeOf));
  if (side === "request" && currTypes.has("*/*")) return [];
  return Object.keys(prev).filter((t) => !currTypes.has(mediaTypeOf(t)) && !(side === "response" && mediaTypeOf(t) === "*/*"));
}

function jsonContent(content: JsonObject): { type: string; media: Json } | null {
  const type = Object.keys(content).find((t) => /^application\/(.+\+)?json(;|$)/i.test(t) || t === "*/*");
  return type === undefined ? null : { type, media: content[type] ?? null };
}
