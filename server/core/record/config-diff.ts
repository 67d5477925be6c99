/** Configuration differences between the baseline and the target, as the release record lists them. */

/** One configuration key that differs between the baseline's and the target's configuration. */
export type ConfigChange = { key: string; kind: "added" | "removed" | "changed"; before?: string; after?: string };

/** Keys whose values never go into a record, whatever file they come from. */
const SECRET_KEY = /secret|password|passwd|token|api[-_]?key|private[-_]?key|credential|dsn/i;
const MAX_VALUE_CHARS = 120;
/** Credentials inside a URL value (`postgres://user:pw@host`), whatever its key is called. */
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@"]+@/gi;

function clip(v: string): string {
  return v.length > MAX_VALUE_CHARS ? `${v.slice(0, MAX_VALUE_CHARS)}…` : v;
}

/**
 * The differences between two configurations (parsed JSON or YAML), key by key with dotted
 * paths (`cache.ttlSeconds`, `features[2]`), sorted. Values of secret-looking keys are redacted.
 */
export function diffConfig(before: unknown, after: unknown): ConfigChange[] {
  const a = flatten(before);
  const b = flatten(after);
  const changes: ConfigChange[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const was = a.get(key);
    const now = b.get(key);
    if (was === now) continue;
    const show = (v: string) => (SECRET_KEY.test(key) ? "[redacted]" : clip(v.replace(USERINFO, "$1[redacted]@")));
    if (was === undefined && now !== undefined) changes.push({ key, kind: "added", after: show(now) });
    else if (now === undefined && was !== undefined) changes.push({ key, kind: "removed", before: show(was) });
    else if (was !== undefined && now !== undefined) changes.push({ key, kind: "changed", before: show(was), after: show(now) });
  }
  return changes;
}

function flatten(value: unknown, prefix = "", out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value) && value.length > 0) value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  else if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix || "(root)", JSON.stringify(value) ?? "undefined");
  return out;
}
