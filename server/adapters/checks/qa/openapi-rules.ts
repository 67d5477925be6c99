import type { CheckFinding } from "../../../engine/ports.ts";
import type { Severity } from "../../../core/types.ts";

/**
 * How much an API change matters to the clients of the previous version: `breaking` (an old client
 * fails), `warning` (it keeps working but its team must act: a deprecation, a changed default),
 * `info` (an addition).
 */
export type ApiChangeLevel = "breaking" | "warning" | "info";

/** Where a schema sits: what clients send (parameters, request bodies) or what they read. */
export type SchemaScope = "request-parameter" | "request-property" | "response-property";

// Rule names follow the ones a mature diff tool (oasdiff) gives, so a team can look them up.

/** Schema changes that narrow what the server accepts: breaking on the request side. */
const REQUEST_SCHEMA_RULES = [
  "type-changed",
  "max-length-decreased",
  "min-length-increased",
  "pattern-added",
  "pattern-changed",
  "max-decreased",
  "min-increased",
  "max-items-decreased",
  "min-items-increased",
  "multiple-of-added",
  "multiple-of-changed",
  "enum-added",
  "enum-value-removed",
  "const-added",
  "const-changed",
  "additional-properties-disallowed",
  "additional-properties-narrowed",
  "any-of-removed",
  "one-of-removed",
] as const;

/** Schema changes that widen what the server returns: breaking on the response side. */
const RESPONSE_SCHEMA_RULES = [
  "type-changed",
  "max-length-increased",
  "min-length-decreased",
  "pattern-removed",
  "pattern-changed",
  "max-increased",
  "min-decreased",
  "max-items-increased",
  "min-items-decreased",
  "multiple-of-removed",
  "multiple-of-changed",
  "enum-value-added",
  "enum-removed",
  "const-removed",
  "const-changed",
] as const;

/** Schema changes that warn on either side. */
const WARNING_SCHEMA_RULES = ["default-changed", "deprecated"] as const;

const OTHER_RULES = {
  "api-path-removed": "breaking",
  "api-operation-removed": "breaking",
  "api-path-added": "info",
  "api-operation-added": "info",
  "api-deprecated": "warning",
  "api-sunset-announced": "warning",
  "request-parameter-became-required": "breaking",
  "request-header-became-required": "breaking",
  "request-parameter-deprecated": "warning",
  "request-body-became-required": "breaking",
  "request-media-type-removed": "breaking",
  "request-property-became-required": "breaking",
  "response-success-status-removed": "breaking",
  "response-media-type-removed": "breaking",
  "response-header-removed": "breaking",
  "response-property-removed": "breaking",
  "response-property-became-optional": "breaking",
} as const satisfies Record<string, ApiChangeLevel>;

type RequestScope = Exclude<SchemaScope, "response-property">;
/** A stable rule id: what changed, where, in which direction (`request-property-max-length-decreased`). */
export type ApiRuleId =
  | `${RequestScope}-${(typeof REQUEST_SCHEMA_RULES)[number] | (typeof WARNING_SCHEMA_RULES)[number]}`
  | `response-property-${(typeof RESPONSE_SCHEMA_RULES)[number] | (typeof WARNING_SCHEMA_RULES)[number]}`
  | keyof typeof OTHER_RULES;

/** A schema rule's kind, checked against the scope it is used in when the rule is raised. */
export type SchemaRuleKind = (typeof REQUEST_SCHEMA_RULES)[number] | (typeof RESPONSE_SCHEMA_RULES)[number] | (typeof WARNING_SCHEMA_RULES)[number];

/** Every rule the comparison knows, with its level. */
export const API_RULES: ReadonlyMap<ApiRuleId, ApiChangeLevel> = new Map<ApiRuleId, ApiChangeLevel>([
  ...(["request-parameter", "request-property"] as const).flatMap((scope) => [
    ...REQUEST_SCHEMA_RULES.map((k) => [`${scope}-${k}` as const, "breaking"] as const),
    ...WARNING_SCHEMA_RULES.map((k) => [`${scope}-${k}` as const, "warning"] as const),
  ]),
  ...RESPONSE_SCHEMA_RULES.map((k) => [`response-property-${k}` as const, "breaking"] as const),
  ...WARNING_SCHEMA_RULES.map((k) => [`response-property-${k}` as const, "warning"] as const),
  ...(Object.entries(OTHER_RULES) as [keyof typeof OTHER_RULES, ApiChangeLevel][]),
]);

/** The rule id of a schema change in a scope, or null when the kind does not apply there (e.g. `enum-added` in a response). */
export function schemaRule(scope: SchemaScope, kind: SchemaRuleKind): ApiRuleId | null {
  const id = `${scope}-${kind}`;
  return isRuleId(id) ? id : null;
}

function isRuleId(id: string): id is ApiRuleId {
  return API_RULES.has(id as ApiRuleId);
}

/** One difference between the two documents, as the comparison finds it. */
export type ApiChange = {
  /** stable rule id */
  rule: ApiRuleId;
  /** one line for the run page, e.g. `GET /payments: maxLength of query parameter q decreased from 100 to 50` */
  message: string;
  /** JSON pointer into the current document (the previous one for what was removed) */
  location: string;
  /** what the previous document said, `(absent)` when nothing */
  previous: string;
  /** what the current document says */
  current: string;
};

/**
 * Breaking changes block as they always did (high); warnings are low and additions info, so
 * neither blocks at the procedure's floors (critical, or high under PCI DSS/HIPAA). Whether a
 * severity blocks stays the core's decision (core/judge.ts).
 */
const SEVERITY: Record<ApiChangeLevel, Severity> = { breaking: "high", warning: "low", info: "info" };
const PREFIX: Record<ApiChangeLevel, string> = { breaking: "Breaking API change", warning: "API warning", info: "API addition" };

/** The level of a rule (every id raised is in the catalog). */
export function levelOf(rule: ApiRuleId): ApiChangeLevel {
  return API_RULES.get(rule) ?? "breaking";
}

/** A change as the run page shows it; the evidence ends with the rule id. */
export function findingOf(change: ApiChange): CheckFinding {
  const level = levelOf(change.rule);
  const what = level === "info" ? change.location : `${change.location} — previous: ${change.previous}; current: ${change.current}`;
  return { severity: SEVERITY[level], message: `${PREFIX[level]}: ${change.message}`, evidence: `${what} — rule ${change.rule}` };
}
