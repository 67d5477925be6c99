import { SUB_CHECK } from "../../../core/success-criteria.ts";
import type { CheckContext, CheckRunner } from "../../../engine/ports.ts";
import { runSubChecks, type SubCheck } from "../sub-checks.ts";
import { HTTP_TIMEOUT_MS } from "../check-io.ts";
import { checkComplianceEvidence } from "./compliance-evidence.ts";
import { ZSecurityConfig, type TSecurityConfig } from "./config.ts";
import { checkScannerReports } from "./scanner-reports.ts";
import { checkSecrets } from "./secrets-scan.ts";
import { checkStagingWeb } from "./staging-web.ts";

/** Options for tests and the demo; production uses the defaults. */
export type SecurityRunnerOptions = {
  /** clock in epoch milliseconds, for certificate expiry; default Date.now */
  now?: () => number;
  /** limit on one staging request, redirects included, in ms; default HTTP_TIMEOUT_MS (5 s) */
  httpTimeoutMs?: number;
};

/**
 * The security-audit-specialist agent: the team's scanner reports, a secrets scan of the
 * workspace, OWASP header, cookie and TLS checks on staging, and the compliance evidence
 * checklist, one after the other (see runSubChecks for how the outcome is decided).
 */
export function createSecurityRunner(options: SecurityRunnerOptions = {}): CheckRunner {
  const now = options.now ?? Date.now;
  const timeoutMs = options.httpTimeoutMs ?? HTTP_TIMEOUT_MS;
  const subChecks = (config: TSecurityConfig, ctx: CheckContext): SubCheck[] => {
    const { reports, workspace, urls, compliance } = config;
    return [
      { name: SUB_CHECK.scannerReports, run: reports === undefined ? null : (sub) => checkScannerReports(reports, sub) },
      { name: "secrets scan", run: workspace === undefined ? null : (sub) => checkSecrets(workspace, sub) },
      { name: "staging web security", run: urls === undefined ? null : (sub) => checkStagingWeb({ urls, tlsCaFile: config.tlsCaFile, timeoutMs, tlsTerminatedUpstream: config.tlsTerminatedUpstream }, sub) },
      { name: "compliance evidence", run: compliance === undefined ? null : (sub) => checkComplianceEvidence(ctx.compliance, compliance.evidenceDir, sub) },
    ];
  };
  return { run: (ctx) => runSubChecks(ctx, { label: "security-audit-specialist", schema: ZSecurityConfig, subChecks }, now) };
}

/** The security-audit-specialist agent with the real clock. */
export const securityRunner: CheckRunner = createSecurityRunner();
