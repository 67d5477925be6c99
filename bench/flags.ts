import { performance } from "node:perf_hooks";
import { randomUUID } from "node:crypto";
import { OpenFeature } from "@openfeature/server-sdk";
import { OFREPProvider } from "@openfeature/ofrep-provider";
import type { Db } from "../server/db/client.ts";
import { inRollout } from "../server/core/flags.ts";
import { FlagCache, setFlagRollout } from "../server/services/flags.ts";
import { serveOfrep } from "../server/testing/ofrep-server.ts";

export type FlagsConfig = { clients: number; throughputMs: number; capSeconds: number };
export type FlagsFigures = { rollback_propagation_s: number | null; evaluations_per_s: number };

/**
 * Issue 15's flag figures. Flightdeck's OFREP handlers on a loopback HTTP server (the same code
 * the app routes mount, with the per-instance flag cache), `clients` OpenFeature server SDKs with
 * the OFREP provider, each evaluating `new-checkout` for its own user in a loop:
 * - evaluations_per_s: evaluations all clients complete per second with a 50% rollout;
 * - rollback_propagation_s: from the rollback's write (rolloutPercent 0) until every client has
 *   evaluated the old variant.
 */
export async function benchFlags(db: Db, config: FlagsConfig, log: (line: string) => void): Promise<FlagsFigures> {
  const slug = `flags-${randomUUID().slice(0, 8)}`;
  const svc = await db.service.create({
    data: { slug, name: slug, currentVersion: "1.0.0", runbook: "-", environments: { create: [{ name: "staging", holdScale: 1, router: "manual" }] } },
    include: { environments: true },
  });
  const environmentId = svc.environments[0]?.id ?? "";
  await db.featureFlag.create({ data: { environmentId, key: "new-checkout", variants: [{ name: "off", value: false }, { name: "on", value: true }], defaultVariant: "off" } });
  const runId = randomUUID();
  await setFlagRollout(db, { environmentId, key: "new-checkout" }, { runId, variant: "on", percent: 50 });

  const cache = new FlagCache(db);
  const ofrep = await serveOfrep(cache);
  const base = `${ofrep.origin}/api/flags/${slug}/staging`;

  // Users inside the 50% rollout: each client sees "on" until the rollback reaches it.
  const users: string[] = [];
  for (let i = 0; users.length < config.clients; i++) if (inRollout("new-checkout", `bench-user-${i}`, 50)) users.push(`bench-user-${i}`);
  const clients = await Promise.all(
    users.map(async (_, i) => {
      await OpenFeature.setProviderAndWait(`bench-flags-${i}`, new OFREPProvider({ baseUrl: base }));
      return OpenFeature.getClient(`bench-flags-${i}`);
    }),
  );

  let evaluations = 0;
  let rolledBackAt = Infinity;
  const sawOld: (number | null)[] = users.map(() => null);
  let stop = false;
  const loops = clients.map(async (client, i) => {
    while (!stop) {
      const started = performance.now();
      const value = await client.getBooleanValue("new-checkout", true, { targetingKey: users[i] ?? "" });
      evaluations++;
      // Only an evaluation sent after the rollback's write counts as having seen it.
      if (!value && started >= rolledBackAt && sawOld[i] === null) sawOld[i] = performance.now();
    }
  });

  try {
    await new Promise((r) => setTimeout(r, 1_000));
    const before = evaluations;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, config.throughputMs));
    const evaluationsPerS = ((evaluations - before) * 1000) / (performance.now() - t0);
    log(`flags: ${config.clients} OFREP clients, ${Math.round(evaluationsPerS)} evaluations/s`);

    rolledBackAt = performance.now();
    await setFlagRollout(db, { environmentId, key: "new-checkout" }, { runId, variant: "on", percent: 0 });
    const cap = rolledBackAt + config.capSeconds * 1000;
    while (sawOld.some((s) => s === null) && performance.now() < cap) await new Promise((r) => setTimeout(r, 10));
    const propagation = sawOld.some((s) => s === null) ? null : (Math.max(...(sawOld as number[])) - rolledBackAt) / 1000;
    log(`flags: rollback reached all ${config.clients} clients in ${propagation === null ? `more than ${config.capSeconds}` : propagation.toFixed(3)} s`);
    return { rollback_propagation_s: propagation, evaluations_per_s: evaluationsPerS };
  } finally {
    stop = true;
    await Promise.allSettled(loops);
    await OpenFeature.close();
    await ofrep.close();
  }
}
