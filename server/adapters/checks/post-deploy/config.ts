import { isIP } from "node:net";
import { z } from "zod";
import { isEncryptedSecret } from "../../../secrets.ts";

// The post-deploy-health agent's configuration, as stored for a service and environment.
// Every section is optional; a configuration with no section at all is "not configured".

const ZHttpUrl = z
  .string()
  .trim()
  .min(1, "Enter a URL")
  .max(2_000)
  .refine((v) => {
    try {
      const url = new URL(v);
      return (url.protocol === "http:" || url.protocol === "https:") && url.hostname.length > 0;
    } catch {
      return false;
    }
  }, "Enter an http:// or https:// URL");

const ZStatus = z.number().int().min(100, "HTTP status must be 100–599").max(599, "HTTP status must be 100–599");

/** One resolver as `ip` or `ip:port` (IPv6 with a port in brackets: `[::1]:5353`). */
export function parseResolver(v: string): { address: string; port: number } | null {
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(v);
  const plain = /^([0-9.]+)(?::(\d{1,5}))?$/.exec(v);
  const bare = isIP(v) === 6 ? [v, v, undefined] : null;
  const m = bracketed ?? plain ?? bare;
  if (!m || !m[1] || isIP(m[1]) === 0) return null;
  const port = m[2] === undefined ? 53 : Number(m[2]);
  return port >= 1 && port <= 65_535 ? { address: m[1], port } : null;
}

/** A health endpoint of the deployed version. */
export const ZEndpoint = z.strictObject({
  /** the URL requested with GET */
  url: ZHttpUrl,
  /** the status the endpoint must answer; default 200 */
  expectStatus: ZStatus.default(200),
  /** slowest acceptable answer, headers and body, in ms; default 1000 */
  maxLatencyMs: z.number().int().positive().max(60_000).default(1_000),
  /** text the body must contain; default: no body check */
  bodyContains: z.string().min(1).optional(),
});

/** An external service the release depends on (payment provider, identity provider, …). */
export const ZDependency = z.strictObject({
  /** the name shown in findings, e.g. "payments" */
  name: z.string().trim().min(1, "Name the dependency").max(200),
  /** the URL requested with GET */
  url: ZHttpUrl,
  /** the status the dependency must answer; default 200 */
  expectStatus: ZStatus.default(200),
});

/** The database the release uses: a DSN encrypted at rest (secrets.ts), or a plain one (tests, local runs). */
export const ZDatabase = z.union([
  z.strictObject({ dsnEncrypted: z.string().refine(isEncryptedSecret, "dsnEncrypted is not an encrypted secret") }),
  z.strictObject({ dsn: z.string().min(1, "Enter a DSN") }),
]);

/** The public TLS endpoint whose certificate is checked. */
export const ZTls = z.strictObject({
  /** host to connect to */
  host: z.string().trim().min(1, "Enter a host").max(253),
  /** port; default 443 */
  port: z.number().int().min(1).max(65_535).default(443),
  /** name sent in SNI and matched against the certificate; default: `host` unless it is an IP address */
  servername: z.string().trim().min(1).max(253).optional(),
  /** PEM file of the CA to trust instead of the system's (private CAs, tests) */
  caFile: z.string().min(1).optional(),
  /** days before expiry that raise a medium finding; default 30 */
  warnDays: z.number().int().min(0).default(30),
  /** days before expiry that raise a critical finding; default 7 */
  failDays: z.number().int().min(0).default(7),
});

/** A record whose propagation is checked on several resolvers. */
export const ZDns = z.strictObject({
  /** the record's name, e.g. "shop.example.com" */
  name: z.string().trim().min(1, "Enter a record name").max(253),
  /** the record type */
  type: z.enum(["A", "AAAA", "CNAME", "TXT"]),
  /** the answers every resolver must give, in any order */
  expected: z.array(z.string().min(1)).min(1, "List the expected answers"),
  /** resolvers asked, `ip` or `ip:port` */
  resolvers: z
    .array(z.string().trim().refine((v) => parseResolver(v) !== null, "Enter a resolver as ip or ip:port, e.g. 9.9.9.9:53"))
    .min(1, "List at least one resolver"),
});

/** The post-deploy-health agent's configuration. */
export const ZPostDeployConfig = z
  .strictObject({
    /** health endpoints of the deployed version; problems are high findings */
    endpoints: z.array(ZEndpoint).optional(),
    /** database reached with connect + `SELECT 1` */
    database: ZDatabase.optional(),
    /** external dependencies; problems are medium findings */
    dependencies: z.array(ZDependency).optional(),
    /** certificate of the public TLS endpoint */
    tls: ZTls.optional(),
    /** DNS propagation of one record */
    dns: ZDns.optional(),
  })
  .refine((c) => c.tls === undefined || c.tls.failDays <= c.tls.warnDays, { message: "tls.failDays must not exceed tls.warnDays", path: ["tls", "failDays"] });

export type TPostDeployConfig = z.infer<typeof ZPostDeployConfig>;
export type TEndpoint = z.infer<typeof ZEndpoint>;
export type TDependency = z.infer<typeof ZDependency>;
export type TDatabase = z.infer<typeof ZDatabase>;
export type TTls = z.infer<typeof ZTls>;
export type TDns = z.infer<typeof ZDns>;
