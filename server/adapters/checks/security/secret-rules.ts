import { placeholderReason, type SecretShape } from "./secret-placeholders.ts";

/**
 * Flightdeck's own secret rules: the credentials a release team leaks that secretlint's
 * recommended preset (12.0) misses or reports without telling a placeholder apart. Every pattern
 * starts with a literal or a fixed-width class and bounds every quantifier, so a 10 MB file is
 * scanned in linear time (no catastrophic backtracking).
 */

/** Stable ids: shown in findings and logs, and named in `secretlint-disable` comments. Never renamed. */
export const SECRET_RULE_IDS = [
  "aws-secret-access-key",
  "aws-access-key-pair",
  "azure-ad-client-secret",
  "sendgrid-api-key",
  "npm-auth-token",
  "slack-webhook-url",
  "private-key",
  "putty-private-key",
  "private-key-base64",
] as const;
export type SecretRuleId = (typeof SECRET_RULE_IDS)[number];

/** Where a rule saw something shaped like its secret, before placeholders are dropped. */
export type SecretCandidate = {
  /** offset of the first character of the secret in the scanned text */
  start: number;
  /** offset just after it */
  end: number;
  /** what of it must look random */
  shape: SecretShape;
  /** set when the text has the secret's marker but not its structure (a key body that is not base64) */
  notASecret?: string;
};

/** One kind of secret Flightdeck looks for. */
export type SecretRule = {
  id: SecretRuleId;
  /** what was found, in the release team's words; never holds the secret */
  title: string;
  /** a private key signs as its owner: critical; a credential to one service: high */
  severity: "critical" | "high";
  find: (text: string) => Iterable<SecretCandidate>;
};

/** A secret a rule found, or a placeholder it dropped (then `placeholder` says why). */
export type RuleMatch = { rule: SecretRule; start: number; end: number; placeholder: string | null };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** How far past a key's header its body and end marker are looked for: an RSA-8192 PEM is 6.5 KB, a PGP key with subkeys under 20 KB. */
const KEY_WINDOW = 64 * 1024;
/** How far before and after an AWS access key id its secret is looked for: the same line or the next few. */
const AWS_PAIR_WINDOW = 256;
/** The smallest private key body: a PKCS#8 Ed25519 key is 64 base64 characters. */
const MIN_KEY_BODY = 60;

// --- AWS ------------------------------------------------------------------------------------

/** `aws_secret_access_key = …` (ini), `AWS_SECRET_ACCESS_KEY: …` (YAML, env), `"SecretAccessKey": "…"` (JSON, SDK config). */
const AWS_SECRET_ASSIGNMENT =
  /(?<![A-Za-z0-9])(?:aws[_.-]?secret[_.-]?(?:access[_.-]?)?key|secret[_.-]?access[_.-]?key)["']?[ \t]{0,8}(?::=|=>|:|=)[ \t]{0,8}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi;
const AWS_KEY_ID = /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/g;
const AWS_KEY_ID_LENGTH = 20;
/** Whole 40-character tokens only, not the middle of a longer one (a session token, a hash). */
const FORTY_BASE64 = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

function* awsSecretAssignments(text: string): Iterable<SecretCandidate> {
  for (const m of text.matchAll(AWS_SECRET_ASSIGNMENT)) {
    const secret = m[1] ?? "";
    const start = m.index + m[0].length - secret.length;
    yield { start, end: start + secret.length, shape: { body: secret, alphabet: 64 } };
  }
}

/**
 * A 40-character secret next to an `AKIA`/`ASIA` id (IAM's CSV download, SDK constructors,
 * Terraform). Ids and candidates are each found in one pass and paired by offset, so a file full
 * of ids stays linear.
 */
function* awsKeyPairs(text: string): Iterable<SecretCandidate> {
  const ids = [...text.matchAll(AWS_KEY_ID)].map((id) => id.index);
  // Whether an id is real is asked only when a candidate secret is near it: most ids have none.
  const realId = new Map<number, boolean>();
  const isReal = (at: number) => {
    const known = realId.get(at);
    if (known !== undefined) return known;
    const id = text.slice(at, at + AWS_KEY_ID_LENGTH);
    const real = placeholderReason(id, { body: id.slice(4), alphabet: 32 }) === null;
    realId.set(at, real);
    return real;
  };
  let first = 0;
  for (const m of ids.length === 0 ? [] : text.matchAll(FORTY_BASE64)) {
    while (first < ids.length && (ids[first] ?? 0) + AWS_KEY_ID_LENGTH + AWS_PAIR_WINDOW < m.index) first += 1;
    if (first === ids.length) break;
    // Mixed case: a Git commit hash (40 lowercase hex) sits next to ids too.
    if (!/[a-z]/.test(m[0]) || !/[A-Z]/.test(m[0])) continue;
    let paired = false;
    for (let i = first; i < ids.length && (ids[i] ?? 0) - AWS_PAIR_WINDOW <= m.index + m[0].length && !paired; i++) paired = isReal(ids[i] ?? 0);
    if (paired) yield { start: m.index, end: m.index + m[0].length, shape: { body: m[0], alphabet: 64 } };
  }
}

// --- Azure, SendGrid, npm, Slack ------------------------------------------------------------

/** Entra ID (Azure AD) client secrets: 3 characters, a digit and `Q~`, then 31–34 more (40 in all today). */
const AZURE_CLIENT_SECRET = /(?<![A-Za-z0-9_~.-])([A-Za-z0-9_~.-]{3})[0-9]Q~([A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])/g;
/** `SG.` + 22 + `.` + 43 characters of URL-safe base64 (`-` and `_` included, which the preset misses). */
const SENDGRID_KEY = /(?<![A-Za-z0-9_-])SG\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g;
/** `//registry…/:_authToken=…` in any file: .npmrc, but also CI scripts and Dockerfiles that write one. */
const NPM_AUTH_TOKEN = /_authToken["']?(?:[ \t]{0,4}=[ \t]{0,4}|[ \t]{1,4})["']?([^\s"'`;,)]{1,512})/g;
/** Incoming webhooks (`services/T…/B…/…`), Workflow Builder (`workflows/…`) and triggers, JSON-escaped slashes too. */
const SLACK_WEBHOOK = /hooks\.slack\.com(\\?\/)(?:services|workflows|triggers)\1((?:[A-Za-z0-9_-]{1,40}\1){1,3})([A-Za-z0-9_-]{16,64})(?![A-Za-z0-9_-])/g;
const HEX = /^[0-9a-f]+$/i;

function* azureClientSecrets(text: string): Iterable<SecretCandidate> {
  for (const m of text.matchAll(AZURE_CLIENT_SECRET)) {
    yield { start: m.index, end: m.index + m[0].length, shape: { body: `${m[1] ?? ""}${m[2] ?? ""}`, alphabet: 66 } };
  }
}

function* sendgridKeys(text: string): Iterable<SecretCandidate> {
  for (const m of text.matchAll(SENDGRID_KEY)) {
    yield { start: m.index, end: m.index + m[0].length, shape: { body: `${m[1] ?? ""}${m[2] ?? ""}`, alphabet: 64 } };
  }
}

function* npmAuthTokens(text: string): Iterable<SecretCandidate> {
  for (const m of text.matchAll(NPM_AUTH_TOKEN)) {
    const token = m[1] ?? "";
    const start = m.index + m[0].length - token.length;
    // Legacy tokens are UUIDs (hex and dashes); current ones are npm_ + 36 alphanumerics.
    const body = token.replace(/^npm_/, "").replace(/-/g, "");
    const shape = { body, alphabet: HEX.test(body) ? 16 : 62 };
    // `$NPM_TOKEN` and `${NPM_TOKEN}` are dropped as templates; any other short value is no token.
    const notASecret = body.length < 16 && !token.startsWith("$") ? "too short for an npm token" : undefined;
    yield { start, end: start + token.length, shape, ...(notASecret === undefined ? {} : { notASecret }) };
  }
}

function* slackWebhooks(text: string): Iterable<SecretCandidate> {
  for (const m of text.matchAll(SLACK_WEBHOOK)) {
    const path = `${m[2] ?? ""}${m[3] ?? ""}`;
    const start = m.index + m[0].length - path.length;
    const token = m[3] ?? "";
    yield { start, end: start + path.length, shape: { body: token, alphabet: HEX.test(token) ? 16 : 62 } };
  }
}

// --- Private keys ---------------------------------------------------------------------------

/** PEM private keys: PKCS#1 (RSA), SEC1 (EC), DSA, PKCS#8 (plain and ENCRYPTED), OpenSSH, ssh.com and OpenPGP armor. */
const PEM_HEADER = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?)-----/g;
const PUTTY_HEADER = /PuTTY-User-Key-File-[23]: ?[A-Za-z0-9@.-]{1,64}/g;
const PUTTY_PRIVATE_LINES = /Private-Lines: ?([0-9]{1,3})/;
/** `-----BEGIN` in base64 (Kubernetes secrets, CI variables): `LS0tLS1CRUdJTi…`. */
const BASE64_PEM = /LS0tLS1CRUdJTi[A-Za-z0-9+/\r\n]{10,100000}/g;
/** Armor and RFC 1421 headers inside a key block: Proc-Type, DEK-Info, Version, Comment. */
const ARMOR_HEADER = /^[A-Za-z][A-Za-z0-9-]{0,40}:/;
/** OpenPGP armor's CRC-24 line. */
const ARMOR_CHECKSUM = /^=[A-Za-z0-9+/]{4}$/;

/** Literal `\n` and `\r` escapes (JSON, .env, YAML strings) as line breaks, keeping every offset. */
function escapesAsBreaks(text: string): string {
  return text.replace(/\\[nr]/g, (e) => (e === "\\n" ? " \n" : "  "));
}

/** One line of a key as written in source: quotes and a trailing `+` or `,` of string concatenation removed. */
function unquote(line: string): string {
  return line
    .trim()
    .replace(/^["'`]/, "")
    .replace(/["'`][ \t]*[+,]?$/, "")
    .replace(/\s+/g, "");
}

/** What the first base64 characters of a key's body must be for its label (its encoding's magic). */
function keyMagic(label: string): RegExp | null {
  if (label.startsWith("OPENSSH")) return /^b3BlbnNzaC1rZXktdjE/; // "openssh-key-v1"
  if (label.startsWith("SSH2")) return /^P2\/56w/; // 0x3f6ff9eb
  if (label.startsWith("PGP")) return null;
  return /^M/; // DER: an ASN.1 SEQUENCE (0x30)
}

/**
 * The key whose header ends at `from`: its base64 body and where it ends (after `-----END …-----`,
 * or after its last base64 line when the end marker is missing).
 */
function readKeyBody(text: string, from: number, until: number, label: string): { end: number; body: string; notASecret?: string } {
  const window = escapesAsBreaks(text.slice(from, Math.min(until, from + KEY_WINDOW)));
  const endMarker = window.indexOf("-----END");
  const region = endMarker === -1 ? window : window.slice(0, endMarker);
  const parts: string[] = [];
  let end = from;
  let offset = 0;
  for (const line of region.split("\n")) {
    const lineEnd = offset + line.length;
    offset = lineEnd + 1;
    const bare = unquote(line);
    if (bare === "" || ARMOR_HEADER.test(bare) || ARMOR_CHECKSUM.test(bare)) continue;
    if (!/^[A-Za-z0-9+/=]+$/.test(bare)) {
      // Without an end marker the key ends at the first line that is not part of it.
      if (endMarker === -1 && parts.length > 0) break;
      return { end: from + lineEnd, body: bare, notASecret: "key body is not base64" };
    }
    parts.push(bare);
    end = from + lineEnd;
  }
  if (endMarker !== -1) {
    const close = window.indexOf("-----", endMarker + 8);
    end = from + (close === -1 || close - endMarker > 80 ? endMarker + 8 : close + 5);
  }
  const body = parts.join("");
  if (!BASE64.test(body)) return { end, body, notASecret: "key body is not base64" };
  if (body.length < MIN_KEY_BODY) return { end, body, notASecret: "too short for a private key" };
  if (!(keyMagic(label)?.test(body) ?? true)) return { end, body, notASecret: `not a ${label.toLowerCase()} encoding` };
  return { end, body };
}

/**
 * Start offsets of each header, and where the text a key may take ends: at the next header, so a
 * file of many headers is read once, not once per header.
 */
function headers(text: string, pattern: RegExp): { m: RegExpExecArray; until: number }[] {
  const all = [...text.matchAll(pattern)];
  return all.map((m, i) => ({ m, until: all[i + 1]?.index ?? text.length }));
}

function* pemKeys(text: string): Iterable<SecretCandidate> {
  for (const { m, until } of headers(text, PEM_HEADER)) {
    const { end, body, notASecret } = readKeyBody(text, m.index + m[0].length, until, m[1] ?? "");
    yield { start: m.index, end, shape: { body, alphabet: 64, checkRuns: false }, ...(notASecret === undefined ? {} : { notASecret }) };
  }
}

function* puttyKeys(text: string): Iterable<SecretCandidate> {
  for (const { m, until } of headers(text, PUTTY_HEADER)) {
    const from = m.index + m[0].length;
    const window = escapesAsBreaks(text.slice(from, Math.min(until, from + KEY_WINDOW)));
    const lines = PUTTY_PRIVATE_LINES.exec(window);
    if (lines === null) {
      yield { start: m.index, end: from, shape: { body: "", alphabet: 64 }, notASecret: "no Private-Lines" };
      continue;
    }
    const parts: string[] = [];
    let offset = lines.index + lines[0].length + 1;
    for (let i = 0; i < Number(lines[1]); i++) {
      const next = window.indexOf("\n", offset);
      const lineEnd = next === -1 ? window.length : next;
      parts.push(unquote(window.slice(offset, lineEnd)));
      offset = lineEnd + 1;
    }
    const body = parts.join("");
    const end = from + Math.min(offset - 1, window.length);
    const notASecret = !BASE64.test(body) ? "key body is not base64" : body.length < 40 ? "too short for a private key" : undefined;
    yield { start: m.index, end, shape: { body, alphabet: 64, checkRuns: false }, ...(notASecret === undefined ? {} : { notASecret }) };
  }
}

function* base64PemKeys(text: string): Iterable<SecretCandidate> {
  for (const m of text.matchAll(BASE64_PEM)) {
    const decoded = Buffer.from(m[0].replace(/\s/g, ""), "base64").toString("latin1");
    // Certificates and public keys are encoded the same way and are no secret.
    const key = [...pemKeys(decoded)][0];
    if (key === undefined || key.start !== 0) continue;
    const firstLine = m[0].split(/\r?\n/)[0] ?? m[0];
    yield { ...key, start: m.index, end: m.index + firstLine.length };
  }
}

/** The catalog, most specific first: when two rules cover the same characters the first is kept. */
export const SECRET_RULES: readonly SecretRule[] = [
  { id: "private-key", title: "private key", severity: "critical", find: pemKeys },
  { id: "putty-private-key", title: "PuTTY private key", severity: "critical", find: puttyKeys },
  { id: "private-key-base64", title: "base64-encoded private key", severity: "critical", find: base64PemKeys },
  { id: "aws-secret-access-key", title: "AWS secret access key", severity: "high", find: awsSecretAssignments },
  { id: "aws-access-key-pair", title: "AWS secret access key next to its key id", severity: "high", find: awsKeyPairs },
  { id: "azure-ad-client-secret", title: "Azure AD (Entra ID) client secret", severity: "high", find: azureClientSecrets },
  { id: "sendgrid-api-key", title: "SendGrid API key", severity: "high", find: sendgridKeys },
  { id: "npm-auth-token", title: "npm registry auth token", severity: "high", find: npmAuthTokens },
  { id: "slack-webhook-url", title: "Slack webhook URL", severity: "high", find: slackWebhooks },
];

/** Every candidate of every rule, each with the reason it is a placeholder or null when it looks real. */
export function matchSecretRules(text: string): RuleMatch[] {
  const matches: RuleMatch[] = [];
  for (const rule of SECRET_RULES) {
    for (const c of rule.find(text)) {
      const placeholder = c.notASecret ?? placeholderReason(text.slice(c.start, c.end), c.shape);
      matches.push({ rule, start: c.start, end: c.end, placeholder });
    }
  }
  return matches;
}
