import { notConfiguredRunner } from "../not-configured.ts";
import { z } from "zod";
import type { CheckContext, CheckFinding, CheckResult, CheckRunner } from "../../../engine/ports.ts";
import { decryptSecret } from "../../../services/secrets.ts";
import { ZPostDeployConfig, type TPostDeployConfig } from "./config.ts";
import { checkDatabase, type DecryptSecret } from "./database-check.ts";
import { checkDns } from "./dns-check.ts";
import { checkDependency, checkEndpoint } from "./http-checks.ts";
import { CannotRunError } from "../support.ts";
import { errorCode, type ProbeIo } from "./probe.ts";
import { checkTls } from "./tls-check.ts";

export { ZPostDeployConfig, type TPostDeployConfig } from "./config.ts";

/** What the post-deploy-health runner needs from outside; defaults suit the running server. */
export type PostDeployRunnerOptions = {
  /** decrypts `database.dsnEncrypted`; default: secrets.ts with the session secret */
  decrypt?: DecryptSecret;
  /** epoch ms, for certificate expiry; default Date.now */
  now?: () => number;
};

/** One sub-check: what it is called in the log and how to run it. */
type Probe = { label: string; run: (io: ProbeIo) => Promise<CheckFinding[]> };

function probesFor(config: TPostDeployConfig, decrypt: DecryptSecret): Probe[] {
  const probes: Probe[] = [];
  for (const endpoint of config.endpoints ?? []) probes.push({ label: "endpoint", run: (io) => checkEndpoint(endpoint, io) });
  const database = config.database;
  if (database) probes.push({ label: "database", run: (io) => checkDatabase(database, decrypt, io) });
  for (const dependency of config.dependencies ?? []) probes.push({ label: `dependency ${dependency.name}`, run: (io) => checkDependency(dependency, io) });
  const tls = config.tls;
  if (tls) probes.push({ label: "TLS certificate", run: (io) => checkTls(tls, io) });
  const dns = config.dns;
  if (dns) probes.push({ label: "DNS propagation", run: (io) => checkDns(dns, io) });
  return probes;
}

function isBlocking(f: CheckFinding): boolean {
  return f.severity === "critical" || f.severity === "high";
}

function summarise(probes: number, findings: CheckFinding[], couldNotRun: string[]): CheckResult {
  const blocking = findings.filter(isBlocking);
  const notes = couldNotRun.length > 0 ? `; could not run: ${couldNotRun.join("; ")}` : "";
  if (blocking.length > 0) {
    const first = blocking.find((f) => f.severity === "critical") ?? blocking[0];
    const counts = (["critical", "high"] as const).map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`).join(", ");
    return { status: "failed", summary: `${counts}: ${first?.message ?? ""}${notes}`, findings };
  }
  // A sub-check that could not run earns no pass, even when the others are clean.
  if (couldNotRun.length > 0) {
    return { status: "error", summary: `Post-deploy checks incomplete${notes}`, findings };
  }
  const warnings = findings.length > 0 ? ` with ${findings.length} warning(s)` : "";
  return { status: "passed", summary: `All ${probes} post-deploy checks passed${warnings}`, findings };
}

/**
 * The post-deploy-health agent (procedure step 5): health endpoints, database connection,
 * external dependencies, TLS certificate and DNS propagation, one after another with progress.
 */
export function createPostDeployRunner(options: PostDeployRunnerOptions = {}): CheckRunner {
  const decrypt = options.decrypt ?? ((stored: string) => decryptSecret(stored));
  const now = options.now ?? (() => Date.now());
  return {
    async run(ctx: CheckContext): Promise<CheckResult> {
      if (ctx.config === undefined || ctx.config === null) return notConfiguredRunner.run(ctx);
      const parsed = ZPostDeployConfig.safeParse(ctx.config);
      if (!parsed.success) {
        const why = z.prettifyError(parsed.error);
        await ctx.log(`Invalid post-deploy-health configuration:\n${why}`);
        await ctx.progress(100);
        return { status: "error", summary: `Invalid configuration: ${why.replace(/\s*\n\s*/g, "; ")}`, findings: [] };
      }
      const probes = probesFor(parsed.data, decrypt);
      if (probes.length === 0) return notConfiguredRunner.run(ctx);

      const io: ProbeIo = { signal: ctx.signal, log: ctx.log, now };
      const findings: CheckFinding[] = [];
      const couldNotRun: string[] = [];
      await ctx.log(`Running ${probes.length} post-deploy check(s) on ${ctx.service} ${ctx.targetVersion} in ${ctx.environment}`);
      await ctx.progress(0);
      for (const [i, probe] of probes.entries()) {
        ctx.signal.throwIfAborted();
        try {
          findings.push(...(await probe.run(io)).map((f) => ({ check: probe.label, ...f })));
        } catch (e) {
          if (ctx.signal.aborted) throw e;
          // Raw messages may quote configuration (a DSN); only our own CannotRunError text is shown.
          const why = e instanceof CannotRunError ? e.message : `${probe.label} check failed unexpectedly (${errorCode(e)})`;
          couldNotRun.push(why);
          await ctx.log(`Could not run the ${probe.label} check: ${why}`);
        }
        await ctx.progress(((i + 1) / probes.length) * 100);
      }
      const result = summarise(probes.length, findings, couldNotRun);
      await ctx.log(`Post-deploy health ${result.status}: ${result.summary}`);
      return result;
    },
  };
}


/** The post-deploy-health runner of the running server. */
export const postDeployRunner: CheckRunner = createPostDeployRunner();
