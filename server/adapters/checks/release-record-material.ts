import { readFile, stat } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { diffConfig } from "../../core/record/config-diff.ts";
import { ZAbsolutePath } from "./config-fields.ts";
import type { ReadRecordMaterial, RecordMaterial } from "../../engine/ports.ts";

/**
 * The code-architect's configuration (key "code-architect" in an environment's checks): where
 * the two versions' configuration files and the target's release notes are, usually with
 * `{baselineVersion}` / `{targetVersion}` placeholders.
 */
export const ZReleaseRecordConfig = z.strictObject({
  /** the service's runtime configuration (JSON or YAML) of each version, compared key by key */
  configFiles: z.strictObject({ baseline: ZAbsolutePath, target: ZAbsolutePath }).optional(),
  /** the target version's release notes (Markdown) */
  releaseNotes: ZAbsolutePath.optional(),
});
export type TReleaseRecordConfig = z.infer<typeof ZReleaseRecordConfig>;

/** Larger files are not read: a configuration or release notes file is a few kB. */
const MAX_BYTES = 256 * 1024;

export type { RecordMaterial } from "../../engine/ports.ts";

/**
 * Reads what the record quotes from the service's files. Never throws: a file that is missing or
 * malformed becomes a sentence in the record ("Unknown: …"), since the record must still be written.
 */
export const readRecordMaterial: ReadRecordMaterial = async (raw) => {
  if (raw === undefined || raw === null) return { configChanges: null, releaseNotes: null };
  const parsed = ZReleaseRecordConfig.safeParse(raw);
  if (!parsed.success) {
    const why = `invalid code-architect configuration: ${z.prettifyError(parsed.error).replace(/\s*\n\s*/g, "; ")}`;
    return { configChanges: why, releaseNotes: null };
  }
  const { configFiles, releaseNotes } = parsed.data;
  let configChanges: RecordMaterial["configChanges"] = null;
  if (configFiles) {
    try {
      configChanges = diffConfig(await readStructured(configFiles.baseline), await readStructured(configFiles.target));
    } catch (e) {
      configChanges = e instanceof Error ? e.message : String(e);
    }
  }
  let notes: string | null = null;
  if (releaseNotes) {
    try {
      notes = await readBounded(releaseNotes);
    } catch (e) {
      notes = `_Release notes unavailable: ${e instanceof Error ? e.message : String(e)}_`;
    }
  }
  return { configChanges, releaseNotes: notes };
};

async function readBounded(file: string): Promise<string> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new Error(`${file} not found`);
  if (info.size > MAX_BYTES) throw new Error(`${file} is larger than ${MAX_BYTES / 1024} kB`);
  return readFile(file, "utf8");
}

async function readStructured(file: string): Promise<unknown> {
  const text = await readBounded(file);
  try {
    return /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} does not parse: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
}
