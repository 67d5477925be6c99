import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startDemoFleet } from "../../demo/fleet.ts";
import type { RouterRegistry } from "../adapters/routers/registry.ts";
import type { DemoControl } from "../context.ts";
import { DEFAULT_HOLD_SCALE } from "../core/strategy.ts";
import type { Db } from "../db/client.ts";
import { activeRunVersions, activeRunWithState, countActiveRuns, runStatusOf } from "../db/run-repository.ts";
import { writeAudit } from "../db/audit-log.ts";
import { possibleCommands } from "../core/command-states.ts";
import { TERMINAL_STATUSES } from "../core/types.ts";
import type { Engine } from "../engine/engine.ts";
import type { ForwardingSink } from "../metrics/metrics-forwarder.ts";
import type { ObservationSink } from "../metrics/types.ts";
import { ACTIVE_STATUSES, createRun, runCommand, type RunTarget } from "./runs.ts";
import { PrometheusGaugeScraper, type ResourceLimits } from "../adapters/metrics/prometheus-gauges.ts";
import { parseLimits } from "../db/environment-config-schema.ts";
import { DEMO_REGION_ENVIRONMENT, demoRegionPorts, seedDemoRegions, startDemoRegions } from "./demo-regions.ts";
import { CHECKOUT_FLAG } from "../../demo/checkout-flag.ts";
import type { FlagSample } from "../../demo/sample-app.ts";
import type { TFaultInput } from "../../demo/fault.ts";

/** The demo versions' default resource limits: memory growth crosses 256 MB within a minute or two. */
const DEMO_LIMITS: ResourceLimits = { memoryBytes: 256 * 1024 * 1024, cpuCores: 1 };

/** The limits set for the environment in Settings, each falling back to the demo's default. */
export function resourceLimits(stored: unknown, defaults: ResourceLimits = DEMO_LIMITS): ResourceLimits {
  const limits = parseLimits(stored);
  return {
    memoryBytes: limits.memoryMb !== undefined ? limits.memoryMb * 1024 * 1024 : defaults.memoryBytes,
    cpuCores: limits.cpuCores ?? defaults.cpuCores,
  };
}

/** The demo fleet's service: staging runs on the built-in router in front of real processes. */
export const DEMO_SERVICE = "storefront";
/** Who ends the demo's rehearsal in the audit trail and the run's decisions. */
const DEMO_ACTOR = { id: "system:demo", name: "Flightdeck demo", email: "demo@flightdeck.invalid", role: "admin" as const };
/** Longest a release request waits for the rehearsal to finish rolling back before it is refused as busy. */
const REHEARSAL_YIELD_MS = 60_000;
const DEMO_ENVIRONMENT = "staging";

const RUNBOOK = `### Runbook — storefront (demo)
1. The run page shows baseline and canary side by side: error rate, p50/p95/p99.
2. Inject a fault into the canary (Fault injection panel) to watch the analysis roll it back.
3. Every verdict lists its numbers under "Live metrics".`;

/** The demo service's release material, one folder per version (demo/releases/README.md). */
export const DEMO_RELEASES = fileURLToPath(new URL("../../demo/releases/storefront", import.meta.url));

/** Versions with release material, oldest first. */
export function demoReleaseVersions(dir: string = DEMO_RELEASES): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^\d+\.\d+\.\d+$/.test(e.name))
    .map((e) => e.name)
    .sort(compareVersions);
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * The staging checks of the demo service: every agent on the release folder of the run's
 * versions ({targetVersion}, {baselineVersion}) and on the canary process itself ({canaryUrl}).
 * TLS ends in front of the fleet in this set-up (it is plain http on loopback), as the security
 * agent is told.
 */
export function demoChecks(dir: string = DEMO_RELEASES): Record<string, unknown> {
  const target = `${dir}/{targetVersion}`;
  const baseline = `${dir}/{baselineVersion}`;
  return {
    "qa-test-engineer": {
      workspace: `${target}/workspace`,
      testCommand: { command: "sh", args: ["run-tests.sh"], timeoutMs: 120_000 },
      junitPaths: ["reports/junit.xml"],
      coverage: { lcovPath: "reports/lcov.info", criticalPaths: ["src/payment.mjs", "src/cart.mjs"], thresholdPct: 80 },
      openapi: { previousPath: `${baseline}/openapi.yaml`, currentPath: "api/openapi.yaml" },
      chaosCommand: { command: "sh", args: ["resilience.sh"], timeoutMs: 30_000 },
    },
    "security-audit-specialist": {
      reports: { npmAudit: [`${target}/security/npm-audit.json`], sarif: [`${target}/security/semgrep.sarif`], cyclonedx: [`${target}/security/sbom.cdx.json`] },
      workspace: `${target}/workspace`,
      urls: ["{canaryUrl}/"],
      tlsTerminatedUpstream: true,
      compliance: { evidenceDir: `${target}/compliance` },
    },
    "devops-engineer": {
      manifestPaths: [`${target}/k8s`],
      alertRulePaths: [`${target}/alerts`],
      rollbackTarget: { url: "{baselineUrl}/healthz", expectStatus: 200 },
      featureFlags: { path: `${target}/flags.json`, required: ["inventory-fallback", "promo-codes"] },
    },
    "systems-engineer": {
      loadTest: { url: "{canaryUrl}/api/checkout", connections: 4, durationSeconds: 5, sla: { p95Ms: 150, p99Ms: 300, maxErrorRate: 0.01 } },
      memory: { metricsUrl: "{canaryUrl}/metrics", maxGrowthMb: 96 },
      bundle: { dir: `${target}/dist`, budgets: { totalGzipKb: 150, maxFileGzipKb: 100 } },
      databasePool: { settingsPath: `${target}/db-pool.json`, replicas: 3, maxConnections: 100, reservedConnections: 3 },
    },
    "accessibility-expert": { pages: [{ url: "{canaryUrl}/", name: "Storefront checkout" }] },
    "post-deploy-health": {
      endpoints: [{ url: "{canaryUrl}/healthz", expectStatus: 200, bodyContains: "ok" }],
      dependencies: [{ name: "baseline (rollback target)", url: "{baselineUrl}/healthz", expectStatus: 200 }],
    },
    "code-architect": { configFiles: { baseline: `${baseline}/config.json`, target: `${target}/config.json` }, releaseNotes: `${target}/RELEASE_NOTES.md` },
  };
}

/**
 * The next version with release material after `current` (2.3.0 → 2.3.1, then the defective
 * 2.4.0, whose checks block), so the demo's canary always has everything to check.
 */
export function nextDemoVersion(current: string, versions: string[] = demoReleaseVersions()): string {
  return versions.find((v) => compareVersions(v, current) > 0) ?? nextPatch(current);
}

/** The demo service and its environments (idempotent). */
export async function seedDemoFleetService(db: Db): Promise<void> {
  if (await db.service.findUnique({ where: { slug: DEMO_SERVICE } })) return;
  await db.service.create({
    data: {
      slug: DEMO_SERVICE,
      name: "Storefront (demo fleet)",
      description: "Sample service run by Flightdeck as two real processes behind its built-in router",
      currentVersion: "2.3.0",
      runbook: RUNBOOK,
      environments: {
        create: [
          { name: "staging", holdScale: DEFAULT_HOLD_SCALE.staging, router: "builtin", checks: demoChecks() as object },
          { name: "production", holdScale: DEFAULT_HOLD_SCALE.production, router: "manual" },
        ],
      },
    },
  });
}

/** The storefront's checkout flag (issue 15): off (the classic checkout) until a flag run turns it on. */
export const DEMO_FLAG = {
  key: CHECKOUT_FLAG,
  description: "The new one-page checkout",
  variants: [
    { name: "off", value: false },
    { name: "on", value: true },
  ],
  defaultVariant: "off",
} as const;

/**
 * Gives the demo service's staging and production the `new-checkout` flag its storefront reads,
 * unless they have it (an admin's edits are kept). A flag an admin deleted comes back at the next
 * start: the demo's storefront reads it.
 */
export async function seedDemoFlags(db: Db, serviceId: string): Promise<void> {
  const envs = await db.environment.findMany({ where: { serviceId, name: { in: [DEMO_ENVIRONMENT, DEMO_REGION_ENVIRONMENT] } }, select: { id: true } });
  await db.featureFlag.createMany({
    data: envs.map((e) => ({ environmentId: e.id, key: DEMO_FLAG.key, description: DEMO_FLAG.description, variants: DEMO_FLAG.variants.map((v) => ({ ...v })), defaultVariant: DEMO_FLAG.defaultVariant, revision: 1 })),
    skipDuplicates: true,
  });
}

/**
 * Feeds the storefront's requests to the environment's flag run, when one is under way: users
 * served the run's new variant are its canary, everyone else its baseline (the metrics API's
 * `variant` rule). The run is found by environment, not from the OFREP answer: at its last step
 * the flag router makes the new variant the default, and answers no longer name the run.
 */
export function flagSampleFeed(db: Db, sink: ObservationSink, environmentId: string, refreshMs = 1_000): (samples: FlagSample[]) => void {
  let cached: { at: number; run: Promise<{ id: string; variant: string } | null> } | null = null;
  const flagRun = () => {
    if (!cached || Date.now() - cached.at > refreshMs) {
      const run = activeRunWithState(db, environmentId, ACTIVE_STATUSES).then(
        (r) => (r?.state.params.flag ? { id: r.id, variant: r.state.params.flag.variant } : null),
        () => null, // database briefly away: these samples are dropped, the next batch asks again
      );
      cached = { at: Date.now(), run };
    }
    return cached.run;
  };
  return (samples) => {
    void flagRun().then((run) => {
      if (!run) return;
      for (const s of samples) sink.observeRequest({ runId: run.id, side: s.variant === run.variant ? "canary" : "baseline", status: s.status, latencyMs: s.latencyMs });
    });
  };
}

/** The release's site (home page and headers) the demo process serves, when the version has one. */
function demoSiteDir(version: string): string | undefined {
  const dir = `${DEMO_RELEASES}/${version}/site`;
  return existsSync(dir) ? dir : undefined;
}

/** "2.3.0" → "2.3.1"; anything else gets "-next". */
export function nextPatch(version: string): string {
  const m = /^(v?)(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return m ? `${m[1]}${m[2]}.${m[3]}.${Number(m[4]) + 1}` : `${version}-next`;
}

/**
 * Starts the demo fleet (baseline and canary processes, built-in router, steady traffic),
 * registers its router, and starts a staging canary of the next version unless one is active.
 * `stop` ends the fleet with its limits sweeper and gauge scraper.
 */
export async function startDemo(deps: {
  db: Db;
  engine: Engine;
  /** where the fleet's requests and gauges go: the aggregator, or (several instances) the forwarder's sink */
  aggregator: ForwardingSink;
  registry: RouterRegistry;
  globalHoldScale: number;
  rps: number;
  routerPort: number;
  /** the production regions' router ports (FLIGHTDECK_DEMO_REGION_PORTS); default the ports after `routerPort` */
  regionPorts?: number[];
  /** Flightdeck's own origin on loopback (http://127.0.0.1:3000): the storefront reads its flag over OFREP there; absent: no flag */
  flagsOrigin?: string;
  /** start a staging canary of the next release unless one is active; default true */
  autoRun?: boolean;
  now: () => number;
}): Promise<{ control: DemoControl; url: string; stop: () => Promise<void> }> {
  const { db } = deps;
  const service = await db.service.findUniqueOrThrow({ where: { slug: DEMO_SERVICE } });
  const environment = await db.environment.findFirst({ where: { serviceId: service.id, name: DEMO_ENVIRONMENT }, select: { limits: true } });
  const active = await activeRunVersions(db, service.id, DEMO_ENVIRONMENT, ACTIVE_STATUSES);
  const baselineVersion = active?.baselineVersion ?? service.currentVersion;
  const canaryVersion = active?.targetVersion ?? nextDemoVersion(service.currentVersion);
  await seedDemoRegions(db, service.id);
  await seedDemoFlags(db, service.id);
  const environmentIds = new Map((await db.environment.findMany({ where: { serviceId: service.id }, select: { id: true, name: true } })).map((e) => [e.name, e.id]));
  const feedOf = (environment: string) => flagSampleFeed(db, deps.aggregator, environmentIds.get(environment) ?? "");
  const flagsUrl = (environment: string) => (deps.flagsOrigin ? `${deps.flagsOrigin}/api/flags/${DEMO_SERVICE}/${environment}` : undefined);
  const activeProduction = await activeRunVersions(db, service.id, DEMO_REGION_ENVIRONMENT, ACTIVE_STATUSES);
  // Staging and the two production regions start in parallel; each region gets half the traffic.
  const [fleet, regions] = await Promise.all([
    startDemoFleet({ baselineVersion, canaryVersion, routerPort: deps.routerPort, rps: deps.rps, sink: deps.aggregator, siteDirFor: demoSiteDir, flagsUrl: flagsUrl(DEMO_ENVIRONMENT), onFlagSamples: feedOf(DEMO_ENVIRONMENT) }),
    startDemoRegions({
      service: DEMO_SERVICE,
      registry: deps.registry,
      sink: deps.aggregator,
      baselineVersion: activeProduction?.baselineVersion ?? service.currentVersion,
      canaryVersion: activeProduction?.targetVersion ?? nextDemoVersion(service.currentVersion),
      ports: demoRegionPorts(deps.routerPort, deps.regionPorts),
      rps: Math.round(deps.rps / 2),
      siteDirFor: demoSiteDir,
      flagsUrl: flagsUrl(DEMO_REGION_ENVIRONMENT),
      onFlagSamples: feedOf(DEMO_REGION_ENVIRONMENT),
    }),
  ]);
  // A database from before the agents had demo checks gets the demo's; not one where an admin
  // has saved the checks since (even saving none is a choice to keep).
  const chosen = await db.auditEvent.count({ where: { action: "environment.checks", detail: { path: ["serviceId"], equals: service.id } } });
  if (chosen === 0) await db.environment.updateMany({ where: { serviceId: service.id, name: DEMO_ENVIRONMENT, checks: { equals: {} } }, data: { checks: demoChecks() as object } });
  deps.registry.register(DEMO_SERVICE, DEMO_ENVIRONMENT, "builtin", fleet.router, { baselineUrl: fleet.services.baseline.url, canaryUrl: fleet.services.canary.url });

  if (!active && deps.autoRun !== false) {
    const admin = await db.user.findFirst({ where: { role: "admin" }, orderBy: { createdAt: "asc" } });
    if (admin) {
      const run = await createRun(
        { db, engine: deps.engine, globalHoldScale: deps.globalHoldScale, now: deps.now() },
        { id: admin.id, name: admin.name, email: admin.email, role: "admin" },
        { serviceId: service.id, environment: DEMO_ENVIRONMENT, targetVersion: canaryVersion, strategy: "canary", risk: "low", compliance: "none" },
      );
      // Marked in the audit trail (it survives restarts): the rehearsal yields to a real release.
      await writeAudit(db, {
        actor: DEMO_ACTOR,
        action: "demo.rehearsal",
        runId: run.id,
        summary: `Run #${run.number} is the demo's rehearsal of ${DEMO_SERVICE} ${canaryVersion}: it makes way for any release requested for ${DEMO_SERVICE} in ${DEMO_ENVIRONMENT}`,
      });
    }
  }
  // A fault is for one rehearsal: once no run is rolling out on the fleet, clear it, so the next
  // canary starts healthy.
  // The gauge scraper reads `limits` at every scrape; the sweeper refreshes it from Settings.
  const limits = resourceLimits(environment?.limits);
  const sweeper = setInterval(() => {
    void db.environment
      .findFirst({ where: { serviceId: service.id, name: DEMO_ENVIRONMENT }, select: { limits: true } })
      .then((row) => Object.assign(limits, resourceLimits(row?.limits)))
      .catch(() => {});
    void countActiveRuns(db, service.id, DEMO_ENVIRONMENT, ACTIVE_STATUSES)
      .then(async (activeRuns) => {
        if (activeRuns === 0) await Promise.all([fleet.clearFault("canary"), fleet.clearFault("baseline")]);
      })
      .catch(() => {}); // database or fleet briefly unavailable: try again next time
    void countActiveRuns(db, service.id, DEMO_REGION_ENVIRONMENT, ACTIVE_STATUSES)
      .then(async (activeRuns) => {
        if (activeRuns === 0) await Promise.all([...regions.fleets.values()].flatMap((f) => [f.clearFault("canary"), f.clearFault("baseline")]));
      })
      .catch(() => {});
  }, 5_000);
  sweeper.unref();
  // CPU and memory of both versions, from their Prometheus endpoints, for the gauge triggers.
  const gauges = new PrometheusGaugeScraper({
    targets: { baseline: `${fleet.services.baseline.url}/metrics`, canary: `${fleet.services.canary.url}/metrics` },
    limits,
    intervalMs: 2_000,
    clock: deps.now,
    onSample: (sample) => {
      const runId = fleet.router.state().runId;
      if (runId) deps.aggregator.observeGauge(runId, sample.side, sample.resource, sample.percentOfLimit);
    },
  });
  gauges.start();
  const control: DemoControl = {
    service: DEMO_SERVICE,
    environment: DEMO_ENVIRONMENT,
    regions: [...regions.fleets.keys()],
    setFault: async (side, fault: TFaultInput, region) => {
      if (region) await regions.setFault(region, side, fault);
      // A flag variant's fault (issue 15) follows its users, who are on both versions' processes.
      else if (fault.variant) await Promise.all([fleet.setFault("baseline", fault), fleet.setFault("canary", fault)]);
      else await fleet.setFault(side, fault);
    },
    prepare: async (target: RunTarget) => {
      if (target.service === DEMO_SERVICE && target.environment === DEMO_REGION_ENVIRONMENT) return regions.playVersions(target.baselineVersion, target.targetVersion);
      if (target.service !== DEMO_SERVICE || target.environment !== DEMO_ENVIRONMENT) return;
      await Promise.all([fleet.playVersion("baseline", target.baselineVersion), fleet.playVersion("canary", target.targetVersion)]);
    },
    yieldRehearsal: async (where, requestedBy) => {
      if (where.service !== DEMO_SERVICE || where.environment !== DEMO_ENVIRONMENT) return;
      await endRehearsal(db, deps.engine, service.id, requestedBy);
    },
  };
  const stop = async () => {
    clearInterval(sweeper);
    gauges.stop();
    await Promise.all([fleet.stop(), regions.stop()]);
  };
  return { control, url: fleet.url, stop };
}

/**
 * `npm start` shows a canary on first start by releasing the demo's next version itself (the
 * rehearsal). When someone asks for a real release of the demo service there — from New run, the
 * API or the CLI — the rehearsal makes way instead of refusing them as busy: it is aborted before
 * traffic moved, else rolled back (the built-in router reverts at once), and the request waits
 * until it has ended. Only a run the demo marked as its rehearsal is ever ended this way.
 */
export async function endRehearsal(db: Db, engine: Engine, serviceId: string, requestedBy: string): Promise<void> {
  const env = await db.environment.findFirst({ where: { serviceId, name: DEMO_ENVIRONMENT }, select: { id: true } });
  if (!env) return;
  const active = await activeRunWithState(db, env.id, ACTIVE_STATUSES);
  if (!active) return;
  const marked = await db.auditEvent.count({ where: { runId: active.id, action: "demo.rehearsal" } });
  if (marked === 0) return;
  const possible = possibleCommands(active.state);
  const kind = possible.includes("abort") ? "abort" : possible.includes("rollback") ? "rollback" : null;
  const reason = `The demo's rehearsal makes way for a release requested by ${requestedBy}`;
  if (kind) await runCommand(engine, DEMO_ACTOR, { kind, runId: active.id, reason }).catch(() => {}); // already ending: wait below
  const until = Date.now() + REHEARSAL_YIELD_MS;
  while (Date.now() < until) {
    const status = await runStatusOf(db, active.id);
    if (status === null || (TERMINAL_STATUSES as readonly string[]).includes(status)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}
