import type { CheckFinding } from "../../../engine/ports.ts";
import { CannotRunError, isRecord, readTextFile, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";

/**
 * Requires every flag the release needs in the JSON flags file. Flags are the root object's
 * keys, or those of its `flags` object (flagd / OpenFeature file format). A missing or invalid
 * file stops the check: absent flags cannot be told from an unreadable file.
 */
export async function checkFeatureFlags(flags: { path: string; required: readonly string[] }, ctx: SubCheckContext): Promise<SubCheckOutcome> {
  const text = await readTextFile(flags.path, "feature flags file", ctx.signal);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new CannotRunError(`feature flags file ${flags.path} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isRecord(root)) throw new CannotRunError(`feature flags file ${flags.path} is not a JSON object`);
  const defined = new Set(Object.keys(isRecord(root.flags) ? root.flags : root));
  await ctx.log(`${defined.size} flag(s) defined in ${flags.path}; ${flags.required.length} required`);

  const findings: CheckFinding[] = flags.required
    .filter((name) => !defined.has(name))
    .map((name) => ({ severity: "medium", message: `feature flag ${name} is not configured`, evidence: `required by the release, missing from ${flags.path}` }));
  return { findings, checked: `${flags.required.length} feature flag(s)` };
}
