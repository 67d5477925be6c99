import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import tls, { type PeerCertificate } from "node:tls";
import type { CheckFinding } from "../../../engine/ports.ts";
import type { TTls } from "./config.ts";
import { CannotRunError } from "../check-io.ts";
import { errorCode } from "../../report-text.ts";
import type { ProbeIo } from "./probe.ts";

/** Longest the TLS handshake may take before the endpoint counts as unreachable. */
export const TLS_TIMEOUT_MS = 10_000;
const DAY_MS = 86_400_000;
// Policy (pci/hipaa): TLS 1.2 at least. The probe offers nothing older, so an endpoint that only
// speaks TLS 1.0/1.1 fails the handshake with one of these codes.
const OLD_PROTOCOL_CODES = /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE/;

type Handshake = { cert: PeerCertificate; authorized: boolean; authorizationError: string | null; protocol: string };

// The handshake verifies the chain exactly as `rejectUnauthorized: true` would (same CA, same
// SNI) but keeps the connection long enough to read the certificate, so an untrusted or expired
// certificate is reported with its subject, issuer and dates instead of a bare handshake error.
// Nothing is sent over the connection; it is closed as soon as the certificate is read.
function handshake(cfg: TTls, servername: string | undefined, ca: string | undefined, signal: AbortSignal): Promise<Handshake> {
  return new Promise<Handshake>((resolve, reject) => {
    const socket = tls.connect({
      host: cfg.host,
      port: cfg.port,
      ...(servername === undefined ? {} : { servername }),
      ...(ca === undefined ? {} : { ca }),
      minVersion: "TLSv1.2",
      rejectUnauthorized: false,
      // The host name is checked below with tls.checkServerIdentity, to report it as its own finding.
      checkServerIdentity: () => undefined,
    });
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      fn();
    };
    const onAbort = () => finish(() => reject(signal.reason instanceof Error ? signal.reason : new Error("cancelled")));
    const timer = setTimeout(() => finish(() => reject(Object.assign(new Error("TLS handshake timed out"), { code: "TIMEOUT" }))), TLS_TIMEOUT_MS);
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("secureConnect", () => {
      const authError = socket.authorizationError as unknown;
      const result: Handshake = {
        cert: socket.getPeerCertificate(true),
        authorized: socket.authorized,
        authorizationError: authError ? errorCode(authError, String(authError)) : null,
        protocol: socket.getProtocol() ?? "unknown",
      };
      finish(() => resolve(result));
    });
    socket.once("error", (e) => finish(() => reject(e)));
  });
}

/** A distinguished name as `CN=…, O=…` (Node gives repeated attributes as arrays). */
function names(entity: object | undefined): string {
  if (!entity) return "(none)";
  const parts = Object.entries(entity as Record<string, unknown>).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).filter((x) => typeof x === "string").map((x) => `${k}=${String(x)}`));
  return parts.length > 0 ? parts.join(", ") : "(none)";
}

/**
 * Checks the certificate of a TLS endpoint: a chain the CA does not vouch for, a host name it does
 * not cover, expiry within `failDays` (or past) are critical; within `warnDays` medium; a server
 * without TLS 1.2+ is high.
 */
export async function checkTls(cfg: TTls, io: ProbeIo): Promise<CheckFinding[]> {
  let ca: string | undefined;
  if (cfg.caFile !== undefined) {
    try {
      ca = await readFile(cfg.caFile, "utf8");
    } catch (e) {
      await io.log(`TLS: cannot read the CA file (${errorCode(e)}); the certificate was not checked`);
      throw new CannotRunError(`the TLS CA file cannot be read (${errorCode(e)})`);
    }
  }
  // RFC 6066 forbids an IP address as SNI; with an IP host and no servername the certificate is matched against the IP.
  const servername = cfg.servername ?? (isIP(cfg.host) === 0 ? cfg.host : undefined);
  const identity = servername ?? cfg.host;
  const where = `${cfg.host}:${cfg.port}${servername !== undefined && servername !== cfg.host ? ` (SNI ${servername})` : ""}`;
  await io.log(`TLS: connecting to ${where}`);

  let hs: Handshake;
  try {
    hs = await handshake(cfg, servername, ca, io.signal);
  } catch (e) {
    if (io.signal.aborted) throw e;
    const code = errorCode(e);
    await io.log(`TLS: ${where} handshake failed (${code})`);
    if (OLD_PROTOCOL_CODES.test(code)) {
      return [{ severity: "high", message: `TLS ${where} does not offer TLS 1.2 or later`, evidence: `handshake error ${code}` }];
    }
    return [{ severity: "high", message: `TLS ${where} did not complete a handshake`, evidence: `error ${code}` }];
  }

  const { cert } = hs;
  if (!cert || Object.keys(cert).length === 0) {
    return [{ severity: "critical", message: `TLS ${where} presented no certificate`, evidence: `protocol ${hs.protocol}` }];
  }
  const now = io.now();
  const validTo = Date.parse(cert.valid_to);
  const validFrom = Date.parse(cert.valid_from);
  const daysLeft = Math.floor((validTo - now) / DAY_MS);
  const evidence = `subject ${names(cert.subject)}; issuer ${names(cert.issuer)}; valid to ${new Date(validTo).toISOString()}; protocol ${hs.protocol}`;
  await io.log(`TLS: ${where} ${hs.protocol}, ${names(cert.subject)}, ${validTo <= now ? "expired" : `${daysLeft} days to expiry`}, chain ${hs.authorized ? "trusted" : `not trusted (${hs.authorizationError ?? "unknown"})`}`);

  const findings: CheckFinding[] = [];
  const outsideValidity = validTo <= now || validFrom > now;
  // An expired leaf also fails the chain (CERT_HAS_EXPIRED); report it once, as the expiry.
  const chainErrorIsLeafDates = outsideValidity && (hs.authorizationError === "CERT_HAS_EXPIRED" || hs.authorizationError === "CERT_NOT_YET_VALID");
  if (!hs.authorized && !chainErrorIsLeafDates) {
    findings.push({ severity: "critical", message: `TLS certificate chain of ${where} is not trusted: ${hs.authorizationError ?? "unknown reason"}`, evidence });
  }
  const mismatch = tls.checkServerIdentity(identity, cert);
  if (mismatch) {
    findings.push({ severity: "critical", message: `TLS certificate of ${where} does not cover ${identity}`, evidence: `${evidence}; ${mismatch.message}` });
  }
  if (validFrom > now) {
    findings.push({ severity: "critical", message: `TLS certificate of ${where} is not valid yet (from ${new Date(validFrom).toISOString()})`, evidence });
  } else if (validTo <= now) {
    const ago = Math.floor((now - validTo) / DAY_MS);
    findings.push({ severity: "critical", message: `TLS certificate of ${where} expired ${ago === 0 ? "today" : `${ago} day(s) ago`}`, evidence });
  } else if (daysLeft <= cfg.failDays) {
    findings.push({ severity: "critical", message: `TLS certificate of ${where} expires in ${daysLeft} day(s) (limit ${cfg.failDays})`, evidence });
  } else if (daysLeft <= cfg.warnDays) {
    findings.push({ severity: "medium", message: `TLS certificate of ${where} expires in ${daysLeft} day(s) (warning at ${cfg.warnDays})`, evidence });
  }
  if (hs.protocol !== "TLSv1.2" && hs.protocol !== "TLSv1.3") {
    findings.push({ severity: "high", message: `TLS ${where} negotiated ${hs.protocol}, older than TLS 1.2`, evidence });
  }
  return findings;
}
