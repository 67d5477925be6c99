import type { CheckFinding } from "../../../engine/ports.ts";
import { escapeSegment, isObject, resolve, type Json, type JsonObject, type OpenApiDocument } from "./openapi-document.ts";

/**
 * Backward compatibility of an API: can every client of `previous` keep working against
 * `current`? Breaking (high): a removed path or operation, a removed 2xx response or JSON request
 * content, a newly required parameter or request-body property, a request body that became
 * required, a removed property of a 2xx JSON response, a changed type, and enum values removed
 * from what clients may send. Additions of paths and operations are info.
 *
 * Not compared (documented limits): `oneOf`/`anyOf` branches (only `allOf` is merged), non-JSON
 * bodies, response headers, security schemes and callbacks.
 */
export function diffOpenApi(previous: OpenApiDocument, current: OpenApiDocument): CheckFinding[] {
  return new Differ(previous, current).run();
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
type Side = "request" | "response";

class Differ {
  private readonly findings: CheckFinding[] = [];
  // Pairs of $refs already being compared: recursive schemas (a tree of categories) stop here.
  private readonly visiting = new Set<string>();

  constructor(
    private readonly prev: OpenApiDocument,
    private readonly curr: OpenApiDocument,
  ) {}

  run(): CheckFinding[] {
    const currByShape = new Map(Object.keys(this.curr.paths).map((p) => [shapeOf(p), p]));
    const prevShapes = new Set(Object.keys(this.prev.paths).map(shapeOf));
    for (const [prevPath, prevItemRaw] of Object.entries(this.prev.paths)) {
      const loc = `#/paths/${escapeSegment(prevPath)}`;
      const currPath = currByShape.get(shapeOf(prevPath));
      if (currPath === undefined) {
        this.breaking(`removed path ${prevPath}`, loc, `operations: ${methodsOf(this.obj(this.prev, prevItemRaw)).join(", ").toUpperCase() || "none"}`, "(absent)");
        continue;
      }
      this.comparePathItem(prevPath, currPath, loc);
    }
    for (const p of Object.keys(this.curr.paths)) {
      if (!prevShapes.has(shapeOf(p))) this.info(`added path ${p}`, `#/paths/${escapeSegment(p)}`);
    }
    return this.findings;
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
      if (prevOp !== undefined && currOp === undefined) this.breaking(`removed operation ${method.toUpperCase()} ${prevPath}`, `${loc}/${method}`, "(present)", "(absent)");
      else if (prevOp === undefined && currOp !== undefined) this.info(`added operation ${label}`, `#/paths/${escapeSegment(currPath)}/${method}`);
      else if (prevOp !== undefined && currOp !== undefined) {
        this.compareOperation(label, `${loc}/${method}`, prevItem, this.obj(this.prev, prevOp), currItem, this.obj(this.curr, currOp), renamed);
      }
    }
  }

  private compareOperation(label: string, loc: string, prevItem: JsonObject, prevOp: JsonObject, currItem: JsonObject, currOp: JsonObject, renamed: Map<string, string>): void {
    const prevParams = this.parameters(this.prev, prevItem, prevOp, renamed);
    const currParams = this.parameters(this.curr, currItem, currOp, new Map());
    for (const [key, cp] of currParams) {
      const pp = prevParams.get(key);
      const [where = "", ...rest] = key.split("/");
      const ploc = `${loc}/parameters/${where}/${escapeSegment(rest.join("/"))}`;
      if (cp["required"] === true && pp?.["required"] !== true) {
        this.breaking(`${label}: new required ${key.replace("/", " parameter ")}`, ploc, pp === undefined ? "(absent)" : "optional", "required");
      }
      if (pp !== undefined) this.compareSchema(label, `${ploc}/schema`, pp["schema"], cp["schema"], "request");
    }
    this.compareRequestBody(label, `${loc}/requestBody`, prevOp["requestBody"], currOp["requestBody"]);
    this.compareResponses(label, `${loc}/responses`, this.obj(this.prev, prevOp["responses"]), this.obj(this.curr, currOp["responses"]));
  }

  private compareRequestBody(label: string, loc: string, prevRaw: Json | undefined, currRaw: Json | undefined): void {
    if (currRaw === undefined) return; // a dropped body is ignored by the server: not breaking
    const curr = this.obj(this.curr, currRaw);
    const prev = prevRaw === undefined ? undefined : this.obj(this.prev, prevRaw);
    if (curr["required"] === true && prev?.["required"] !== true) {
      this.breaking(`${label}: request body became required`, loc, prev === undefined ? "(no body)" : "optional", "required");
    }
    if (prev === undefined) return;
    const prevJson = jsonContent(this.obj(this.prev, prev["content"]));
    const currJson = jsonContent(this.obj(this.curr, curr["content"]));
    if (prevJson && !currJson) {
      this.breaking(`${label}: request no longer accepts ${prevJson.type}`, `${loc}/content/${escapeSegment(prevJson.type)}`, "(accepted)", "(absent)");
    } else if (prevJson && currJson) {
      this.compareSchema(label, `${loc}/content/${escapeSegment(currJson.type)}/schema`, this.obj(this.prev, prevJson.media)["schema"], this.obj(this.curr, currJson.media)["schema"], "request");
    }
  }

  private compareResponses(label: string, loc: string, prev: JsonObject, curr: JsonObject): void {
    for (const [status, prevRespRaw] of Object.entries(prev)) {
      if (!/^2(\d\d|XX)$/i.test(status)) continue;
      const rloc = `${loc}/${status}`;
      const currRespRaw = curr[status];
      if (currRespRaw === undefined) {
        this.breaking(`${label}: removed response ${status}`, rloc, "(present)", `(absent; current 2xx: ${Object.keys(curr).filter((s) => s.startsWith("2")).join(", ") || "none"})`);
        continue;
      }
      const prevJson = jsonContent(this.obj(this.prev, this.obj(this.prev, prevRespRaw)["content"]));
      const currJson = jsonContent(this.obj(this.curr, this.obj(this.curr, currRespRaw)["content"]));
      if (!prevJson) continue;
      if (!currJson) {
        this.breaking(`${label}: response ${status} no longer returns ${prevJson.type}`, `${rloc}/content/${escapeSegment(prevJson.type)}`, "(present)", "(absent)");
        continue;
      }
      this.compareSchema(label, `${rloc}/content/${escapeSegment(currJson.type)}/schema`, this.obj(this.prev, prevJson.media)["schema"], this.obj(this.curr, currJson.media)["schema"], "response");
    }
  }

  /**
   * Compares two schemas from a client's side. Request side: the server must still accept what
   * old clients send (no new required property, no narrower type or enum). Response side: old
   * clients must still find what they read (no removed property, no different type).
   */
  private compareSchema(label: string, loc: string, prevRaw: Json | undefined, currRaw: Json | undefined, side: Side): void {
    if (prevRaw === undefined || currRaw === undefined) return;
    const p = resolve(this.prev, prevRaw);
    const c = resolve(this.curr, currRaw);
    const pair = `${p.ref ?? loc}|${c.ref ?? loc}|${side}`;
    if ((p.ref !== null || c.ref !== null) && this.visiting.has(pair)) return;
    this.visiting.add(pair);
    try {
      const prev = this.flatten(this.prev, p.value);
      const curr = this.flatten(this.curr, c.value);

      const prevTypes = typesOf(prev);
      const currTypes = typesOf(curr);
      if (prevTypes && currTypes) {
        // Request: every type old clients send must still be accepted; response: every type the
        // server now returns must be one old clients understand. integer fits in number.
        const [from, into] = side === "request" ? [prevTypes, currTypes] : [currTypes, prevTypes];
        const incompatible = from.filter((t) => !into.includes(t) && !(t === "integer" && into.includes("number")));
        if (incompatible.length > 0) {
          this.breaking(`${label}: changed type of ${describe(loc)}`, loc, `type ${prevTypes.join("|")}`, `type ${currTypes.join("|")}`);
          return; // the properties of a changed type say nothing more
        }
      }

      if (side === "request" && Array.isArray(prev["enum"]) && Array.isArray(curr["enum"])) {
        const currValues = curr["enum"].map((v) => JSON.stringify(v));
        const removed = prev["enum"].filter((v) => !currValues.includes(JSON.stringify(v)));
        if (removed.length > 0) {
          this.breaking(`${label}: enum narrowed at ${describe(loc)} (removed ${removed.map((v) => JSON.stringify(v)).join(", ")})`, loc, `enum ${JSON.stringify(prev["enum"])}`, `enum ${JSON.stringify(curr["enum"])}`);
        }
      }

      const prevProps = this.obj(this.prev, prev["properties"]);
      const currProps = this.obj(this.curr, curr["properties"]);
      const prevRequired = stringsOf(prev["required"]);
      const currRequired = stringsOf(curr["required"]);
      if (side === "request") {
        for (const name of currRequired) {
          if (!prevRequired.includes(name)) {
            this.breaking(`${label}: newly required request-body property ${describe(`${loc}/properties/${escapeSegment(name)}`)}`, `${loc}/properties/${escapeSegment(name)}`, Object.hasOwn(prevProps, name) ? "optional" : "(absent)", "required");
          }
        }
      } else {
        for (const name of Object.keys(prevProps)) {
          if (!Object.hasOwn(currProps, name)) {
            this.breaking(`${label}: removed response property ${describe(`${loc}/properties/${escapeSegment(name)}`)}`, `${loc}/properties/${escapeSegment(name)}`, JSON.stringify(prevProps[name]).slice(0, 200), "(absent)");
          }
        }
      }
      for (const [name, prevProp] of Object.entries(prevProps)) {
        if (Object.hasOwn(currProps, name)) this.compareSchema(label, `${loc}/properties/${escapeSegment(name)}`, prevProp, currProps[name], side);
      }
      if (prev["items"] !== undefined && curr["items"] !== undefined) this.compareSchema(label, `${loc}/items`, prev["items"], curr["items"], side);
    } finally {
      this.visiting.delete(pair);
    }
  }

  /** Merges `allOf` members (resolved) into one schema: properties, required and the first type. */
  private flatten(doc: OpenApiDocument, value: Json | undefined): JsonObject {
    const schema = isObject(value) ? value : {};
    if (!Array.isArray(schema["allOf"])) return schema;
    const merged: JsonObject = { ...schema, properties: { ...this.obj(doc, schema["properties"]) }, required: [...stringsOf(schema["required"])] };
    delete merged["allOf"];
    for (const part of schema["allOf"]) {
      const member = this.flatten(doc, resolve(doc, part).value);
      Object.assign(merged["properties"] as JsonObject, this.obj(doc, member["properties"]));
      (merged["required"] as Json[]).push(...stringsOf(member["required"]));
      if (merged["type"] === undefined && member["type"] !== undefined) merged["type"] = member["type"];
    }
    return merged;
  }

  /** Path-level parameters overridden by the operation's, keyed `in/name` (path names renamed). */
  private parameters(doc: OpenApiDocument, item: JsonObject, op: JsonObject, renamed: Map<string, string>): Map<string, JsonObject> {
    const params = new Map<string, JsonObject>();
    for (const raw of [...arrayOf(item["parameters"]), ...arrayOf(op["parameters"])]) {
      const p = this.obj(doc, raw);
      const name = typeof p["name"] === "string" ? p["name"] : "";
      const where = typeof p["in"] === "string" ? p["in"] : "";
      // Path parameters are always required (OpenAPI 3.x); treat them so even when the flag is missing.
      const param = where === "path" ? { ...p, required: true } : p;
      params.set(`${where}/${where === "path" ? (renamed.get(name) ?? name) : name}`, param);
    }
    return params;
  }

  private obj(doc: OpenApiDocument, raw: Json | undefined): JsonObject {
    const { value } = resolve(doc, raw);
    return isObject(value) ? value : {};
  }

  private breaking(message: string, location: string, previous: string, current: string): void {
    this.findings.push({ severity: "high", message: `Breaking API change: ${message}`, evidence: `${location} — previous: ${previous}; current: ${current}` });
  }

  private info(message: string, location: string): void {
    this.findings.push({ severity: "info", message: `API addition: ${message}`, evidence: location });
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

function jsonContent(content: JsonObject): { type: string; media: Json } | null {
  const type = Object.keys(content).find((t) => /^application\/(.+\+)?json(;|$)/i.test(t) || t === "*/*");
  return type === undefined ? null : { type, media: content[type] ?? null };
}

function typesOf(schema: JsonObject): string[] | null {
  const t = schema["type"];
  const types = typeof t === "string" ? [t] : Array.isArray(t) ? t.filter((x): x is string => typeof x === "string") : null;
  if (types && schema["nullable"] === true && !types.includes("null")) types.push("null");
  return types;
}

function stringsOf(v: Json | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function arrayOf(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

/** The readable tail of a location: `items[].customer.id` from `…/schema/properties/items/items/properties/customer/properties/id`. */
function describe(loc: string): string {
  const param = /\/parameters\/([^/]+)\/([^/]+)\/schema$/.exec(loc);
  if (param?.[1] && param[2]) return `${param[1]} parameter ${unescape(param[2])}`;
  const schemaAt = loc.lastIndexOf("/schema/");
  const segments = schemaAt === -1 ? [] : loc.slice(schemaAt + "/schema/".length).split("/");
  let out = "";
  for (let i = 0; i < segments.length; i++) {
    // `properties` is followed by a property's name (which may itself be "items"); `items` alone is an array's element.
    if (segments[i] === "properties" && i + 1 < segments.length) {
      out += `${out.length > 0 ? "." : ""}${unescape(segments[i + 1] ?? "")}`;
      i++;
    } else if (segments[i] === "items") out += "[]";
  }
  return out.length > 0 ? out : "the body";
}

function unescape(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}
