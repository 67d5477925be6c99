import { isIP } from "node:net";
import { Agent, request } from "undici";
import type { CheckFinding } from "../../../engine/ports.ts";
import { checkTls } from "../post-deploy/tls-check.ts";
import { type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";
import { describeNetworkError, redactUrl } from "../../report-text.ts";
import { cookieFindings, headerFindings, type ResponseHeaders } from "./security-headers.ts";

/** Redirects followed from a configured URL to the page whose headers are judged (http → https, / → /login). */
const MAX_REDIRECTS = 5;
/** Certificate expiry warnings, as post-deploy-health uses for production. */
const TLS_WARN_DAYS = 30;
const TLS_FAIL_DAYS = 7;

type Page = { url: URL; status: number; headers: ResponseHeaders; hops: string[] };

/** Where the staging site is and how long one request may take. */
export type StagingTarget = { urls: readonly string[]; tlsCaFile: string | undefined; timeoutMs: number; tlsTerminatedUpstream?: boolean };

/**
 * OWASP checks on the staging site: the security headers and cookies of each URL's page (after
 * redirects) and, for https, the certificate and protocol (post-deploy's checkTls: an expired or
 * untrusted certificate is critical, no TLS 1.2 high). A URL that does not answer is high.
 */
export async function checkStagingWeb(target: StagingTarget, ctx: SubCheckContext): Promise<SubCheckOutcome> {
  // The certificate is judged by checkTls below, so the header request accepts any certificate:
  // a staging site with an expired certificate should still have its headers checked. Nothing
  // but a bare GET is sent.
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  const findings: CheckFinding[] = [];
  const tlsChecked = new Set<string>();
  try {
    for (const [i, url] of target.urls.entries()) {
      await ctx.progress(i / target.urls.length);
      const page = await fetchPage(url, dispatcher, target.timeoutMs, ctx.signal);
      if ("problem" in page) {
        findings.push({ severity: "high", message: `${redactUrl(url)} not reachable`, evidence: `GET ${redactUrl(url)}: ${page.problem}` });
        continue;
      }
      const where = redactUrl(page.url.href);
      await ctx.log(`GET ${[...page.hops, where].join(" → ")}: HTTP ${page.status}`);
      const https = page.url.protocol === "https:";
      findings.push(...headerFindings(where, https, page.headers, target.tlsTerminatedUpstream), ...cookieFindings(where, page.headers["set-cookie"]));
      if (https && !tlsChecked.has(page.url.host)) {
        tlsChecked.add(page.url.host);
        findings.push(...(await tlsFindings(page.url, target.tlsCaFile, ctx)));
      }
    }
  } finally {
    await dispatcher.close();
  }
  return { findings, checked: `security headers, cookies and TLS of ${target.urls.length} staging URL(s)` };
}

async function fetchPage(start: string, dispatcher: Agent, timeoutMs: number, signal: AbortSignal): Promise<Page | { problem: string }> {
  const hops: string[] = [];
  let url = new URL(start);
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    for (;;) {
      const res = await request(url, { method: "GET", dispatcher, signal: AbortSignal.any([signal, timeout]), headers: { accept: "text/html,*/*;q=0.8" } });
      await res.body.dump();
      const location = res.headers.location;
      if (res.statusCode < 300 || res.statusCode >= 400 || typeof location !== "string") return { url, status: res.statusCode, headers: res.headers, hops };
      if (hops.length === MAX_REDIRECTS) return { problem: `more than ${MAX_REDIRECTS} redirects` };
      hops.push(redactUrl(url.href));
      url = new URL(location, url);
    }
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    if (timeout.aborted) return { problem: `no answer within ${timeoutMs} ms` };
    return { problem: describeNetworkError(e) };
  }
}

async function tlsFindings(url: URL, caFile: string | undefined, ctx: SubCheckContext): Promise<CheckFinding[]> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return checkTls(
    { host, port: url.port === "" ? 443 : Number(url.port), ...(isIP(host) === 0 ? { servername: host } : {}), ...(caFile === undefined ? {} : { caFile }), warnDays: TLS_WARN_DAYS, failDays: TLS_FAIL_DAYS },
    ctx,
  );
}
