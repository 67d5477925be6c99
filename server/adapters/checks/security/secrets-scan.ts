import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { lintSource } from "@secretlint/core";
import { secretLintProfiler } from "@secretlint/profiler";
import { creator as recommendedRules } from "@secretlint/secretlint-rule-preset-recommend";
import type { SecretLintCoreConfig, SecretLintCoreResultMessage } from "@secretlint/types";
import type { CheckFinding } from "../../../engine/ports.ts";
import { CannotRunError, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";

/** Files scanned at most; a workspace larger than this is scanned in part, and the log and an info finding say so. */
export const MAX_SCANNED_FILES = 5_000;
/** Larger files are skipped: secrets sit in config and source files, not in data dumps. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Never descended into: installed packages and the Git object store are not the team's files. */
const SKIPPED_DIRS = new Set(["node_modules", ".git"]);
/** Git's own heuristic: a NUL byte in the first 8000 bytes means binary. */
const BINARY_SNIFF_BYTES = 8_000;
const PRIVATE_KEY_RULE = "@secretlint/secretlint-rule-privatekey";
const RULE_PREFIX = "@secretlint/secretlint-rule-";

// Workaround for secretlint/secretlint#1633 (fixed by #1673, after 11.7.1): @secretlint/core puts
// marks for every rule and file on the process-wide performance timeline, and its profiler scans
// all earlier marks on each new one — quadratic time (a 5,000-file scan took over 30 s instead of
// 2 s) and memory that grows with every scan in a server that never exits. Nothing here reads the
// profile, so marking is switched off. Remove once secretlint is upgraded (profiler.setEnabled(false)).
secretLintProfiler.mark = () => {};

const SECRETLINT_CONFIG: SecretLintCoreConfig = { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: recommendedRules }] };

/**
 * Scans the release's workspace for committed secrets with secretlint's recommended rules. Every
 * secret is high (a private key critical). The secret itself never leaves this function: findings
 * and log lines show at most its first characters — secretlint's own messages quote it whole, so
 * they are not used.
 */
export async function checkSecrets(workspace: string, ctx: SubCheckContext): Promise<SubCheckOutcome> {
  const info = await stat(workspace).catch(() => null);
  if (info === null || !info.isDirectory()) throw new CannotRunError(`workspace folder not found: ${workspace}`);
  const { files, truncated } = await listFiles(workspace, ctx.signal);

  const findings: CheckFinding[] = [];
  let scanned = 0;
  let binary = 0;
  let large = 0;
  for (const [i, file] of files.entries()) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (i % 100 === 0) await ctx.progress(i / files.length);
    if ((await stat(file)).size > MAX_FILE_BYTES) {
      large += 1;
      continue;
    }
    const bytes = await readFile(file);
    if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
      binary += 1;
      continue;
    }
    scanned += 1;
    const content = bytes.toString("utf8");
    const result = await lintSource({ source: { content, filePath: file, contentType: "text" }, options: { config: SECRETLINT_CONFIG, maskSecrets: true } });
    findings.push(...result.messages.map((m) => secretFinding(m, content, path.relative(workspace, file))));
  }
  if (scanned === 0) throw new CannotRunError(`no text files to scan under ${workspace}`);

  await ctx.log(`scanned ${scanned} file(s) under ${workspace}; skipped ${binary} binary and ${large} over ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
  if (truncated) {
    await ctx.log(`file limit reached: only the first ${MAX_SCANNED_FILES} files were considered, the rest of the workspace was not scanned`);
    // Unscanned files may hold a secret: an incomplete scan is not a clean one.
    findings.push({ severity: "high", message: `secrets scan incomplete: stopped at ${MAX_SCANNED_FILES} files`, evidence: `${workspace} holds more files; the rest were not scanned (point the scan at the release's source, without build output)` });
  }
  return { findings, checked: `secrets in ${scanned} file(s)${truncated ? " (file limit reached)" : ""}` };
}

function secretFinding(m: SecretLintCoreResultMessage, content: string, file: string): CheckFinding {
  const rule = m.ruleId.startsWith(RULE_PREFIX) ? m.ruleId.slice(RULE_PREFIX.length) : m.ruleId;
  // secretlint's lines are 1-based and its columns 0-based; editors count both from 1.
  const where = `${file}:${m.loc.start.line}:${m.loc.start.column + 1}`;
  return {
    severity: m.ruleId === PRIVATE_KEY_RULE ? "critical" : "high",
    message: `secret in ${where}: ${rule} ${m.messageId}`,
    evidence: `rule ${m.ruleId} (${m.messageId}) at ${where}: ${redact(content.slice(m.range[0], m.range[1]))}`,
    ...(m.docsUrl === undefined ? {} : { link: m.docsUrl }),
  };
}

/**
 * The text with every secret secretlint recognises in it redacted: for text Flightdeck shows but
 * did not write (a scanner's messages can quote the credential they found).
 */
export async function redactSecrets(text: string): Promise<string> {
  if (text.length === 0) return text;
  const { messages } = await lintSource({ source: { content: text, filePath: "quoted.txt", contentType: "text" }, options: { config: SECRETLINT_CONFIG, maskSecrets: true } });
  // From the end, so earlier ranges stay valid as later ones are replaced.
  return [...messages]
    .sort((a, b) => b.range[0] - a.range[0])
    .reduce((out, m) => `${out.slice(0, m.range[0])}${redact(out.slice(m.range[0], m.range[1]))}${out.slice(m.range[1])}`, text);
}

/** Enough of a secret to find it in the file, never enough to use it: at most 4 characters, at most a quarter of it. */
export function redact(secret: string): string {
  const shown = secret.slice(0, Math.min(4, Math.floor(secret.length / 4)));
  return `${shown}… [redacted, ${secret.length} characters]`;
}

/**
 * Regular files under `root`, symlinks not followed, sorted by path. Folders are walked level by
 * level, so when the limit cuts the walk short it is the deepest files that go unscanned.
 */
async function listFiles(root: string, signal: AbortSignal): Promise<{ files: string[]; truncated: boolean }> {
  const files: string[] = [];
  const pending = [root];
  for (let dir = pending.shift(); dir !== undefined; dir = pending.shift()) {
    if (signal.aborted) throw signal.reason;
    const entries = await readdir(dir, { withFileTypes: true });
    // Sorted so that the files a limit cuts off are the same on every run.
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) pending.push(full);
      else if (entry.isFile()) {
        if (files.length === MAX_SCANNED_FILES) return { files: files.sort(), truncated: true };
        files.push(full);
      }
    }
  }
  return { files: files.sort(), truncated: false };
}
