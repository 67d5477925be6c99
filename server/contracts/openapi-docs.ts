import { ERROR_STATUS, type ErrorCode } from "../errors.ts";
import { PROBLEM_TITLES, problemType } from "../http/problem.ts";

/**
 * The API reference page (/api/v1/docs), rendered on the server from the OpenAPI document itself:
 * operations, parameters, bodies, responses and the error shapes. Plain HTML with inline styles,
 * no scripts and nothing fetched from elsewhere (the page works offline and under a strict CSP).
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
/** `code` spans in descriptions (the document's only markup), escaped first. */
const prose = (s: unknown) => esc(s).replace(/`([^`]+)`/g, "<code>$1</code>");

const MAX_DEPTH = 4;

function deref(doc: Obj, node: unknown): { schema: Obj; name: string | null } {
  if (isObj(node) && typeof node.$ref === "string") {
    const name = node.$ref.split("/").at(-1) ?? null;
    const target = node.$ref.replace(/^#\//, "").split("/").reduce<unknown>((n, k) => (isObj(n) ? n[k] : undefined), doc);
    return { schema: isObj(target) ? target : {}, name };
  }
  return { schema: isObj(node) ? node : {}, name: null };
}

/** A schema's type in a few words: `string (enum: a, b)`, `array of object`, `Run`. */
function typeOf(doc: Obj, node: unknown): string {
  const { schema, name } = deref(doc, node);
  if (name) return name;
  if (schema.const !== undefined) return `const ${JSON.stringify(schema.const)}`;
  if (Array.isArray(schema.enum)) return `${String(schema.type ?? "")} (one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")})`;
  if (Array.isArray(schema.anyOf)) return schema.anyOf.map((s) => typeOf(doc, s)).join(" or ");
  if (Array.isArray(schema.oneOf)) return schema.oneOf.map((s) => typeOf(doc, s)).join(" or ");
  if (schema.type === "array") return `array of ${typeOf(doc, schema.items)}`;
  return String(schema.type ?? "any");
}

/** Limits a reader needs: lengths, ranges, patterns, formats, defaults. */
function constraints(schema: Obj): string {
  const parts: string[] = [];
  const add = (label: string, key: string) => {
    if (schema[key] !== undefined) parts.push(`${label} ${typeof schema[key] === "string" && key !== "default" ? schema[key] : JSON.stringify(schema[key])}`);
  };
  add("min length", "minLength");
  add("max length", "maxLength");
  if (typeof schema.minimum === "number" && schema.minimum > -1e15) add("minimum", "minimum");
  if (typeof schema.maximum === "number" && schema.maximum < 1e15) add("maximum", "maximum");
  add("max items", "maxItems");
  add("format", "format");
  if (typeof schema.pattern === "string" && schema.pattern.length <= 60) add("pattern", "pattern");
  add("default", "default");
  return parts.join("; ");
}

/** A schema's fields as a table (nested objects and arrays of objects indented below their field). */
function fieldsTable(doc: Obj, node: unknown, depth = 0): string {
  const { schema } = deref(doc, node);
  const variants = Array.isArray(schema.oneOf) ? schema.oneOf : Array.isArray(schema.anyOf) ? schema.anyOf : null;
  if (variants) {
    return variants.map((v, i) => `<p class="variant">Variant ${i + 1}${variantLabel(deref(doc, v).schema)}</p>${fieldsTable(doc, v, depth)}`).join("");
  }
  const properties = isObj(schema.properties) ? schema.properties : null;
  if (!properties) return `<p>${esc(typeOf(doc, node))}</p>`;
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const rows = Object.entries(properties).map(([name, prop]) => {
    const { schema: p } = deref(doc, prop);
    const inner = p.type === "array" ? deref(doc, p.items).schema : p;
    const nested = depth < MAX_DEPTH && (isObj(inner.properties) || (Array.isArray(inner.anyOf) && inner.anyOf.some((x) => isObj(x) && isObj(x.properties)))) && !deref(doc, prop).name ? fieldsTable(doc, p.type === "array" ? p.items : prop, depth + 1) : "";
    return `<tr><td><code>${esc(name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ""}</td><td>${esc(typeOf(doc, prop))}</td><td>${prose(p.description ?? "")}${constraints(p) ? `<div class="muted">${esc(constraints(p))}</div>` : ""}${nested}</td></tr>`;
  });
  const closed = schema.additionalProperties === false ? '<p class="muted">Other fields are refused (400).</p>' : "";
  return `<table><thead><tr><th>Field</th><th>Type</th><th>Meaning and limits</th></tr></thead><tbody>${rows.join("")}</tbody></table>${closed}`;
}

function variantLabel(schema: Obj): string {
  const props = isObj(schema.properties) ? schema.properties : {};
  const kind = isObj(props.kind) ? props.kind.const : undefined;
  return kind !== undefined ? `: <code>kind: ${esc(JSON.stringify(kind))}</code>` : "";
}

function operationHtml(doc: Obj, path: string, method: string, op: Obj): string {
  const id = String(op.operationId ?? `${method}-${path}`);
  const scope = op["x-flightdeck-scope"];
  const params = Array.isArray(op.parameters) ? (op.parameters as Obj[]) : [];
  const body = isObj(op.requestBody) && isObj(op.requestBody.content) ? op.requestBody.content : null;
  const responses = isObj(op.responses) ? op.responses : {};
  const events = isObj(op["x-flightdeck-events"]) ? op["x-flightdeck-events"] : null;
  return `<section class="op" id="${esc(id)}" aria-labelledby="${esc(id)}-title">
<h3 id="${esc(id)}-title"><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p><strong>${esc(op.summary ?? "")}</strong></p>
${op.description ? `<div class="desc">${String(op.description).split("\n").map((line) => `<p>${prose(line)}</p>`).join("")}</div>` : ""}
<p>${scope ? `Scope: <code>${esc(scope)}</code>` : "Public: no token needed."}</p>
${params.length ? `<h4>Parameters</h4><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Meaning and limits</th></tr></thead><tbody>${params.map((p) => `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ""}</td><td>${esc(p.in)}</td><td>${esc(typeOf(doc, p.schema))}</td><td>${prose(p.description ?? "")}${isObj(p.schema) && constraints(p.schema) ? `<div class="muted">${esc(constraints(p.schema))}</div>` : ""}</td></tr>`).join("")}</tbody></table>` : ""}
${body ? Object.entries(body).map(([type, media]) => `<h4>Request body <code>${esc(type)}</code>${isObj(media) ? ` — ${esc(typeOf(doc, media.schema))}` : ""}</h4>${isObj(media) ? fieldsTable(doc, media.schema) : ""}`).join("") : ""}
<h4>Responses</h4><ul class="responses">${Object.entries(responses)
    .map(([status, r]) => {
      const response = isObj(r) ? r : {};
      const content = isObj(response.content) ? response.content : {};
      const media = Object.entries(content).map(([type, m]) => `<code>${esc(type)}</code> ${isObj(m) ? esc(typeOf(doc, m.schema)) : ""}`).join(", ");
      const headers = isObj(response.headers) ? Object.keys(response.headers).map((h) => `<code>${esc(h)}</code>`).join(", ") : "";
      const problem = Number(status) >= 400 ? ` (<a href="#problem-${esc(problemAnchor(Number(status)))}">problem details</a>)` : "";
      return `<li><strong>${esc(status)}</strong> ${esc(response.description ?? "")}${media ? ` — ${media}` : ""}${headers ? `; headers ${headers}` : ""}${problem}</li>`;
    })
    .join("")}</ul>
${events ? `<h4>Events</h4><table><thead><tr><th>event</th><th>Meaning and data</th></tr></thead><tbody>${Object.entries(events).map(([type, e]) => `<tr><td><code>${esc(type)}</code></td><td>${prose(isObj(e) ? e.description : "")}</td></tr>`).join("")}</tbody></table>` : ""}
</section>`;
}

const problemAnchor = (status: number) => {
  const code = (Object.entries(ERROR_STATUS) as [ErrorCode, number][]).find(([, s]) => s === status)?.[0] ?? "INTERNAL";
  return problemType(code).split("#")[1]?.replace(/^problem-/, "") ?? "internal";
};

const CSS = `body{font:15px/1.5 system-ui,sans-serif;color:#0f172a;max-width:72rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:1px solid #cbd5e1}h3{font-size:1.1rem}code{font:13px ui-monospace,monospace;background:#f1f5f9;padding:0 .25rem;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #cbd5e1;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f8fafc}
.op{border:1px solid #cbd5e1;border-radius:6px;padding:0 1rem 1rem;margin:1rem 0}.method{display:inline-block;min-width:3.5rem;text-align:center;color:#fff;border-radius:3px;padding:0 .4rem;font-size:.85rem}
.get{background:#1d4ed8}.post{background:#15803d}.req{color:#9a3412;font-size:.8rem}.muted{color:#475569;font-size:.85rem}.variant{font-weight:600;margin:.75rem 0 0}a{color:#1d4ed8}`;

/** The whole page. */
export function renderApiReference(doc: Obj): string {
  const info = isObj(doc.info) ? doc.info : {};
  const paths = isObj(doc.paths) ? doc.paths : {};
  const ops = Object.entries(paths).flatMap(([path, item]) => (isObj(item) ? Object.entries(item).filter(([, op]) => isObj(op)).map(([method, op]) => ({ path, method, op: op as Obj })) : []));
  const schemas = isObj(doc.components) && isObj(doc.components.schemas) ? doc.components.schemas : {};
  const problemCodes = Object.keys(PROBLEM_TITLES) as ErrorCode[];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(info.title ?? "API")} ${esc(info.version ?? "")} reference</title><style>${CSS}</style></head>
<body><main>
<h1>${esc(info.title ?? "API")} <span class="muted">v${esc(info.version ?? "")}</span></h1>
<p>${prose(info.summary ?? "")}</p>
<p>${prose(info.description ?? "")}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json"><code>/api/v1/openapi.json</code></a> (OpenAPI 3.1).</p>
<nav aria-label="Operations"><h2>Operations</h2><ul>${ops.map(({ path, method, op }) => `<li><a href="#${esc(op.operationId ?? "")}">${esc(method.toUpperCase())} ${esc(path)}</a> — ${esc(op.summary ?? "")}</li>`).join("")}</ul></nav>
<h2>Endpoints</h2>
${ops.map(({ path, method, op }) => operationHtml(doc, path, method, op)).join("\n")}
<h2 id="schemas">Schemas</h2>
${Object.entries(schemas).map(([name, s]) => `<section class="op" id="schema-${esc(name)}" aria-labelledby="schema-${esc(name)}-title"><h3 id="schema-${esc(name)}-title">${esc(name)}</h3>${fieldsTable(doc, s)}</section>`).join("\n")}
<h2 id="errors">Errors</h2>
<p>Every error is RFC 9457 problem details, <code>Content-Type: application/problem+json</code>: <code>{ type, title, status, detail, code, errors?, instance? }</code>. <code>detail</code> says what went wrong and is safe to show; <code>errors</code> maps each field at fault (a dotted path such as <code>links.0.url</code>, or a header name) to its messages.</p>
<table><thead><tr><th>Status</th><th>type</th><th>title</th></tr></thead><tbody>${problemCodes.map((code) => `<tr id="${esc(problemType(code).split("#")[1] ?? "")}"><td>${ERROR_STATUS[code]}</td><td><code>${esc(problemType(code))}</code></td><td>${esc(PROBLEM_TITLES[code])}</td></tr>`).join("")}</tbody></table>
</main></body></html>`;
}
