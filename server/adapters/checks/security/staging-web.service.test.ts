import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckFinding } from "../../../engine/ports.ts";
import { generateCertificates, type TestCertificates } from "../post-deploy/tls.fixture.ts";
import { createSecurityRunner } from "./security-runner.ts";
import { securityContext, startSite, type SitePage } from "./security.fixture.ts";
import { judgedRun } from "../judged.fixture.ts";

// Real sites on 127.0.0.1: over https with certificates from a test CA (valid and expired), and
// over plain http; a path no site answers plays a staging site that hangs.
const runner = createSecurityRunner({ httpTimeoutMs: 500 });
const SESSION_VALUE = "s3ss10n-7f2c9a1e5b";
const hardened: SitePage = {
  headers: {
    "content-security-policy": "default-src 'self'; frame-ancestors 'none'; object-src 'none'",
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "set-cookie": [`session=${SESSION_VALUE}; Path=/; Secure; HttpOnly; SameSite=Lax`],
  },
};

let certs: TestCertificates;
let good: Awaited<ReturnType<typeof startSite>>;
let expired: Awaited<ReturnType<typeof startSite>>;
let plain: Awaited<ReturnType<typeof startSite>>;

beforeAll(async () => {
  certs = await generateCertificates();
  good = await startSite(
    {
      "/": hardened,
      "/weak": {
        headers: {
          "content-security-policy-report-only": "default-src 'self'",
          "x-frame-options": "SAMEORIGIN",
          "strict-transport-security": "max-age=86400",
          "x-content-type-options": "nosniff",
          "referrer-policy": "no-referrer, unsafe-url",
        },
      },
    },
    certs.valid,
  );
  expired = await startSite({ "/": hardened }, certs.expired);
  plain = await startSite({
    "/": {
      headers: {
        "set-cookie": [`sessionid=${SESSION_VALUE}; Path=/`, "theme=dark; Path=/; Max-Age=31536000", "XSRF-TOKEN=8c1d; Path=/; Secure; SameSite=Strict"],
      },
    },
    "/to-https": { status: 301, headers: { location: good.url("/") } },
  });
});
afterAll(async () => {
  await Promise.all([good, expired, plain].map((s) => s.close()));
  await certs.cleanup();
});

const checkUrls = (urls: string[], more: Record<string, unknown> = {}) => {
  const ctx = securityContext({ urls, tlsCaFile: certs.caFile, ...more });
  return judgedRun(runner, ctx).then((result) => ({ result, logs: ctx.logs }));
};
const reported = (findings: CheckFinding[]) => findings.filter((f) => !f.message.endsWith("not checked: not configured")).map((f) => [f.severity, f.message]);

describe("staging web security", () => {
  it("passes a hardened https page with a session cookie flagged Secure, HttpOnly and SameSite, and a trusted certificate", async () => {
    const { result, logs } = await checkUrls([good.url("/")]);
    expect(result.status).toBe("passed");
    expect(reported(result.findings)).toEqual([]);
    expect(logs.join("\n")).toMatch(/TLS: 127\.0\.0\.1:\d+ TLSv1\.3, CN=localhost, \d+ days to expiry, chain trusted/);
  });

  it("fails a plain http page without security headers and with careless cookies, never showing a cookie's value", async () => {
    const { result, logs } = await checkUrls([plain.url("/")]);
    const page = plain.url("/");
    expect(result.status).toBe("failed");
    expect(reported(result.findings)).toEqual([
      ["high", `${page} has no Content-Security-Policy`],
      ["high", `${page} can be framed by any site (clickjacking)`],
      ["high", `${page} is not served over TLS`],
      ["medium", `${page} lets browsers sniff content types`],
      ["medium", `${page} has no Referrer-Policy`],
      ["high", `cookie sessionid on ${page} is not Secure`],
      ["high", `cookie sessionid on ${page} is not HttpOnly`],
      ["medium", `cookie sessionid on ${page} has no SameSite`],
      ["medium", `cookie theme on ${page} is not Secure`],
      ["low", `cookie theme on ${page} is not HttpOnly`],
      ["low", `cookie theme on ${page} has no SameSite`],
    ]);
    expect(result.findings.find((f) => f.message.startsWith("cookie sessionid"))?.evidence).toBe("Set-Cookie: sessionid=[value hidden]; Path=/");
    expect(JSON.stringify(result) + logs.join("\n")).not.toContain(SESSION_VALUE);
  });

  it("plain http behind a TLS-terminating front (by configuration) is info, not a finding against the release", async () => {
    const { result } = await checkUrls([plain.url("/")], { tlsTerminatedUpstream: true });
    const page = plain.url("/");
    expect(result.findings.find((f) => f.message === `${page} is plain http behind a TLS-terminating front`)?.severity).toBe("info");
    expect(result.findings.some((f) => f.message === `${page} is not served over TLS`)).toBe(false);
  });

  it("judges report-only CSP, a one-day HSTS and an unsafe-url referrer policy; X-Frame-Options SAMEORIGIN protects from framing", async () => {
    const { result } = await checkUrls([good.url("/weak")]);
    const page = good.url("/weak");
    expect(reported(result.findings)).toEqual([
      ["high", `${page} has no Content-Security-Policy`],
      ["medium", `${page} sets Strict-Transport-Security for only 1 day(s)`],
      ["medium", `${page} sends full URLs as referrer (unsafe-url)`],
    ]);
    expect(result.findings.find((f) => f.message.endsWith("has no Content-Security-Policy"))?.evidence).toBe("only Content-Security-Policy-Report-Only, which enforces nothing");
  });

  it("follows a redirect from http to https and judges the page it lands on", async () => {
    const { result, logs } = await checkUrls([plain.url("/to-https")]);
    expect(result.status).toBe("passed");
    expect(logs).toContain(`GET ${plain.url("/to-https")} → ${good.url("/")}: HTTP 200`);
  });

  it("still checks the headers of a site whose certificate expired, and fails the certificate as critical", async () => {
    const { result } = await checkUrls([expired.url("/")]);
    expect(result.status).toBe("failed");
    expect(result.findings.filter((f) => f.severity !== "info")).toEqual([
      expect.objectContaining({ severity: "critical", message: expect.stringMatching(/^TLS certificate of 127\.0\.0\.1:\d+ expired 1 day\(s\) ago$/), evidence: expect.stringContaining("subject CN=expired.localhost") }),
    ]);
  });

  it("a site that does not answer is high at the timeout; the other URLs are still checked", async () => {
    const t0 = Date.now();
    const { result } = await checkUrls([good.url("/hangs"), good.url("/")]);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(result.status).toBe("failed");
    expect(result.findings.filter((f) => f.severity !== "info")).toEqual([
      expect.objectContaining({ severity: "high", message: `${good.url("/hangs")} not reachable`, evidence: `GET ${good.url("/hangs")}: no answer within 500 ms` }),
    ]);
  });

  it("an unreadable CA file is an error, not a pass", async () => {
    const { result } = await checkUrls([good.url("/")], { tlsCaFile: path.join(certs.dir, "missing-ca.pem") });
    expect(result.status).toBe("error");
    expect(result.summary).toContain("staging web security: the TLS CA file cannot be read (ENOENT)");
  });
});
