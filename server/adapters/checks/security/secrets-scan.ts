import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { lintSource } from "@secretlint/core";
import { secretLintProfiler } from "@secretlint/profiler";
import { creator as recommendedRules } from "@secretlint/secretlint-rule-preset-recommend";
import type { SecretLintCoreConfig, SecretLintCoreResultMessage, SecretLintRuleCreator } from "@secretlint/types";
import type { CheckFinding } from "../../../engine/ports.ts";
import { CannotRunError, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";
import { placeholderReason } from "./secret-placeholders.ts";
import { matchSecretRules, SECRET_RULES, type RuleMatch } from "./secret-rules.ts";

/** Files scanned at most; a workspace larger than this is scanned in part, and the log and a finding say so. */
export const MAX_SCANNED_FILES = 5_000;
/** Larger files are skipped, each named in the log: secrets sit in config and source files, not in data dumps. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Never descended into: installed packages and the Git object store are not the team's files. */
const SKIPPED_DIRS = new Set(["node_modules", ".git"]);
/** Git's own heuristic: a NUL byte in the first 8000 bytes means binary. */
const BINARY_SNIFF_BYTES = 8_000;
/** Skipped files and dropped placeholders named one per log line, up to this many of each. */
const MAX_NAMED_IN_LOG = 20;
const PRESET_ID = "@secretlint/secretlint-rule-preset-recommend";
const PRESET_RULE_PREFIX = "@secretlint/secretlint-rule-";
const FLIGHTDECK_RULE_ID = "@flightdeck/secret-rules";
/**
 * Flightdeck's rules report at most this many secrets per file and count the rest: @secretlint/core
 * 12.0 de-duplicates a file's messages pairwise (filterDuplicatedMessages), so 16,000 matches in one
 * 1 MB file took 36 s. A file with hundreds of secrets needs rotating and rewriting either way.
 */
export const MAX_SECRETS_PER_FILE = 100;

// Workaround for secretlint/secretlint#1633: @secretlint/core puts marks for every rule and file on
// the process-wide performance timeline, and its profiler keeps every one (12.0 still does, and has
// no switch to turn it off) — memory that grows with every scan in a server that never exits, and
// quadratic time on older versions. Nothing here reads the profile, so marking is switched off.
secretLintProfiler.mark = () => {};

/**
 * Preset messages that Flightdeck's catalog replaces, and why. The rest of the preset (GitHub,
 * GitLab, Slack tokens, npm_ tokens, OpenAI, GCP, …) runs as shipped, its matches filtered for
 * placeholders. Silenced by message id because @secretlint/core 12.0 ignores `disabled` on a
 * preset's own rules, and a preset's filter rule (secretlint-disable comments) cannot be
 * registered outside it.
 */
const PRESET_OVERRIDES = [
  // Reports the key name's offset instead of the secret's, and misses secrets ending in / or +.
  { id: `${PRESET_RULE_PREFIX}aws`, allowMessageIds: ["AWSSecretAccessKey", "AWSAccessKeyID", "AWSAccountID"] },
  // Misses ENCRYPTED PKCS#8, PuTTY, base64-wrapped keys and PEM headers not followed by a bare newline.
  { id: `${PRESET_RULE_PREFIX}privatekey`, allowMessageIds: ["PrivateKey"] },
  // Counts 69 characters of \w and one optional `-`: misses keys holding two `-` or more.
  { id: `${PRESET_RULE_PREFIX}sendgrid`, allowMessageIds: ["SENDGRID_KEY"] },
  // `_authToken` only in files named .npmrc; npm-auth-token looks in every file.
  { id: `${PRESET_RULE_PREFIX}npm`, allowMessageIds: ["Npmrc_authToken"] },
  // Incoming webhooks only; slack-webhook-url also knows workflows, triggers and escaped slashes.
  { id: `${PRESET_RULE_PREFIX}slack`, allowMessageIds: ["IncomingWebhook"] },
];

/** A secret in a text: where it is and which rule saw it. Offsets only, never the value. */
export type FoundSecret = {
  /** stable id: `flightdeck/<rule>` or `secretlint/<rule>/<message>` */
  ruleId: string;
  /** what was found, e.g. "Azure AD (Entra ID) client secret" */
  title: string;
  severity: "critical" | "high";
  /** offsets of the secret in the text, end exclusive */
  range: readonly [number, number];
  /** 1-based line and column */
  line: number;
  column: number;
  /** the rule's documentation, when it has one */
  link?: string;
};

/** A match dropped as a placeholder: where, which rule, and why (never the value). */
export type DroppedPlaceholder = { ruleId: string; line: number; column: number; reason: string };

/**
 * Scans the release's workspace for committed secrets with secretlint's recommended rules and
 * Flightdeck's own (secret-rules.ts), placeholders dropped. Every secret is high, a private key
 * critical. The secret itself never leaves this module: findings, log lines and errors show at
 * most its first 4 characters and its length — secretlint's own messages quote it whole, so they
 * are never used.
 */
export async function checkSecrets(workspace: string, ctx: SubCheckContext): Promise<SubCheckOutcome> {
  const info = await stat(workspace).catch(() => null);
  if (info === null || !info.isDirectory()) throw new CannotRunError(`workspace folder not found: ${workspace}`);
  const { files, truncated } = await listFiles(workspace, ctx.signal);

  const findings: CheckFinding[] = [];
  const skipped: string[] = [];
  const ignored = { count: 0, named: [] as string[] };
  let scanned = 0;
  let binary = 0;
  let large = 0;
  for (const [i, file] of files.entries()) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (i % 100 === 0) await ctx.progress(i / files.length);
    const relative = path.relative(workspace, file);
    const size = (await stat(file)).size;
    if (size > MAX_FILE_BYTES) {
      large += 1;
      skipped.push(`skipped ${relative}: ${size.toLocaleString("en-US")} bytes, over the limit of ${MAX_FILE_BYTES.toLocaleString("en-US")} bytes (${mebibytes(MAX_FILE_BYTES)} MiB) for one file; not scanned`);
      continue;
    }
    const bytes = await readFile(file);
    if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
      binary += 1;
      skipped.push(`skipped ${relative}: binary (a NUL byte in its first ${BINARY_SNIFF_BYTES} bytes); not scanned`);
      continue;
    }
    scanned += 1;
    const content = bytes.toString("utf8");
    const found = await findSecrets(content, relative);
    for (const s of found.secrets) findings.push(secretFinding(s, content, relative));
    if (found.unlisted > 0) {
      findings.push({ severity: "high", message: `secret in ${relative}: ${found.unlisted} more not listed`, evidence: `Flightdeck's rules list at most ${MAX_SECRETS_PER_FILE} secrets per file; ${found.unlisted} more were found in ${relative}` });
    }
    // Counted, and only the first few named: a generated file can hold 100,000 look-alikes.
    ignored.count += found.placeholders.length;
    for (const p of found.placeholders.slice(0, Math.max(0, MAX_NAMED_IN_LOG - ignored.named.length))) {
      ignored.named.push(`ignored a placeholder at ${relative}:${p.line}:${p.column} (${p.ruleId}): ${p.reason}`);
    }
  }
  if (scanned === 0) throw new CannotRunError(`no text files to scan under ${workspace}`);

  await ctx.log(`scanned ${scanned} file(s) under ${workspace}; skipped ${binary} binary and ${large} over ${mebibytes(MAX_FILE_BYTES)} MiB; ignored ${ignored.count} placeholder(s)`);
  for (const line of [...namedInLog(skipped, skipped.length, "skipped file"), ...namedInLog(ignored.named, ignored.count, "placeholder")]) await ctx.log(line);
  if (truncated) {
    await ctx.log(`file limit reached: only the first ${MAX_SCANNED_FILES} files were considered, the rest of the workspace was not scanned`);
    // Unscanned files may hold a secret: an incomplete scan is not a clean one.
    findings.push({ severity: "high", message: `secrets scan incomplete: stopped at ${MAX_SCANNED_FILES} files`, evidence: `${workspace} holds more files; the rest were not scanned (point the scan at the release's source, without build output)` });
  }
  return { findings, checked: `secrets in ${scanned} file(s)${truncated ? " (file limit reached)" : ""}` };
}

/**
 * The secrets in one text, from secretlint's preset and Flightdeck's rules, placeholders dropped
 * and overlapping matches (two rules on the same characters) reported once. Flightdeck's rules list
 * at most `maxListed` secrets and count the rest in `unlisted`.
 */
export async function findSecrets(
  content: string,
  filePath: string,
  maxListed = MAX_SECRETS_PER_FILE,
): Promise<{ secrets: FoundSecret[]; placeholders: DroppedPlaceholder[]; unlisted: number }> {
  const dropped: RuleMatch[] = [];
  let unlisted = 0;
  const sink = { placeholder: (m: RuleMatch) => dropped.push(m), unlisted: (n: number) => (unlisted = n) };
  const config: SecretLintCoreConfig = {
    rules: [
      { id: PRESET_ID, rule: recommendedRules, rules: PRESET_OVERRIDES },
      { id: FLIGHTDECK_RULE_ID, rule: flightdeckRules(sink, maxListed) },
    ],
  };
  let messages: SecretLintCoreResultMessage[];
  try {
    ({ messages } = await lintSource({ source: { content, filePath, contentType: "text" }, options: { config, maskSecrets: true } }));
  } catch (e) {
    // Never the error's message: a rule's error may quote the text it was matching.
    throw new CannotRunError(`secrets scan failed on ${filePath}: ${e instanceof Error ? e.name : "unknown error"}`);
  }
  const lines = lineStarts(content);
  const placeholders: DroppedPlaceholder[] = dropped.map((m) => ({ ruleId: `flightdeck/${m.rule.id}`, ...position(lines, m.start), reason: m.placeholder ?? "" }));
  const secrets: FoundSecret[] = [];
  for (const m of messages) {
    const found = toFoundSecret(m, lines);
    const reason = m.ruleId === FLIGHTDECK_RULE_ID ? null : presetPlaceholder(content.slice(m.range[0], m.range[1]));
    if (reason === null) secrets.push(found);
    else placeholders.push({ ruleId: found.ruleId, line: found.line, column: found.column, reason });
  }
  return { secrets: withoutOverlaps(secrets), placeholders, unlisted };
}

/**
 * The text with every secret in it redacted: for text Flightdeck shows but did not write (a
 * scanner's messages can quote the credential they found).
 */
export async function redactSecrets(text: string): Promise<string> {
  if (text.length === 0) return text;
  // Every secret, not the first hundred: what is not redacted here is shown.
  const { secrets } = await findSecrets(text, "quoted.txt", Infinity);
  // From the end, so earlier ranges stay valid as later ones are replaced.
  return [...secrets]
    .sort((a, b) => b.range[0] - a.range[0])
    .reduce((out, s) => `${out.slice(0, s.range[0])}${redact(out.slice(s.range[0], s.range[1]))}${out.slice(s.range[1])}`, text);
}

/** Enough of a secret to find it in the file, never enough to use it: at most 4 characters, at most a quarter of it. */
export function redact(secret: string): string {
  const shown = secret.slice(0, Math.min(4, Math.floor(secret.length / 4)));
  return `${shown}… [redacted, ${secret.length} characters]`;
}

function secretFinding(s: FoundSecret, content: string, file: string): CheckFinding {
  const where = `${file}:${s.line}:${s.column}`;
  return {
    severity: s.severity,
    message: `secret in ${where}: ${s.title}`,
    evidence: `rule ${s.ruleId} at ${where}: ${redact(content.slice(s.range[0], s.range[1]))}`,
    ...(s.link === undefined ? {} : { link: s.link }),
  };
}

/** Flightdeck's catalog as one secretlint rule, so `secretlint-disable` comments silence it too. */
function flightdeckRules(sink: { placeholder: (m: RuleMatch) => void; unlisted: (n: number) => void }, maxListed: number): SecretLintRuleCreator {
  // The message names the kind of secret, never the secret.
  const messages = Object.fromEntries(SECRET_RULES.map((r) => [r.id, { en: () => r.title }]));
  return {
    messages,
    meta: { id: FLIGHTDECK_RULE_ID, recommended: true, type: "scanner", supportedContentTypes: ["text"] },
    create(context) {
      const t = context.createTranslator(messages);
      return {
        file(source) {
          let reported = 0;
          for (const m of matchSecretRules(source.content)) {
            if (m.placeholder !== null) sink.placeholder(m);
            else if (reported < maxListed) {
              context.report({ message: t(m.rule.id), range: [m.start, m.end] });
              reported += 1;
            } else sink.unlisted(reported++ - maxListed + 1);
          }
        },
      };
    },
  };
}

/** A preset match is judged as a whole: its prefix (`ghp_`, `xoxb-`) is short next to its random part. */
function presetPlaceholder(secret: string): string | null {
  return placeholderReason(secret, { body: secret, alphabet: 62 });
}

function toFoundSecret(m: SecretLintCoreResultMessage, lines: number[]): FoundSecret {
  const base = { range: m.range, ...position(lines, m.range[0]), ...(m.docsUrl === undefined ? {} : { link: m.docsUrl }) };
  if (m.ruleId === FLIGHTDECK_RULE_ID) {
    const rule = SECRET_RULES.find((r) => r.id === m.messageId);
    return { ...base, ruleId: `flightdeck/${m.messageId}`, title: rule?.title ?? m.messageId, severity: rule?.severity ?? "high" };
  }
  const short = m.ruleId.startsWith(PRESET_RULE_PREFIX) ? m.ruleId.slice(PRESET_RULE_PREFIX.length) : m.ruleId;
  return { ...base, ruleId: `secretlint/${short}/${m.messageId}`, title: `${short} ${m.messageId}`, severity: "high" };
}

/** Two rules on the same characters (an npm_ token in an `_authToken` line) are one secret: the longer match is kept. */
function withoutOverlaps(secrets: FoundSecret[]): FoundSecret[] {
  const sorted = [...secrets].sort((a, b) => a.range[0] - b.range[0] || b.range[1] - a.range[1]);
  const kept: FoundSecret[] = [];
  for (const s of sorted) {
    const last = kept.at(-1);
    if (last !== undefined && s.range[0] < last.range[1]) continue;
    kept.push(s);
  }
  return kept;
}

/** Offsets at which each line starts. */
function lineStarts(content: string): number[] {
  const starts = [0];
  for (let i = content.indexOf("\n"); i !== -1; i = content.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of an offset, as editors count them. */
function position(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
}

/** The first lines of one kind, and how many more there were. */
function namedInLog(lines: string[], total: number, what: string): string[] {
  const named = lines.slice(0, MAX_NAMED_IN_LOG);
  return total > named.length ? [...named, `… and ${total - named.length} more ${what}(s) not named`] : named;
}

function mebibytes(bytes: number): string {
  return Number((bytes / 1024 / 1024).toFixed(1)).toString();
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
