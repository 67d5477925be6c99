import type { CheckFinding, CheckRunner } from "../../../engine/ports.ts";
import { decryptSecret } from "../../../secrets.ts";
import { runSubChecks, type SubCheck } from "../sub-checks.ts";
import { ZPostDeployConfig, type TPostDeployConfig } from "./config.ts";
import { checkDatabase, type DecryptSecret } from "./database-check.ts";
import { checkDns } from "./dns-check.ts";
import { checkDependency, checkEndpoint } from "./http-checks.ts";
import type { ProbeIo } from "./probe.ts";
import { checkTls } from "./tls-check.ts";

/** What the post-deploy-health runner needs from outside; defaults suit the running server. */
export type PostDeployRunnerOptions = {
  /** decrypts `database.dsnEncrypted`; default: secrets.ts with the session secret */
  decrypt?: DecryptSecret;
  /** epoch ms, for certificate expiry; default Date.now */
  now?: () => number;
};

type Probe = (io: ProbeIo) => Promise<CheckFinding[]>;

/**
 * One sub-check made of several probes of a kind (every endpoint, every dependency), run in turn
 * with their share of the progress bar; none configured = not configured.
 */
function probing(name: string, what: (n: number) => string, probes: Probe[]): SubCheck {
  if (probes.length === 0) return { name, run: null };
  return {
    name,
    run: async (sub) => {
      const findings: CheckFinding[] = [];
      for (const [i, probe] of probes.entries()) {
        findings.push(...(await probe(sub)));
        await sub.progress((i + 1) / probes.length);
      }
      return { findings, checked: what(probes.length) };
    },
  };
}

function subChecksFor(config: TPostDeployConfig, decrypt: DecryptSecret): SubCheck[] {
  const { database, tls, dns } = config;
  return [
    probing("endpoints", (n) => `${n} endpoint${n === 1 ? "" : "s"}`, (config.endpoints ?? []).map((endpoint) => (io: ProbeIo) => checkEndpoint(endpoint, io))),
    probing("database", () => "the database connection", database ? [(io) => checkDatabase(database, decrypt, io)] : []),
    probing("dependencies", (n) => `${n} ${n === 1 ? "dependency" : "dependencies"}`, (config.dependencies ?? []).map((dependency) => (io: ProbeIo) => checkDependency(dependency, io))),
    probing("TLS certificate", () => "the TLS certificate", tls ? [(io) => checkTls(tls, io)] : []),
    probing("DNS propagation", () => "DNS propagation", dns ? [(io) => checkDns(dns, io)] : []),
  ];
}

/**
 * The post-deploy-health agent (procedure step 5): health endpoints, database connection,
 * external dependencies, TLS certificate and DNS propagation, one after another with progress
 * (see runSubChecks for how the outcome is decided).
 */
export function createPostDeployRunner(options: PostDeployRunnerOptions = {}): CheckRunner {
  const decrypt = options.decrypt ?? ((stored: string) => decryptSecret(stored));
  const now = options.now ?? (() => Date.now());
  return { run: (ctx) => runSubChecks(ctx, { label: "post-deploy-health", schema: ZPostDeployConfig, subChecks: (config) => subChecksFor(config, decrypt) }, now) };
}

/** The post-deploy-health runner of the running server. */
export const postDeployRunner: CheckRunner = createPostDeployRunner();
