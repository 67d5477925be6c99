import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { request } from "undici";
import { parseAllDocuments } from "yaml";
import type { CheckFinding } from "../../engine/ports.ts";
import { describeNetworkError } from "../report-text.ts";

/**
 * A sub-check that could not run (unreadable file, syntax error, malformed report, a program that
 * does not start). The agent then says `error`: a check that did not run must never read as a pass.
 * Its message is shown to users, so it must not quote secrets.
 */
export class CannotRunError extends Error {
  /** what the sub-check had found before it had to stop (the pages that did load); reported with the error */
  readonly findings: CheckFinding[];

  constructor(message: string, findings: CheckFinding[] = []) {
    super(message);
    this.name = "CannotRunError";
    this.findings = findings;
  }

  /** The same error carrying what was found so far, for a sub-check stopped part-way. */
  static after(e: unknown, findings: CheckFinding[]): unknown {
    return e instanceof CannotRunError ? new CannotRunError(e.message, [...findings, ...e.findings]) : e;
  }
}

/** What every sub-check is given: the run's abort signal, its log, a clock (epoch ms) and its share of the progress bar. */
export type SubCheckContext = {
  signal: AbortSignal;
  log: (line: string) => Promise<void>;
  now: () => number;
  /** how far this sub-check is, 0–1; optional to call (the runner moves the bar when it ends) */
  progress: (fraction: number) => Promise<void>;
};

/** A sub-check's answer: its findings and a one-line account of what it looked at. */
export type SubCheckOutcome = { findings: CheckFinding[]; checked: string };

/** Limit on one HTTP request (connect + full answer), as the procedure sets for reachability checks. */
export const HTTP_TIMEOUT_MS = 5_000;
/** Bodies longer than this are cut by default: a backup-time or health endpoint answers a few bytes. */
const MAX_BODY_BYTES = 64 * 1024;

/** An HTTP answer, or why none arrived (refused, timed out, …). */
export type HttpOutcome = { status: number; body: string } | { problem: string };

/**
 * GETs a URL within HTTP_TIMEOUT_MS. Never throws for network trouble (that is an answer the
 * sub-check turns into a finding); rethrows only when the run itself is aborted.
 */
export async function httpGet(url: string, signal: AbortSignal, timeoutMs = HTTP_TIMEOUT_MS, maxBytes = MAX_BODY_BYTES): Promise<HttpOutcome> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await request(url, { method: "GET", signal: AbortSignal.any([signal, timeout]), headers: { accept: "application/json, text/plain;q=0.9, */*;q=0.1" } });
    let body = "";
    let bytes = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      bytes += buf.length;
      body += buf.toString("utf8");
      if (bytes > maxBytes) break; // leaving the loop destroys the rest of the body
    }
    return { status: res.statusCode, body: body.slice(0, maxBytes) };
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    if (timeout.aborted) return { problem: `no answer within ${timeoutMs} ms` };
    return { problem: describeNetworkError(e) };
  }
}

/**
 * The files behind configured paths: a file as given, a folder searched recursively for
 * *.yaml / *.yml (sorted, so findings come out in a stable order). A missing path, or paths that
 * hold no YAML at all, mean the check cannot run — most likely the configuration points at the
 * wrong place, and "nothing found, nothing wrong" would be a pass nobody earned.
 */
export async function collectYamlFiles(paths: readonly string[], what: string): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => null);
    if (info === null) throw new CannotRunError(`${what} path not found: ${p}`);
    if (info.isDirectory()) files.push(...(await yamlFilesUnder(p)));
    else files.push(p);
  }
  if (files.length === 0) throw new CannotRunError(`no *.yaml or *.yml ${what} files under ${paths.join(", ")}`);
  return [...new Set(files)];
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const found: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await yamlFilesUnder(full)));
    else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) found.push(full);
  }
  return found;
}

/**
 * A file's text. One that cannot be read stops the sub-check (`cannot read <what> <file>: …`);
 * when the run is cancelled meanwhile, the cancellation is what is thrown.
 */
export async function readTextFile(file: string, what: string, signal: AbortSignal): Promise<string> {
  return readFile(file, { encoding: "utf8", signal }).catch((e: unknown) => {
    if (signal.aborted) throw signal.reason;
    throw new CannotRunError(`cannot read ${what} ${file}: ${e instanceof Error ? e.message : String(e)}`);
  });
}

/** One document of a multi-document YAML file. */
export type YamlDocument = {
  /** the document as plain data */
  value: unknown;
  /** 1-based position of the document in its file */
  document: number;
  /** the file and document, for messages: `/path/app.yaml (document 2)` */
  where: string;
};

/**
 * Every non-empty document of a YAML file (empty ones between `---` separators are left out). A
 * syntax error anywhere stops the sub-check with the parser's message and the document: checking
 * the rest would pass a file that cannot be applied.
 */
export async function readYamlDocuments(file: string, what: string, signal: AbortSignal): Promise<YamlDocument[]> {
  const text = await readTextFile(file, what, signal);
  const documents: YamlDocument[] = [];
  for (const [i, doc] of parseAllDocuments(text, { prettyErrors: true }).entries()) {
    const where = `${file} (document ${i + 1})`;
    const [error] = doc.errors;
    if (error !== undefined) throw new CannotRunError(`YAML syntax error in ${where}: ${error.message}`);
    let value: unknown;
    try {
      value = doc.toJS();
    } catch (e) {
      throw new CannotRunError(`cannot read YAML in ${where}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (value !== null && value !== undefined) documents.push({ value, document: i + 1, where });
  }
  return documents;
}

/** A plain object (a YAML mapping or JSON object), for narrowing parsed documents. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Hours with at most one decimal: 30, 24.5. */
export function formatHours(hours: number): string {
  return String(Math.round(hours * 10) / 10);
}

/** No configuration at all: undefined, null or `{}` — the agent is not configured, not failing. */
export function isEmptyConfig(config: unknown): boolean {
  if (config === undefined || config === null) return true;
  return typeof config === "object" && !Array.isArray(config) && Object.keys(config).length === 0;
}
