import { escapeSegment, isObject, resolve, type Json, type JsonObject, type OpenApiDocument } from "./openapi-document.ts";
import { schemaRule, type ApiChange, type ApiRuleId, type SchemaRuleKind, type SchemaScope } from "./openapi-rules.ts";

/** Schemas nested deeper than this (through properties, items, branches or `$ref`s) are not compared: the check says where. */
export const MAX_SCHEMA_DEPTH = 100;
/**
 * Schema pairs compared in one diff before it gives up. A document of 2,000 operations with
 * shared schemas needs about 100,000; the limit keeps a pathological one to seconds.
 */
export const MAX_SCHEMA_COMPARISONS = 500_000;

/** A comparison that cannot finish: the message says where, the caller says which documents. */
export class SchemaLimitError extends Error {}

/**
 * Compares two schemas from a client's side. Request side (parameters, bodies): the server must
 * still accept what old clients send: no new required property, no narrower type, constraint,
 * enum or pattern. Response side: old clients must still understand what they read: no removed
 * or newly optional property, no different type, no wider constraint, no new enum value.
 * `readOnly` properties are not sent by clients, `writeOnly` ones are never returned: changes
 * to them do not break the side that does not see them.
 */
export class SchemaDiff {
  // Pairs of $refs being compared: recursive schemas (a tree of categories) stop here.
  private readonly visiting = new Set<string>();
  // Pairs of $refs already compared for one operation: a schema shared by many fields is compared (and reported) once.
  private readonly done = new Set<string>();
  private comparisons = 0;

  constructor(
    private readonly prev: OpenApiDocument,
    private readonly curr: OpenApiDocument,
    private readonly emit: (change: ApiChange) => void,
  ) {}

  compare(label: string, loc: string, prevRaw: Json | undefined, currRaw: Json | undefined, scope: SchemaScope, depth = 0): void {
    if (prevRaw === undefined || currRaw === undefined) return;
    if (depth > MAX_SCHEMA_DEPTH) throw new SchemaLimitError(`schema nested deeper than ${MAX_SCHEMA_DEPTH} levels at ${clip(loc)}`);
    if (++this.comparisons > MAX_SCHEMA_COMPARISONS) throw new SchemaLimitError(`more than ${MAX_SCHEMA_COMPARISONS} schema comparisons (reached at ${clip(loc)}); the documents are too large to compare`);
    const p = resolve(this.prev, prevRaw);
    const c = resolve(this.curr, currRaw);
    const pair = p.ref !== null || c.ref !== null ? `${p.ref ?? loc}|${c.ref ?? loc}|${scope}` : null;
    if (pair !== null && (this.visiting.has(pair) || this.done.has(`${label}|${pair}`))) return;
    if (pair !== null) this.visiting.add(pair);
    try {
      this.compareResolved(label, loc, flatten(this.prev, p.value, loc), flatten(this.curr, c.value, loc), scope, depth);
    } finally {
      if (pair !== null) {
        this.visiting.delete(pair);
        this.done.add(`${label}|${pair}`);
      }
    }
  }

  private compareResolved(label: string, loc: string, prev: JsonObject, curr: JsonObject, scope: SchemaScope, depth: number): void {
    const side = scope === "response-property" ? "response" : "request";
    // The server ignores a readOnly property in a request; it never returns a writeOnly one.
    if (side === "request" && curr["readOnly"] === true) return;
    if (side === "response" && (prev["writeOnly"] === true || curr["writeOnly"] === true)) return;
    const raise = (kind: SchemaRuleKind, message: string, previous: string, current: string, at = loc) => {
      const rule = schemaRule(scope, kind);
      if (rule !== null) this.emit({ rule, message: `${label}: ${message}`, location: at, previous, current });
    };

    const prevTypes = typesOf(prev);
    const currTypes = typesOf(curr);
    if (prevTypes && currTypes) {
      // Request: every type old clients send must still be accepted; response: every type the
      // server now returns must be one old clients understand. integer fits in number.
      const [from, into] = side === "request" ? [prevTypes, currTypes] : [currTypes, prevTypes];
      const incompatible = from.filter((t) => !into.includes(t) && !(t === "integer" && into.includes("number")));
      if (incompatible.length > 0) {
        raise("type-changed", `changed type of ${describe(loc)}`, `type ${prevTypes.join("|")}`, `type ${currTypes.join("|")}`);
        return; // the properties of a changed type say nothing more
      }
    }

    compareConstraints(prev, curr, side, loc, raise);
    compareValues(prev, curr, side, loc, raise);
    if (curr["deprecated"] === true && prev["deprecated"] !== true) raise("deprecated", `${describe(loc)} is deprecated`, "not deprecated", "deprecated: true");

    this.compareProperties(label, loc, prev, curr, scope, depth);
    if (prev["items"] !== undefined && curr["items"] !== undefined) this.compare(label, `${loc}/items`, prev["items"], curr["items"], scope, depth + 1);
    this.compareAdditionalProperties(label, loc, prev, curr, scope, depth, raise);
    for (const key of ["anyOf", "oneOf"] as const) this.compareBranches(label, loc, key, prev, curr, scope, depth, raise);
  }

  private compareProperties(label: string, loc: string, prev: JsonObject, curr: JsonObject, scope: SchemaScope, depth: number): void {
    const prevProps = obj(this.prev, prev["properties"]);
    const currProps = obj(this.curr, curr["properties"]);
    const prevRequired = stringsOf(prev["required"]);
    const currRequired = stringsOf(curr["required"]);
    const at = (name: string) => `${loc}/properties/${escapeSegment(name)}`;
    const change = (rule: ApiRuleId, message: string, name: string, previous: string, current: string) => this.emit({ rule, message: `${label}: ${message} ${describe(at(name))}`, location: at(name), previous, current });
    if (scope !== "response-property") {
      for (const name of currRequired) {
        if (prevRequired.includes(name)) continue;
        if (flatten(this.curr, resolve(this.curr, currProps[name]).value, loc)["readOnly"] === true) continue; // clients never send it
        change("request-property-became-required", "newly required request-body property", name, Object.hasOwn(prevProps, name) ? "optional" : "(absent)", "required");
      }
    } else {
      for (const name of Object.keys(prevProps)) {
        if (flatten(this.prev, resolve(this.prev, prevProps[name]).value, loc)["writeOnly"] === true) continue; // never returned
        if (!Object.hasOwn(currProps, name)) change("response-property-removed", "removed response property", name, JSON.stringify(prevProps[name]).slice(0, 200), "(absent)");
        else if (prevRequired.includes(name) && !currRequired.includes(name)) change("response-property-became-optional", "response property no longer always returned:", name, "required", "optional");
      }
    }
    for (const [name, prevProp] of Object.entries(prevProps)) {
      if (Object.hasOwn(currProps, name)) this.compare(label, at(name), prevProp, currProps[name], scope, depth + 1);
    }
  }

  private compareAdditionalProperties(label: string, loc: string, prev: JsonObject, curr: JsonObject, scope: SchemaScope, depth: number, raise: Raise): void {
    const p = prev["additionalProperties"];
    const c = curr["additionalProperties"];
    const at = `${loc}/additionalProperties`;
    const prevAllowsAny = p === undefined || p === true;
    if (c === false && p !== false) raise("additional-properties-disallowed", `${describe(loc)} no longer accepts properties it does not list`, prevAllowsAny ? "additionalProperties: allowed" : "additionalProperties: a schema", "additionalProperties: false", at);
    else if (isObject(c) && prevAllowsAny) raise("additional-properties-narrowed", `${describe(loc)} accepts only unlisted properties that match a schema`, "additionalProperties: any", `additionalProperties: ${JSON.stringify(c).slice(0, 200)}`, at);
    else if (isObject(c) && isObject(p)) this.compare(label, at, p, c, scope, depth + 1);
  }

  /**
   * anyOf/oneOf branches matched by their `$ref`, else by position. A branch the request side
   * loses is a shape old clients send that is no longer accepted.
   */
  private compareBranches(label: string, loc: string, key: "anyOf" | "oneOf", prev: JsonObject, curr: JsonObject, scope: SchemaScope, depth: number, raise: Raise): void {
    const prevBranches = arrayOf(prev[key]);
    const currBranches = arrayOf(curr[key]);
    if (prevBranches.length === 0 || currBranches.length === 0) return;
    const used = new Set<number>();
    for (const [i, pb] of prevBranches.entries()) {
      const ref = refOf(pb);
      let j = ref === null ? -1 : currBranches.findIndex((cb, k) => !used.has(k) && refOf(cb) === ref);
      if (j === -1 && i < currBranches.length && !used.has(i) && (ref === null || refOf(currBranches[i]) === null)) j = i;
      if (j === -1) {
        raise(key === "anyOf" ? "any-of-removed" : "one-of-removed", `${describe(loc)} no longer accepts ${key} branch ${ref ?? `#${i + 1}`}`, JSON.stringify(pb).slice(0, 200), "(absent)", `${loc}/${key}/${i}`);
        continue;
      }
      used.add(j);
      this.compare(label, `${loc}/${key}/${j}`, pb, currBranches[j], scope, depth + 1);
    }
  }
}

type Raise = (kind: SchemaRuleKind, message: string, previous: string, current: string, at?: string) => void;

/** Length, item-count and numeric limits: narrowed on the request side, widened on the response side. */
function compareConstraints(prev: JsonObject, curr: JsonObject, side: "request" | "response", loc: string, raise: Raise): void {
  const field = describe(loc);
  const limits = [
    ["maxLength", "upper", "max-length-decreased", "max-length-increased"],
    ["minLength", "lower", "min-length-increased", "min-length-decreased"],
    ["maxItems", "upper", "max-items-decreased", "max-items-increased"],
    ["minItems", "lower", "min-items-increased", "min-items-decreased"],
  ] as const;
  for (const [key, bound, narrowed, widened] of limits) {
    // An absent maxLength is no limit; an absent minLength is 0.
    const none = bound === "upper" ? Infinity : 0;
    const p = numberOf(prev[key]) ?? none;
    const c = numberOf(curr[key]) ?? none;
    const narrower = bound === "upper" ? c < p : c > p;
    const wider = bound === "upper" ? c > p : c < p;
    const show = (n: number) => (Number.isFinite(n) && (n !== 0 || bound === "upper") ? `${key} ${n}` : `no ${key}`);
    if (side === "request" && narrower) raise(narrowed, `${key} of ${field} ${bound === "upper" ? "decreased" : "increased"}`, show(p), show(c));
    if (side === "response" && wider) raise(widened, `${key} of ${field} ${bound === "upper" ? "increased" : "decreased"}`, show(p), show(c));
  }

  for (const bound of ["upper", "lower"] as const) {
    const p = numericBound(prev, bound);
    const c = numericBound(curr, bound);
    const word = bound === "upper" ? "maximum" : "minimum";
    if (side === "request" && tighter(c, p, bound)) raise(bound === "upper" ? "max-decreased" : "min-increased", `${word} of ${field} tightened`, showBound(p, bound), showBound(c, bound));
    if (side === "response" && tighter(p, c, bound)) raise(bound === "upper" ? "max-increased" : "min-decreased", `${word} of ${field} widened`, showBound(p, bound), showBound(c, bound));
  }

  // multipleOf must be above 0; anything else is no constraint a validator applies.
  const pm = positive(numberOf(prev["multipleOf"]));
  const cm = positive(numberOf(curr["multipleOf"]));
  // Every multiple of `of` is a multiple of `by` when `of / by` is an integer (6 → 3 widens; 3 → 6 narrows).
  const divides = (of: number, by: number) => of === by || Math.abs(of / by - Math.round(of / by)) < 1e-9;
  const showMultiple = (m: number | null) => (m === null ? "no multipleOf" : `multipleOf ${m}`);
  if (side === "request" && cm !== null) {
    if (pm === null) raise("multiple-of-added", `${field} must now be a multiple of ${cm}`, showMultiple(pm), showMultiple(cm));
    else if (!divides(pm, cm)) raise("multiple-of-changed", `multipleOf of ${field} changed`, showMultiple(pm), showMultiple(cm));
  }
  if (side === "response" && pm !== null) {
    if (cm === null) raise("multiple-of-removed", `${field} is no longer a multiple of ${pm}`, showMultiple(pm), showMultiple(cm));
    else if (!divides(cm, pm)) raise("multiple-of-changed", `multipleOf of ${field} changed`, showMultiple(pm), showMultiple(cm));
  }

  const pp = typeof prev["pattern"] === "string" ? prev["pattern"] : null;
  const cp = typeof curr["pattern"] === "string" ? curr["pattern"] : null;
  if (pp !== null && cp !== null && pp !== cp) raise("pattern-changed", `pattern of ${field} changed`, `pattern ${pp}`, `pattern ${cp}`);
  else if (side === "request" && pp === null && cp !== null) raise("pattern-added", `${field} must now match a pattern`, "no pattern", `pattern ${cp}`);
  else if (side === "response" && pp !== null && cp === null) raise("pattern-removed", `${field} no longer follows its pattern`, `pattern ${pp}`, "no pattern");
}

/** enum, const and default. */
function compareValues(prev: JsonObject, curr: JsonObject, side: "request" | "response", loc: string, raise: Raise): void {
  const field = describe(loc);
  const pe = Array.isArray(prev["enum"]) ? prev["enum"] : null;
  const ce = Array.isArray(curr["enum"]) ? curr["enum"] : null;
  const show = (values: Json[] | null) => (values === null ? "no enum" : `enum ${JSON.stringify(values)}`.slice(0, 300));
  if (pe !== null && ce !== null) {
    const [from, into] = side === "request" ? [pe, ce] : [ce, pe];
    const known = new Set(into.map((v) => JSON.stringify(v)));
    const missing = from.filter((v) => !known.has(JSON.stringify(v))).map((v) => JSON.stringify(v));
    if (missing.length > 0 && side === "request") raise("enum-value-removed", `enum narrowed at ${field} (removed ${missing.join(", ")})`, show(pe), show(ce));
    if (missing.length > 0 && side === "response") raise("enum-value-added", `${field} may now return ${missing.join(", ")}`, show(pe), show(ce));
  } else if (side === "request" && pe === null && ce !== null) raise("enum-added", `${field} now accepts only ${JSON.stringify(ce).slice(0, 200)}`, show(pe), show(ce));
  else if (side === "response" && pe !== null && ce === null) raise("enum-removed", `${field} is no longer limited to ${JSON.stringify(pe).slice(0, 200)}`, show(pe), show(ce));

  const hasP = Object.hasOwn(prev, "const");
  const hasC = Object.hasOwn(curr, "const");
  const pc = JSON.stringify(prev["const"]);
  const cc = JSON.stringify(curr["const"]);
  if (hasP && hasC && pc !== cc) raise("const-changed", `const of ${field} changed`, `const ${pc}`, `const ${cc}`);
  else if (side === "request" && !hasP && hasC) raise("const-added", `${field} now accepts only ${cc}`, "no const", `const ${cc}`);
  else if (side === "response" && hasP && !hasC) raise("const-removed", `${field} is no longer always ${pc}`, `const ${pc}`, "no const");

  const pd = prev["default"];
  const cd = curr["default"];
  if ((pd !== undefined || cd !== undefined) && JSON.stringify(pd) !== JSON.stringify(cd)) {
    const showDefault = (d: Json | undefined) => (d === undefined ? "no default" : `default ${JSON.stringify(d).slice(0, 200)}`);
    raise("default-changed", `default of ${field} changed`, showDefault(pd), showDefault(cd));
  }
}

type Bound = { value: number; exclusive: boolean } | null;

/** The effective maximum or minimum: OpenAPI 3.0's boolean `exclusiveMaximum` or 3.1's number form, the tighter of both. */
function numericBound(s: JsonObject, bound: "upper" | "lower"): Bound {
  const inclusive = numberOf(s[bound === "upper" ? "maximum" : "minimum"]);
  const exclusive = s[bound === "upper" ? "exclusiveMaximum" : "exclusiveMinimum"];
  let out: Bound = inclusive === null ? null : { value: inclusive, exclusive: exclusive === true };
  const ex = numberOf(exclusive);
  if (ex !== null && (out === null || tighter({ value: ex, exclusive: true }, out, bound))) out = { value: ex, exclusive: true };
  return out;
}

/** Whether `a` admits strictly fewer numbers than `b` (null is no bound). */
function tighter(a: Bound, b: Bound, bound: "upper" | "lower"): boolean {
  if (a === null) return false;
  if (b === null) return true;
  if (a.value !== b.value) return bound === "upper" ? a.value < b.value : a.value > b.value;
  return a.exclusive && !b.exclusive;
}

function showBound(b: Bound, bound: "upper" | "lower"): string {
  if (b === null) return bound === "upper" ? "no maximum" : "no minimum";
  return `${bound === "upper" ? (b.exclusive ? "<" : "≤") : b.exclusive ? ">" : "≥"} ${b.value}`;
}

/**
 * Merges `allOf` members (resolved) into one schema: properties and required add up; any other
 * keyword is taken from the schema itself first, then from the first member that has it.
 * A member that refers back to a schema being merged is skipped (`A: allOf: [$ref A]`).
 */
export function flatten(doc: OpenApiDocument, value: Json | undefined, loc: string, seen: ReadonlySet<string> = new Set(), depth = 0): JsonObject {
  const schema = isObject(value) ? value : {};
  if (!Array.isArray(schema["allOf"])) return schema;
  if (depth > MAX_SCHEMA_DEPTH) throw new SchemaLimitError(`allOf nested deeper than ${MAX_SCHEMA_DEPTH} levels at ${clip(loc)}`);
  const properties: JsonObject = { ...obj(doc, schema["properties"]) };
  const required: Json[] = stringsOf(schema["required"]);
  const merged: JsonObject = { ...schema, properties, required };
  delete merged["allOf"];
  for (const part of schema["allOf"]) {
    const r = resolve(doc, part);
    if (r.ref !== null && seen.has(r.ref)) continue;
    const member = flatten(doc, r.value, loc, r.ref === null ? seen : new Set([...seen, r.ref]), depth + 1);
    Object.assign(properties, obj(doc, member["properties"]));
    for (const name of stringsOf(member["required"])) required.push(name);
    for (const [key, v] of Object.entries(member)) if (merged[key] === undefined) merged[key] = v;
  }
  return merged;
}

function obj(doc: OpenApiDocument, raw: Json | undefined): JsonObject {
  const { value } = resolve(doc, raw);
  return isObject(value) ? value : {};
}

function refOf(v: Json | undefined): string | null {
  return isObject(v) && typeof v["$ref"] === "string" ? v["$ref"] : null;
}

function typesOf(schema: JsonObject): string[] | null {
  const t = schema["type"];
  const types = typeof t === "string" ? [t] : Array.isArray(t) ? t.filter((x): x is string => typeof x === "string") : null;
  if (types && schema["nullable"] === true && !types.includes("null")) types.push("null");
  return types;
}

function positive(n: number | null): number | null {
  return n !== null && n > 0 ? n : null;
}

function numberOf(v: Json | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export function stringsOf(v: Json | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

export function arrayOf(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

function clip(loc: string): string {
  return loc.length > 300 ? `${loc.slice(0, 300)}…` : loc;
}

/** The readable tail of a location: `items[].customer.id` from `…/schema/properties/items/items/properties/customer/properties/id`. */
export function describe(loc: string): string {
  const param = /\/parameters\/([^/]+)\/([^/]+)\/schema(?:\/|$)/.exec(loc);
  const schemaAt = param ? param.index + param[0].length - (param[0].endsWith("/") ? 1 : 0) : loc.lastIndexOf("/schema/") + "/schema".length;
  const segments = schemaAt < "/schema".length ? [] : loc.slice(schemaAt + 1).split("/").filter((s) => s.length > 0);
  let out = "";
  for (let i = 0; i < segments.length; i++) {
    // `properties` is followed by a property's name (which may itself be "items"); `items` alone is an array's element.
    const s = segments[i];
    if (s === "properties" && i + 1 < segments.length) {
      out += `${out.length > 0 ? "." : ""}${unescape(segments[i + 1] ?? "")}`;
      i++;
    } else if (s === "items") out += "[]";
    else if (s === "additionalProperties") out += out.length > 0 ? ".*" : "*";
    else if ((s === "anyOf" || s === "oneOf") && i + 1 < segments.length) i++;
  }
  if (param?.[1] && param[2]) return `${param[1]} parameter ${unescape(param[2])}${out.length > 0 ? ` (${out})` : ""}`;
  return out.length > 0 ? out : "the body";
}

function unescape(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}
