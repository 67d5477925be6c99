import type { RunParams } from "./types.ts";

/**
 * Placeholders in an agent's configuration, filled per release: `{targetVersion}`,
 * `{baselineVersion}`, `{service}`, `{environment}`, and — when the environment's router knows
 * them — `{canaryUrl}` and `{baselineUrl}`, the two versions' own addresses. They let one
 * configuration serve every release (`/srv/releases/{targetVersion}/openapi.yaml`).
 */
export const PLACEHOLDERS = ["targetVersion", "baselineVersion", "service", "environment", "canaryUrl", "baselineUrl"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Partial<Record<Placeholder, string>>;

/** The values every release has; the two addresses are added where the router knows them. */
export function releasePlaceholders(p: RunParams): PlaceholderValues {
  // A flag run's own "versions" are labels (new-checkout → on); what its checks can examine is
  // the build in service, which serves both variants.
  const version = p.flag?.serviceVersion;
  if (version) return { targetVersion: version, baselineVersion: version, service: p.service, environment: p.environment };
  return { targetVersion: p.targetVersion, baselineVersion: p.baselineVersion, service: p.service, environment: p.environment };
}

/** Any of the placeholders above, in braces; other braces (JSON, `${HOME}`) are left alone. */
const PATTERN = new RegExp(`\\{(${PLACEHOLDERS.join("|")})\\}`, "g");

/** The configuration with every placeholder filled, or the placeholders that have no value here. */
export type Expanded = { ok: true; value: unknown } | { ok: false; missing: Placeholder[] };

/**
 * Fills placeholders in every string of a JSON value (object keys are left alone). A placeholder
 * without a value is reported rather than left in place: a check pointed at "{canaryUrl}" would
 * fail later with a confusing URL error.
 */
export function expandPlaceholders(value: unknown, values: PlaceholderValues): Expanded {
  const missing = new Set<Placeholder>();
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      return v.replace(PATTERN, (whole, name: Placeholder) => {
        const filled = values[name];
        if (filled === undefined) missing.add(name);
        return filled ?? whole;
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
    return v;
  };
  const expanded = walk(value);
  return missing.size > 0 ? { ok: false, missing: [...missing] } : { ok: true, value: expanded };
}
