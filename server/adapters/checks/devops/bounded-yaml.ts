import { stat } from "node:fs/promises";
import { parseAllDocuments, visit } from "yaml";
import { CannotRunError, readTextFile, type YamlDocument } from "../check-io.ts";

/** How much of one YAML input the devops-engineer reads before refusing it. */
export type YamlLimits = {
  /** bytes per file; a larger file is refused, naming it, before it is read */
  maxFileBytes: number;
  /** alias nodes (`*name`) per document: each one is resolved by a scan over the others */
  maxAliasNodes: number;
  /** the yaml package's maxAliasCount: how far aliases may multiply a document when expanded */
  maxAliasCount: number;
  /** mapping/sequence nesting per document */
  maxDepth: number;
};

/**
 * Kubernetes manifests: etcd refuses a request above 1.5 MiB by default, and a rendered chart
 * with its CRDs stays well under 4 MiB a file. Generated manifests rarely use aliases at all; 100
 * is the yaml package's own default expansion limit. Real objects nest a few dozen levels (CRD
 * schemas the deepest), and the parser's recursion fails some thousands of levels down.
 */
export const MANIFEST_LIMITS: YamlLimits = { maxFileBytes: 4 * 1024 * 1024, maxAliasNodes: 1_000, maxAliasCount: 100, maxDepth: 200 };

/** Prometheus rule files: the largest public bundles (kube-prometheus) are a few hundred KiB. */
export const RULE_FILE_LIMITS: YamlLimits = { ...MANIFEST_LIMITS, maxFileBytes: 2 * 1024 * 1024 };

/**
 * Every non-empty document of a YAML file, within limits. A file over the size limit is refused
 * before it is read; a document with too many aliases, too deep or too expanding is refused with
 * its file and position; a YAML syntax error stops the check with the parser's message. Each
 * refusal is a CannotRunError naming the file, never a crash or a hang.
 */
export async function readBoundedYaml(file: string, what: string, signal: AbortSignal, limits: YamlLimits): Promise<YamlDocument[]> {
  const info = await stat(file).catch(() => null);
  if (info !== null && info.size > limits.maxFileBytes) throw new CannotRunError(`${what} ${file} is ${formatBytes(info.size)}, over the ${formatBytes(limits.maxFileBytes)} limit per file; split it or point the check at the files that matter`);
  const text = await readTextFile(file, what, signal);
  // The file may have grown between stat and read.
  if (Buffer.byteLength(text) > limits.maxFileBytes) throw new CannotRunError(`${what} ${file} is over the ${formatBytes(limits.maxFileBytes)} limit per file`);
  let parsed: ReturnType<typeof parseAllDocuments>;
  try {
    parsed = parseAllDocuments(text, { prettyErrors: true });
  } catch (e) {
    throw new CannotRunError(`cannot read ${what} ${file}: ${tooDeep(e) ? `nested more than ${limits.maxDepth} levels deep` : `unexpected parser failure (${errorName(e)})`}`);
  }
  const documents: YamlDocument[] = [];
  for (const [i, doc] of parsed.entries()) {
    const where = `${file} (document ${i + 1})`;
    const [error] = doc.errors;
    // The parser reports its own stack overflow as an error of the document.
    if (error !== undefined && /call stack/i.test(error.message)) throw new CannotRunError(`cannot read ${what} ${where}: nested more than ${limits.maxDepth} levels deep`);
    if (error !== undefined) throw new CannotRunError(`YAML syntax error in ${where}: ${error.message}`);
    const aliases = countAliasNodes(doc, limits.maxAliasNodes);
    if (aliases > limits.maxAliasNodes) throw new CannotRunError(`${what} ${where} uses more than ${limits.maxAliasNodes} YAML aliases (*name); refusing to expand it`);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (e) {
      const why = tooDeep(e) ? `nested more than ${limits.maxDepth} levels deep` : /alias/i.test(messageOf(e)) ? `its YAML aliases expand beyond the limit of ${limits.maxAliasCount} (${messageOf(e)})` : messageOf(e);
      throw new CannotRunError(`cannot read ${what} ${where}: ${why}`);
    }
    const depth = nestingDepth(value, limits.maxDepth);
    if (depth > limits.maxDepth) throw new CannotRunError(`cannot read ${what} ${where}: nested more than ${limits.maxDepth} levels deep`);
    if (value !== null && value !== undefined) documents.push({ value, document: i + 1, where });
  }
  return documents;
}

/** Alias nodes in a document, counting stops just past `limit`. */
function countAliasNodes(doc: ReturnType<typeof parseAllDocuments>[number], limit: number): number {
  let count = 0;
  try {
    visit(doc, {
      Alias: () => {
        count += 1;
        return count > limit ? visit.BREAK : undefined;
      },
    });
  } catch (e) {
    if (!tooDeep(e)) throw e;
    return count; // toJS meets the same depth and reports it
  }
  return count;
}

/**
 * How deep a parsed document nests, walked without recursion and stopping past `limit`. Aliases
 * share objects, so the walk also stops after a fixed number of visits: depth is what it reports.
 */
function nestingDepth(value: unknown, limit: number): number {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  let deepest = 0;
  let visits = 0;
  while (stack.length > 0 && visits < 1_000_000) {
    const top = stack.pop();
    if (top === undefined) break;
    visits += 1;
    if (typeof top.value !== "object" || top.value === null) continue;
    const depth = top.depth + 1;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    const children = Array.isArray(top.value) ? top.value : top.value instanceof Map ? [...top.value.values()] : Object.values(top.value);
    for (const child of children) if (typeof child === "object" && child !== null) stack.push({ value: child, depth });
  }
  return deepest;
}

function tooDeep(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function errorName(e: unknown): string {
  return e instanceof Error ? e.name : typeof e;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${bytes} bytes`;
}
