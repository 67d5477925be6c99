import type { CheckFinding } from "../../../engine/ports.ts";

/** Response headers as undici gives them: lower-case names, repeated headers as arrays. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** HSTS shorter than this protects too briefly to matter (OWASP recommends a year; 180 days is the usual floor). */
export const MIN_HSTS_SECONDS = 180 * 86_400;
// Cookies that carry a login: missing flags on them are high, on the rest medium or low.
const SESSION_COOKIE = /sess|sid|auth|token|jwt|login|remember/i;
// CSRF cookies (double-submit pattern) must be readable by the page's script, so HttpOnly is not asked of them.
const CSRF_COOKIE = /csrf|xsrf/i;

function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * OWASP Secure Headers checks on one page's response. Severities: no CSP, no clickjacking
 * protection, no HSTS on https or no TLS at all are high (each opens a whole class of attack);
 * a missing nosniff or Referrer-Policy, or a short HSTS, is medium.
 */
export function headerFindings(page: string, https: boolean, headers: ResponseHeaders, tlsTerminatedUpstream = false): CheckFinding[] {
  const findings: CheckFinding[] = [];
  const csp = header(headers, "content-security-policy");
  if (csp === undefined) {
    const reportOnly = header(headers, "content-security-policy-report-only") !== undefined;
    findings.push({ severity: "high", message: `${page} has no Content-Security-Policy`, evidence: reportOnly ? "only Content-Security-Policy-Report-Only, which enforces nothing" : "no Content-Security-Policy header" });
  }
  const xfo = header(headers, "x-frame-options");
  const frameAncestors = csp?.split(";").some((d) => d.trim().toLowerCase().startsWith("frame-ancestors")) ?? false;
  if (!frameAncestors && !/^\s*(deny|sameorigin)\s*$/i.test(xfo ?? "")) {
    findings.push({ severity: "high", message: `${page} can be framed by any site (clickjacking)`, evidence: `no frame-ancestors in the CSP; X-Frame-Options ${xfo === undefined ? "absent" : `"${xfo}"`}` });
  }
  findings.push(...transportFindings(page, https, header(headers, "strict-transport-security"), tlsTerminatedUpstream));
  const nosniff = header(headers, "x-content-type-options");
  if (nosniff?.trim().toLowerCase() !== "nosniff") {
    findings.push({ severity: "medium", message: `${page} lets browsers sniff content types`, evidence: `X-Content-Type-Options ${nosniff === undefined ? "absent" : `"${nosniff}"`}, expected "nosniff"` });
  }
  const referrer = header(headers, "referrer-policy");
  // With several policies the last one the browser knows wins; unsafe-url sends full URLs (and their tokens) everywhere.
  const lastPolicy = referrer?.split(",").pop()?.trim().toLowerCase();
  if (referrer === undefined || lastPolicy === "unsafe-url") {
    findings.push({ severity: "medium", message: `${page} ${referrer === undefined ? "has no Referrer-Policy" : "sends full URLs as referrer (unsafe-url)"}`, evidence: `Referrer-Policy ${referrer === undefined ? "absent" : `"${referrer}"`}` });
  }
  return findings;
}

function transportFindings(page: string, https: boolean, hsts: string | undefined, tlsTerminatedUpstream: boolean): CheckFinding[] {
  if (!https && tlsTerminatedUpstream) return [{ severity: "info", message: `${page} is plain http behind a TLS-terminating front`, evidence: "tlsTerminatedUpstream is set: TLS and HSTS are the front's to serve and are not checked here" }];
  if (!https) return [{ severity: "high", message: `${page} is not served over TLS`, evidence: "http URL: traffic and cookies travel in clear text, and HSTS cannot apply" }];
  if (hsts === undefined) return [{ severity: "high", message: `${page} sends no Strict-Transport-Security`, evidence: "no Strict-Transport-Security header: a first visit over http can be downgraded" }];
  const maxAge = Number(/max-age\s*=\s*"?(\d+)"?/i.exec(hsts)?.[1] ?? Number.NaN);
  if (!Number.isFinite(maxAge) || maxAge === 0) return [{ severity: "high", message: `${page} disables Strict-Transport-Security`, evidence: `Strict-Transport-Security "${hsts}": no positive max-age` }];
  if (maxAge < MIN_HSTS_SECONDS) return [{ severity: "medium", message: `${page} sets Strict-Transport-Security for only ${Math.floor(maxAge / 86_400)} day(s)`, evidence: `Strict-Transport-Security "${hsts}", expected max-age ≥ ${MIN_HSTS_SECONDS}` }];
  return [];
}

/**
 * Secure, HttpOnly and SameSite on every cookie the page sets, one finding per missing flag.
 * Session-like cookies (by name) missing Secure or HttpOnly are high — that is how sessions are
 * stolen; other cookies medium (Secure) or low. A missing SameSite is medium on session cookies
 * (browsers default to Lax, which still leaves top-level cross-site requests) and low otherwise.
 * Cookie values are never shown: they are often session tokens.
 */
export function cookieFindings(page: string, setCookie: string | string[] | undefined): CheckFinding[] {
  const cookies = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  return cookies.flatMap((raw) => {
    const [pair = "", ...rest] = raw.split(";");
    const name = pair.split("=")[0]?.trim() ?? "";
    const attributes = rest.map((a) => a.trim()).filter((a) => a !== "");
    const has = (flag: string) => attributes.some((a) => a.split("=")[0]?.trim().toLowerCase() === flag);
    const session = SESSION_COOKIE.test(name) && !CSRF_COOKIE.test(name);
    const evidence = `Set-Cookie: ${name}=[value hidden]${attributes.map((a) => `; ${a}`).join("")}`;
    const findings: CheckFinding[] = [];
    if (!has("secure")) findings.push({ severity: session ? "high" : "medium", message: `cookie ${name} on ${page} is not Secure`, evidence });
    if (!has("httponly") && !CSRF_COOKIE.test(name)) findings.push({ severity: session ? "high" : "low", message: `cookie ${name} on ${page} is not HttpOnly`, evidence });
    if (!has("samesite")) findings.push({ severity: session ? "medium" : "low", message: `cookie ${name} on ${page} has no SameSite`, evidence });
    return findings;
  });
}
