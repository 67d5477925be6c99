import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../auth/session.ts";
import { disconnectDb } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { makeEngine, makeService, makeUser, runInput, startRun } from "../testing/harness.ts";
import { MetricsAggregator } from "../metrics/aggregator.ts";
import { toApiRun, findApiRunRow } from "./api-runs.ts";
import { applyMetricsBatch, validateMetricsBatch } from "./ingest.ts";
import { flagsForNewRun } from "./flag-runs.ts";

// Issue 15: a run may roll out a feature flag's new variant instead of a version. Creating one is
// checked against the environment's flags before anything is written.
const h = makeEngine(inject("databaseUrl"));
let rm: SessionUser;
beforeAll(async () => {
  rm = await makeUser(h.db, "release_manager");
});
afterAll(async () => {
  await disconnectDb();
});

async function serviceWithFlag() {
  const svc = await makeService(h.db);
  const production = svc.environments.find((e) => e.name === "production");
  if (!production) throw new Error("no production");
  await h.db.featureFlag.create({ data: { environmentId: production.id, key: "new-checkout", variants: [{ name: "off", value: false }, { name: "on", value: true }, { name: "beta", value: true }], defaultVariant: "off" } });
  return svc;
}

const flagRun = (serviceId: string, key: string, variant: string) => runInput(serviceId, { kind: "flag", flag: { key, variant }, targetVersion: undefined });

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof AppError)) throw new Error(`expected a refusal, got ${String(e)}`);
  return e;
}

describe("creating a flag run", () => {
  it("refuses an unknown flag, an unknown variant, the current default and a second run on the flag, writing nothing", async () => {
    const svc = await serviceWithFlag();
    const runs = () => h.db.releaseRun.count({ where: { serviceId: svc.id } });

    const unknown = await refusal(startRun(h, rm, flagRun(svc.id, "new-chekout", "on")));
    expect(unknown.userMessage).toContain(`No flag new-chekout in ${svc.slug}/production`);
    expect(unknown.fieldErrors?.["flag.key"]).toEqual([`No flag new-chekout in ${svc.slug}/production`]);
    const variant = await refusal(startRun(h, rm, flagRun(svc.id, "new-checkout", "onn")));
    expect(variant.userMessage).toBe("Flag new-checkout has no variant onn (its variants: off, on, beta).");
    const same = await refusal(startRun(h, rm, flagRun(svc.id, "new-checkout", "off")));
    expect(same.userMessage).toContain("off is already what everyone gets from new-checkout");
    expect(await runs()).toBe(0);
    expect(await h.db.auditEvent.count({ where: { action: "run.create", summary: { contains: svc.slug } } })).toBe(0);

    // The first run waits at production's approval gate: still active, so the flag is taken.
    const first = await startRun(h, rm, flagRun(svc.id, "new-checkout", "on"));
    const second = await refusal(startRun(h, rm, flagRun(svc.id, "new-checkout", "beta")));
    expect(second.code).toBe("CONFLICT");
    expect(second.userMessage).toBe(`Run #${first.number} is already rolling out new-checkout in ${svc.slug}/production; finish or roll it back first.`);
    expect(await runs()).toBe(1);
  });

  it("stores the flag, the variant and the default it replaces, with flag-worded steps and labels, and the API says so", async () => {
    const svc = await serviceWithFlag();
    const run = await startRun(h, rm, flagRun(svc.id, "new-checkout", "on"));
    const row = await h.db.releaseRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(row).toMatchObject({ kind: "flag", flagKey: "new-checkout", flagVariant: "on", flagBaselineVariant: "off", targetVersion: "new-checkout → on", baselineVersion: "new-checkout → off" });
    const api = toApiRun(await findApiRunRow(h.db, run.id), "http://127.0.0.1:3000");
    expect(api).toMatchObject({ kind: "flag", flag: { key: "new-checkout", variant: "on", baselineVariant: "off" }, version: "new-checkout → on" });
    const state = (await findApiRunRow(h.db, run.id)).state;
    // Its checks examine the build in service, which serves both variants.
    expect(state.params.flag?.serviceVersion).toBe((await h.db.service.findUniqueOrThrow({ where: { id: svc.id } })).currentVersion);
    // Exactly a canary's percentages and holds, worded for users.
    expect(state.steps.map((s) => [s.percent, s.label])).toEqual([
      [5, "on for 5% of users"],
      [50, "on for 50% of users"],
      [100, "on for 100% of users"],
    ]);
    expect(state.params.router).toBe("flag");
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { runId: run.id, action: "run.create" } });
    expect(audit.summary).toContain(`${svc.slug} Flag new-checkout: off → on in production`);
    // A version run still needs its version.
    const noVersion = await refusal(startRun(h, rm, runInput(svc.id, { environment: "staging", targetVersion: undefined })));
    expect(noVersion.fieldErrors?.targetVersion).toEqual(["Enter the version to release"]);
  });
});

describe("metrics tagged with a variant", () => {
  it("count as canary for the run's new variant and baseline for any other; a version run refuses a sample with only a variant", async () => {
    const svc = await serviceWithFlag();
    const flagRunId = (await startRun(h, rm, flagRun(svc.id, "new-checkout", "on"))).id;
    const versionRunId = (await startRun(h, rm, runInput(svc.id, { environment: "staging" }))).id;
    const aggregator = new MetricsAggregator(() => Date.now());
    aggregator.startStep(flagRunId, 0);
    aggregator.startStep(versionRunId, 0);
    const req = (variant: string, status: number) => ({ type: "request" as const, variant, status, latencyMs: 30 });
    await applyMetricsBatch(h.db, aggregator, validateMetricsBatch({ runId: flagRunId, samples: [req("on", 500), req("on", 200), req("off", 200), req("beta", 200), { type: "request", side: "canary", status: 200, latencyMs: 10 }] }));
    expect(aggregator.totals(flagRunId)?.canary).toMatchObject({ requests: 3, errors: 1 });
    expect(aggregator.totals(flagRunId)?.baseline).toMatchObject({ requests: 2, errors: 0 });

    const refused = await refusal(applyMetricsBatch(h.db, aggregator, validateMetricsBatch({ runId: versionRunId, samples: [{ type: "request", side: "baseline", status: 200, latencyMs: 5 }, req("on", 200)] })));
    expect(refused.fieldErrors).toEqual({ "samples.1.variant": ["This run releases a version, not a flag: give side (baseline or canary)"] });
    expect(aggregator.totals(versionRunId)?.baseline.requests ?? 0).toBe(0);
    // Neither side nor variant: refused at the boundary with the field that is missing.
    const unplaced = await refusal(Promise.resolve().then(() => validateMetricsBatch({ runId: flagRunId, samples: [{ type: "request", side: "canary", status: 200, latencyMs: 5 }, { type: "request", status: 200, latencyMs: 5 }] })));
    expect(unplaced.fieldErrors).toEqual({ "samples.1.side": ['Give side ("baseline" or "canary") or, for a flag run, the variant served'] });
  });
});

describe("the flags New run offers", () => {
  it("lists the environment's flags with their variants, default and a rollout in progress; none for an environment without flags", async () => {
    const svc = await serviceWithFlag();
    const run = await startRun(h, rm, flagRun(svc.id, "new-checkout", "beta"));
    const production = svc.environments.find((e) => e.name === "production");
    await h.db.featureFlag.update({ where: { environmentId_key: { environmentId: production?.id ?? "", key: "new-checkout" } }, data: { rolloutRunId: run.id, rolloutVariant: "beta", rolloutPercent: 5 } });
    expect(await flagsForNewRun(h.db, svc.id, "production")).toEqual([{ key: "new-checkout", description: "", defaultVariant: "off", variants: ["off", "on", "beta"], rollout: { variant: "beta", percent: 5 } }]);
    expect(await flagsForNewRun(h.db, svc.id, "staging")).toEqual([]);
  });
});
