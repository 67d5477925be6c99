import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { CheckFinding } from "../../../engine/ports.ts";
import { CannotRunError, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";
import type { TBundle } from "./config.ts";

/** A build output with more files than this is not one bundle; the configured folder is likely wrong. */
export const MAX_FILES = 10_000;
/** Files above this are not compressed (brotli 11 takes about a minute per 50 MiB) but reported. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;
/** Largest contributors named in a budget finding. */
const TOP = 5;
const KIB = 1024;

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** One asset's size as shipped: raw, and compressed the way a CDN serves it at best. */
export type AssetSize = { file: string; raw: number; gzip: number; brotli: number };

/**
 * Compresses every included file under the build folder (gzip 9, brotli 11, as a CDN serves
 * pre-compressed assets) and holds the sizes to the budgets. An empty or missing folder cannot
 * run: a budget kept by nothing is a pass nobody earned.
 */
export async function checkBundle(bundle: TBundle, ctx: SubCheckContext): Promise<SubCheckOutcome> {
  const info = await stat(bundle.dir).catch(() => null);
  if (info === null || !info.isDirectory()) throw new CannotRunError(`asset folder not found: ${bundle.dir}`);
  const extensions = new Set(bundle.include.map((e) => `.${e.toLowerCase()}`));
  const files = await assetFiles(bundle.dir, extensions);
  const kinds = bundle.include.map((e) => `.${e}`).join(", ");
  if (files.length === 0) throw new CannotRunError(`no ${kinds} files under ${bundle.dir}`);
  await ctx.log(`compressing ${files.length} file(s) under ${bundle.dir}`);

  const sizes: AssetSize[] = [];
  const skipped: string[] = [];
  for (const [i, file] of files.entries()) {
    ctx.signal.throwIfAborted();
    const relative = path.relative(bundle.dir, file);
    const { size } = await stat(file);
    if (size > MAX_FILE_BYTES) {
      skipped.push(`${relative} (${kib(size)})`);
      await ctx.log(`${relative}: ${kib(size)}, larger than ${kib(MAX_FILE_BYTES)}: not compressed`);
      continue;
    }
    sizes.push(await measure(file, relative));
    await ctx.progress((i + 1) / files.length);
  }
  if (sizes.length === 0) throw new CannotRunError(`no file under ${bundle.dir} could be measured: all are larger than ${kib(MAX_FILE_BYTES)}`);
  return { findings: assessBundle(sizes, bundle.budgets, skipped), checked: `asset budgets (${sizes.length} file(s))` };
}

/** The budget verdicts: one high finding per broken budget, naming the largest contributors. */
function assessBundle(sizes: readonly AssetSize[], budgets: TBundle["budgets"], skipped: readonly string[] = []): CheckFinding[] {
  const totalGzip = sum(sizes, "gzip");
  const totalBrotli = sum(sizes, "brotli");
  const findings: CheckFinding[] = [
    { severity: "info", message: `assets: ${sizes.length} file(s), ${kib(sum(sizes, "raw"))} raw, ${kib(totalGzip)} gzip, ${kib(totalBrotli)} brotli`, evidence: `largest (gzip): ${largest(sizes, "gzip")}` },
  ];
  if (budgets.totalGzipKb !== undefined && totalGzip > budgets.totalGzipKb * KIB) {
    findings.push({ severity: "high", message: `assets total ${kib(totalGzip)} gzip, above the budget of ${budgets.totalGzipKb} KiB`, evidence: `largest (gzip): ${largest(sizes, "gzip")}` });
  }
  if (budgets.totalBrotliKb !== undefined && totalBrotli > budgets.totalBrotliKb * KIB) {
    findings.push({ severity: "high", message: `assets total ${kib(totalBrotli)} brotli, above the budget of ${budgets.totalBrotliKb} KiB`, evidence: `largest (brotli): ${largest(sizes, "brotli")}` });
  }
  const perFile = budgets.maxFileGzipKb;
  if (perFile !== undefined) {
    const over = sizes.filter((s) => s.gzip > perFile * KIB);
    if (over.length > 0) findings.push({ severity: "high", message: `${over.length} file(s) above the per-file budget of ${perFile} KiB gzip`, evidence: `largest (gzip): ${largest(over, "gzip")}` });
  }
  if (skipped.length > 0) {
    // Tens of MiB is far beyond any asset budget: unmeasured is not within budget.
    findings.push({ severity: "high", message: `${skipped.length} file(s) too large to measure, not counted in the totals`, evidence: `larger than ${kib(MAX_FILE_BYTES)}: ${skipped.slice(0, TOP).join(", ")}` });
  }
  return findings;
}

async function measure(file: string, relative: string): Promise<AssetSize> {
  const content = await readFile(file);
  const [gz, br] = await Promise.all([
    gzipAsync(content, { level: 9 }),
    brotliAsync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: content.length } }),
  ]);
  return { file: relative, raw: content.length, gzip: gz.length, brotli: br.length };
}

/** Included files under `dir`, sorted; regular files only (a symbolic link could lead out of the build). */
async function assetFiles(dir: string, extensions: ReadonlySet<string>, found: string[] = []): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await assetFiles(full, extensions, found);
    else if (entry.isFile() && extensions.has(path.extname(entry.name).toLowerCase())) {
      found.push(full);
      if (found.length > MAX_FILES) throw new CannotRunError(`more than ${MAX_FILES.toLocaleString("en-US")} asset files under the folder; point bundle.dir at the build output`);
    }
  }
  return found;
}

function largest(sizes: readonly AssetSize[], by: "gzip" | "brotli"): string {
  const top = [...sizes].sort((a, b) => b[by] - a[by]).slice(0, TOP);
  const more = sizes.length > TOP ? `, and ${sizes.length - TOP} more` : "";
  return `${top.map((s) => `${s.file} ${kib(s[by])}`).join(", ")}${more}`;
}

function sum(sizes: readonly AssetSize[], key: "raw" | "gzip" | "brotli"): number {
  return sizes.reduce((total, s) => total + s[key], 0);
}

function kib(bytes: number): string {
  return `${(bytes / KIB).toFixed(1)} KiB`;
}
