import { z } from "zod";
import { ZAbsolutePath, ZHttpUrl } from "../config-fields.ts";

const ZReportPaths = z.array(ZAbsolutePath).min(1).optional();

/** Scanner reports the team's CI produced for this release; absolute file paths. */
export const ZSecurityReports = z
  .strictObject({
    /** `npm audit --json` output (npm 7+, auditReportVersion 2) */
    npmAudit: ZReportPaths,
    /** SARIF 2.1.0 from any scanner (CodeQL, Semgrep, Trivy, …); rules found in the driver or a tool extension, suppressed and baseline-absent results skipped */
    sarif: ZReportPaths,
    /** CycloneDX JSON SBOMs with a `vulnerabilities` section (Trivy, Grype, cyclonedx-npm + OSV, …); a VEX analysis of not_affected, resolved or false_positive shows the entry as info */
    cyclonedx: ZReportPaths,
  })
  .refine((r) => r.npmAudit !== undefined || r.sarif !== undefined || r.cyclonedx !== undefined, { message: "list at least one report (npmAudit, sarif or cyclonedx)" });
export type TSecurityReports = z.infer<typeof ZSecurityReports>;

/** The security-audit-specialist agent's configuration for one service and environment. Every part is optional; absent = not checked (info). */
export const ZSecurityConfig = z.strictObject({
  /** scanner reports to read; any critical vulnerability blocks the release */
  reports: ZSecurityReports.optional(),
  /** the release's source tree, scanned for committed secrets (node_modules, .git, binaries and files over 1 MiB skipped) */
  workspace: ZAbsolutePath.optional(),
  /** staging URLs whose security headers, cookies and TLS are checked (one GET each, redirects followed) */
  urls: z.array(ZHttpUrl).min(1).optional(),
  /**
   * TLS ends in front of these URLs (a load balancer or ingress), so plain http here is expected:
   * "not served over TLS" becomes an info finding and HSTS is left to the front. Default false.
   */
  tlsTerminatedUpstream: z.boolean().default(false),
  /** PEM file of the CA that signs the staging certificates, when it is a private CA; default: the system's CAs */
  tlsCaFile: ZAbsolutePath.optional(),
  /** where the release's compliance evidence files are; required items depend on the run's compliance framework */
  compliance: z.strictObject({ evidenceDir: ZAbsolutePath }).optional(),
});
export type TSecurityConfig = z.infer<typeof ZSecurityConfig>;
