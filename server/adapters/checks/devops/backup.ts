import { killGroup, MINIMAL_PATH, spawnIsolated } from "../../isolated-command.ts";
import type { CheckFinding } from "../../../engine/ports.ts";
import type { TBackupSource } from "./config.ts";
import { formatHours, httpGet, isRecord, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";
import { commandLabel, excerpt, redactUrl } from "../../report-text.ts";

/** Kept from a backup command's stdout (it prints one timestamp) and stderr (its last words). */
const MAX_OUTPUT_CHARS = 64 * 1024;
/** A backup time this far ahead of our clock is not clock skew but a wrong answer. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
// A full ISO 8601 date-time with a zone: a time without one could be hours off.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * Asks the backup source when the last backup finished and holds it to the policy's maximum age.
 * A source that cannot answer is a high finding, "backup freshness unknown": an unknown backup
 * is as bad as a stale one when a roll back needs a restore.
 */
export async function checkBackup(source: TBackupSource, ctx: SubCheckContext): Promise<SubCheckOutcome> {
  const from = source.kind === "url" ? `GET ${redactUrl(source.url)}` : commandLabel(source.command, source.args);
  await ctx.log(`asking ${from} for the last backup time`);
  const answer = source.kind === "url" ? await fromUrl(source.url, ctx.signal) : await fromCommand(source, ctx.signal);
  const checked = `backup freshness (policy ${formatHours(source.maxAgeHours)} h)`;
  const unknown = (evidence: string): SubCheckOutcome => ({
    findings: [{ severity: "high", message: "backup freshness unknown", evidence: `${from}: ${evidence}` }],
    checked,
  });
  if ("problem" in answer) return unknown(answer.problem);

  const parsed = parseBackupTime(answer.text);
  if ("problem" in parsed) return unknown(parsed.problem);
  const now = ctx.now();
  if (parsed.at - now > FUTURE_TOLERANCE_MS) return unknown(`last backup time ${parsed.iso} is in the future`);

  const ageHours = Math.max(0, now - parsed.at) / 3_600_000;
  await ctx.log(`last backup ${parsed.iso}, ${formatHours(ageHours)} h ago (policy ${formatHours(source.maxAgeHours)} h)`);
  const findings: CheckFinding[] = [];
  if (ageHours > source.maxAgeHours) {
    findings.push({
      severity: "high",
      message: `last backup ${formatHours(ageHours)} h ago (policy ${formatHours(source.maxAgeHours)} h)`,
      evidence: `${from}: lastBackupAt ${parsed.iso}`,
    });
  }
  return { findings, checked };
}

/** The last backup time from JSON `{ "lastBackupAt": ISO }` or plain ISO text. */
function parseBackupTime(text: string): { at: number; iso: string } | { problem: string } {
  const trimmed = text.trim();
  let candidate: unknown = trimmed;
  if (trimmed.startsWith("{")) {
    try {
      candidate = JSON.parse(trimmed) as unknown;
    } catch {
      return { problem: `answer is not valid JSON: "${excerpt(trimmed)}"` };
    }
    if (!isRecord(candidate) || typeof candidate.lastBackupAt !== "string") return { problem: `JSON answer has no string lastBackupAt: "${excerpt(trimmed)}"` };
    candidate = candidate.lastBackupAt.trim();
  }
  const iso = String(candidate);
  const at = ISO_DATE_TIME.test(iso) ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(at)) return { problem: `not an ISO 8601 date-time with a time zone: "${excerpt(iso) || "(empty)"}"` };
  return { at, iso };
}

type Answer = { text: string } | { problem: string };

async function fromUrl(url: string, signal: AbortSignal): Promise<Answer> {
  const res = await httpGet(url, signal);
  if ("problem" in res) return res;
  if (res.status < 200 || res.status >= 300) return { problem: `HTTP ${res.status}${res.body.trim() === "" ? "" : ` "${excerpt(res.body)}"`}` };
  return { text: res.body };
}

function fromCommand(source: Extract<TBackupSource, { kind: "command" }>, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    let stdout = "";
    let stderr = "";
    let settled = false;
    const settle = (answer: Answer | { abort: unknown }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      if ("abort" in answer) reject(answer.abort);
      else resolve(answer);
    };
    const child = spawnIsolated(source.command, source.args, { env: { PATH: MINIMAL_PATH } });
    child.stdout.on("data", (chunk: Buffer) => {
      if (stdout.length < MAX_OUTPUT_CHARS) stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-MAX_OUTPUT_CHARS);
    });
    const onAbort = () => {
      killGroup(child.pid);
      settle({ abort: signal.reason });
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => {
      killGroup(child.pid);
      settle({ problem: `timed out after ${source.timeoutMs} ms and was killed` });
    }, source.timeoutMs);
    child.on("error", (e) => settle({ problem: `could not start: ${e.message}` }));
    child.on("close", (code, killedBy) => {
      if (code === 0) settle({ text: stdout });
      else settle({ problem: `${code !== null ? `exited with code ${code}` : `was killed by ${killedBy}`}${stderr.trim() === "" ? "" : `: ${excerpt(stderr.slice(-500))}`}` });
    });
  });
}
