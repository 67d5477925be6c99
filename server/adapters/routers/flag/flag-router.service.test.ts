import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../../../auth/session.ts";
import { disconnectDb } from "../../../db/client.ts";
import { evaluateFlag } from "../../../core/flags.ts";
import { loadEnvironmentFlags } from "../../../services/flags.ts";
import { makeEngine, makeService, makeUser, runInput, startRun } from "../../../testing/harness.ts";
import { FlagRouter } from "./flag-router.ts";

const h = makeEngine(inject("databaseUrl"));
let rm: SessionUser;
beforeAll(async () => {
  rm = await makeUser(h.db, "release_manager");
});
afterAll(async () => {
  await disconnectDb();
});

describe("the flag router", () => {
  it("moves the flag's rollout with the run's weight: 5%, 50%, a rollback to the old default, and 100% making the variant the default", async () => {
    const svc = await makeService(h.db);
    const env = svc.environments.find((e) => e.name === "staging");
    if (!env) throw new Error("no staging");
    await h.db.featureFlag.create({ data: { environmentId: env.id, key: "new-checkout", variants: [{ name: "off", value: false }, { name: "on", value: true }], defaultVariant: "off" } });
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging" }));
    // The run row as a flag run will store it (createRun's flag field is not built yet).
    await h.db.releaseRun.update({ where: { id: run.id }, data: { kind: "flag", flagKey: "new-checkout", flagVariant: "on", flagBaselineVariant: "off" } });

    const router = new FlagRouter(h.db);
    const target = { runId: run.id, service: svc.slug, environment: "staging" as const, baseline: "1.0.0", canary: "1.0.0" };
    const variantOf = async (user: string) => {
      const flags = await loadEnvironmentFlags(h.db, svc.slug, "staging");
      const r = evaluateFlag(flags.flags?.get("new-checkout") ?? null, "new-checkout", { targetingKey: user });
      return r.ok ? r.body.variant : r.body.errorCode;
    };
    const users = Array.from({ length: 200 }, (_, i) => `u${i}`);
    const share = async () => (await Promise.all(users.map(variantOf))).filter((v) => v === "on").length / users.length;

    await router.setWeight(target, 5);
    expect(await router.verifyWeight(target, 5)).toBe(true);
    expect(await share()).toBeLessThan(0.15);
    await router.setWeight(target, 50);
    expect(await router.servedWeight(target)).toEqual({ runId: run.id, percent: 50 });
    expect(await share()).toBeGreaterThan(0.35);
    await router.setWeight(target, 0);
    expect(await router.verifyWeight(target, 0)).toBe(true);
    expect(await share()).toBe(0);
    await router.setWeight(target, 100);
    expect(await router.verifyWeight(target, 100)).toBe(true);
    expect(await h.db.featureFlag.findFirst({ where: { environmentId: env.id, key: "new-checkout" } })).toMatchObject({ defaultVariant: "on", rolloutVariant: null, rolloutPercent: 0 });
    expect(await share()).toBe(1);
    // A rollback after the release step restores the old default.
    await router.setWeight(target, 0);
    expect(await share()).toBe(0);
  });
});
