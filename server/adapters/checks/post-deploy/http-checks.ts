import { performance } from "node:perf_hooks";
import { request } from "undici";
import type { CheckFinding } from "../../../engine/ports.ts";
import type { TDependency, TEndpoint } from "./config.ts";
import { errorCode, excerpt, redactUrl } from "../../report-text.ts";
import type { ProbeIo } from "./probe.ts";

// Health endpoints and external dependencies are probed the same way: one GET, no redirects
// followed (a health check that redirects is answering something else), the body read up to a
// limit. Endpoints of the release are high findings; dependencies outside it are medium.

/** Longest a probe waits for an answer; beyond this the endpoint counts as unreachable. */
export const HTTP_PROBE_TIMEOUT_MS = 10_000;
/** Body bytes read for `bodyContains` and evidence; health bodies are small. */
const MAX_BODY_BYTES = 64 * 1024;

type Severity = CheckFinding["severity"];
type HttpTarget = { label: string; url: string; expectStatus: number; maxLatencyMs?: number; bodyContains?: string };
type HttpAnswer = { status: number; ms: number; body: string };

async function fetchOnce(url: string, signal: AbortSignal): Promise<HttpAnswer> {
  const started = performance.now();
  const res = await request(url, {
    method: "GET",
    signal: AbortSignal.any([signal, AbortSignal.timeout(HTTP_PROBE_TIMEOUT_MS)]),
    headers: { "user-agent": "flightdeck-post-deploy-health" },
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    chunks.push(buf);
    size += buf.length;
    if (size >= MAX_BODY_BYTES) {
      res.body.destroy();
      break;
    }
  }
  const ms = Math.round(performance.now() - started);
  return { status: res.statusCode, ms, body: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString("utf8") };
}

async function probe(target: HttpTarget, severity: Severity, io: ProbeIo): Promise<CheckFinding[]> {
  // Origin and path only: a query string may carry a token, and userinfo is a credential.
  const where = redactUrl(target.url);
  let answer: HttpAnswer;
  try {
    answer = await fetchOnce(target.url, io.signal);
  } catch (e) {
    if (io.signal.aborted) throw e;
    const code = errorCode(e);
    await io.log(`${target.label} ${where}: no answer (${code})`);
    return [{ severity, message: `${target.label} ${where} did not answer`, evidence: `error ${code}; expected status ${target.expectStatus}` }];
  }
  const { status, ms, body } = answer;
  await io.log(`${target.label} ${where}: ${status} in ${ms} ms`);
  const evidence = `status ${status}, ${ms} ms, body: "${excerpt(body)}"`;
  const findings: CheckFinding[] = [];
  if (status !== target.expectStatus) {
    findings.push({ severity, message: `${target.label} ${where} answered ${status}, expected ${target.expectStatus}`, evidence });
  }
  if (target.maxLatencyMs !== undefined && ms > target.maxLatencyMs) {
    findings.push({ severity, message: `${target.label} ${where} took ${ms} ms, limit ${target.maxLatencyMs} ms`, evidence });
  }
  if (target.bodyContains !== undefined && !body.includes(target.bodyContains)) {
    findings.push({ severity, message: `${target.label} ${where} body does not contain "${excerpt(target.bodyContains, 80)}"`, evidence });
  }
  return findings;
}

/** Probes one health endpoint of the release: wrong status, too slow or wrong body are high findings. */
export function checkEndpoint(endpoint: TEndpoint, io: ProbeIo): Promise<CheckFinding[]> {
  return probe({ label: "Endpoint", ...endpoint }, "high", io);
}

/** Probes one external dependency: wrong status or no answer are medium findings. */
export function checkDependency(dependency: TDependency, io: ProbeIo): Promise<CheckFinding[]> {
  return probe({ label: `Dependency ${dependency.name}`, url: dependency.url, expectStatus: dependency.expectStatus }, "medium", io);
}
