import { parse as parseYaml } from "yaml";

/** A JSON value as read from an OpenAPI document. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** An OpenAPI 3.x document with a way to follow its local `$ref`s. */
export type OpenApiDocument = { version: string; root: JsonObject; paths: JsonObject };

/**
 * Objects and arrays nested deeper than this are refused when the document is read: real
 * documents stay under 30 levels, and the comparison walks schemas recursively.
 */
export const MAX_DOCUMENT_DEPTH = 200;

/**
 * Parses an OpenAPI 3.x document from JSON or YAML text (`.json` files as JSON, the rest as
 * YAML, which also reads JSON). Throws with the parser's message, when it nests deeper than
 * MAX_DOCUMENT_DEPTH, or when it is not OpenAPI 3.x (Swagger 2.0 has another shape and would
 * be compared wrongly).
 */
export function parseOpenApi(text: string, fileName: string): OpenApiDocument {
  let value: unknown;
  try {
    value = fileName.toLowerCase().endsWith(".json") ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 1_000, logLevel: "error" });
  } catch (e) {
    // yaml reports its own stack overflow as a parse error at a position.
    if (e instanceof RangeError || (e instanceof Error && e.message.startsWith("Maximum call stack size exceeded"))) throw new Error(`nested too deeply to read (the parser ran out of stack; at most ${MAX_DOCUMENT_DEPTH} levels are compared)`);
    // yaml's messages end with a multi-line code frame; the first line says what and where.
    const first = (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";
    throw new Error(first.replace(/:\s*$/, ""));
  }
  const tooDeep = deepestBeyond(value, MAX_DOCUMENT_DEPTH);
  if (tooDeep !== null) throw new Error(`nested deeper than ${MAX_DOCUMENT_DEPTH} levels at ${tooDeep}`);
  if (!isObject(value)) throw new Error("not an OpenAPI document: expected an object at the top level");
  const version = value["openapi"];
  if (typeof version !== "string" || !version.startsWith("3.")) {
    throw new Error(`not an OpenAPI 3.x document (openapi: ${JSON.stringify(version ?? value["swagger"] ?? null)})`);
  }
  const paths = value["paths"] ?? {};
  if (!isObject(paths)) throw new Error('not an OpenAPI document: "paths" is not an object');
  return { version, root: value, paths };
}

/**
 * Follows a node's local `$ref` (`#/components/schemas/Order`) until it reaches a value, and
 * returns it with the pointer it came from (for cycle detection). External references
 * (`other.yaml#/…`) cannot be compared, so they throw rather than pass unchecked.
 */
export function resolve(doc: OpenApiDocument, node: Json | undefined): { value: Json | undefined; ref: string | null } {
  let current = node;
  let ref: string | null = null;
  const seen = new Set<string>();
  while (isObject(current) && typeof current["$ref"] === "string") {
    const target: string = current["$ref"];
    if (!target.startsWith("#")) throw new Error(`external $ref "${target}" is not supported; bundle the document first`);
    if (seen.has(target)) throw new Error(`$ref cycle through "${target}"`);
    seen.add(target);
    ref = target;
    current = pointer(doc.root, target);
    if (current === undefined) throw new Error(`$ref "${target}" points to nothing in the document`);
  }
  return { value: current, ref };
}

/** Escapes one segment of a JSON pointer (`/` → `~1`, `~` → `~0`). */
export function escapeSegment(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The JSON pointer of the first value nested deeper than `max`, or null. Iterative: a document
 * 5,000 levels deep is measured without recursion.
 */
function deepestBeyond(root: unknown, max: number): string | null {
  type Node = { value: unknown; depth: number; key: string; parent: Node | null };
  const stack: Node[] = [{ value: root, depth: 0, key: "#", parent: null }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (typeof node.value !== "object" || node.value === null) continue;
    if (node.depth > max) {
      const keys: string[] = [];
      for (let n: Node | null = node; n !== null && keys.length < 12; n = n.parent) keys.push(n.key);
      const shown = keys.reverse().join("/");
      return shown.startsWith("#") ? shown : `#/…/${shown} (${node.depth} levels down)`;
    }
    const entries = Array.isArray(node.value) ? node.value.map((v, i) => [String(i), v] as const) : Object.entries(node.value);
    for (const [key, value] of entries) stack.push({ value, depth: node.depth + 1, key: escapeSegment(key), parent: node });
  }
  return null;
}

function pointer(root: JsonObject, ref: string): Json | undefined {
  const segments = ref.slice(1).split("/").slice(1).map((s) => decodePercent(s).replace(/~1/g, "/").replace(/~0/g, "~"));
  let node: Json | undefined = root;
  for (const s of segments) {
    if (Array.isArray(node)) node = node[Number(s)];
    else if (isObject(node)) node = Object.hasOwn(node, s) ? node[s] : undefined;
    else return undefined;
  }
  return node;
}

/** `%7B` in a pointer is `{`; a lone `%` is kept as it is rather than failing the comparison. */
function decodePercent(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
