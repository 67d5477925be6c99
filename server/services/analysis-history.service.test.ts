import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../auth/session.ts";
import { disconnectDb } from "../db/client.ts";
import { json, route } from "../http/route.ts";
import { makeEngine, makeService, makeUser, runInput } from "../testing/harness.ts";
import { getAnalysisHistory } from "./analysis-history.ts";
import { createRun } from "./runs.ts";
import { ZAnalysisHistoryQuery } from "./schemas.ts";

const h = makeEngine(inject("databaseUrl"));
let rm: SessionUser;

beforeAll(async () => {
  rm = await makeUser(h.db, "release_manager");
});
afterAll(async () => {
  await disconnectDb();
});

const START = Date.parse("2026-12-04T06:39:00Z");

/** The error-rate test as analysis-loop.ts stores it (Infinity already written as null). */
function errorRate(n: number, k: number, verdict: string) {
  return {
    method: "e-process",
    trigger: "error-rate",
    level: "rollback",
    verdict,
    n,
    k,
    p0: 0.01,
    observedRate: n > 0 ? k / n : null,
    baselineFigure: 0.002,
    logE: verdict === "rollback" ? 7 : 0,
    logThreshold: Math.log(500),
    alpha: 0.002,
    minSamples: 460,
    window: n > 0 ? { since: START, n, k } : null,
    upperBound: n > 0 ? 0.5 : null,
    promoteAlpha: 0.002,
    requestsToPromote: null,
    message: `Canary errors ${k} of ${n}`,
  };
}

async function newRun(): Promise<string> {
  const svc = await makeService(h.db);
  const { id } = await createRun({ db: h.db, engine: h.engine, globalHoldScale: 1, now: Date.now() }, rm, runInput(svc.id, { targetVersion: "2.0.0" }));
  return id;
}

/** What the route answers for this query: the same parse and error mapping as app/api/runs/[id]/analysis. */
function answer(runId: string, params: Record<string, string>): Promise<Response> {
  return route(async () => json(await getAnalysisHistory(h.db, runId, ZAnalysisHistoryQuery.parse(params))))();
}

describe("a step's analysis history", () => {
  it("sends a half-hour step as at most 300 points per test, with the rollback moment and a lower bound above the 1% threshold", async () => {
    const runId = await newRun();
    // Step 0: a few clean evaluations. Step 1: 1,800 one-per-second evaluations, errors from 06:40:12.
    await h.db.analysisEvaluation.createMany({
      data: [0, 1, 2].map((i) => ({ runId, stepIndex: 0, at: new Date(START - 60_000 + i * 1_000), verdict: "insufficient", summary: "", requestsNeeded: 400, evaluations: [errorRate(10 * i, 0, "insufficient")] })),
    });
    const rollbackAt = 72;
    await h.db.analysisEvaluation.createMany({
      data: Array.from({ length: 1_800 }, (_, i) => {
        const n = 10 * (i + 1);
        const k = i < rollbackAt ? 0 : 5 * (i - rollbackAt + 1);
        const verdict = i < rollbackAt ? "insufficient" : "rollback";
        return { runId, stepIndex: 1, at: new Date(START + i * 1_000), verdict, summary: "", requestsNeeded: 0, evaluations: [errorRate(n, k, verdict)], ...(i === 0 ? { stepStartedAt: new Date(START) } : {}) };
      }),
    });

    const history = await getAnalysisHistory(h.db, runId, {});
    expect(history).toMatchObject({ stepIndex: 1, steps: [0, 1], stepStartedAt: START, stored: 1_800 });
    const [errors] = history.series;
    expect(errors?.trigger).toBe("error-rate");
    const points = errors?.points ?? [];
    expect(points.length).toBeLessThanOrEqual(300);
    expect(points[0]?.at).toBe(START);
    expect(points.at(-1)?.at).toBe(START + 1_799_000);
    // The moment it rolled back (06:40:12) is on the chart, not thinned away.
    const fired = points.find((p) => p.verdict === "rollback");
    expect(fired?.at).toBe(START + rollbackAt * 1_000);
    // By the end half the new requests fail: the band's low edge is well above the 1% threshold.
    expect(points.at(-1)?.lowerBound).toBeGreaterThan(0.2);
    expect(points[0]?.lowerBound).toBe(0);

    const earlier = await getAnalysisHistory(h.db, runId, { step: 0 });
    expect(earlier.series[0]?.points.map((p) => p.n)).toEqual([0, 10, 20]);
  });

  it("answers an unevaluated run with no series, a bad step with 400 and the reason, and an unknown run with 404", async () => {
    const runId = await newRun();
    expect(await getAnalysisHistory(h.db, runId, {})).toEqual({ stepIndex: null, steps: [], stepStartedAt: null, stored: 0, series: [] });

    const bad = await answer(runId, { step: "first" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "Invalid request", fieldErrors: { step: [expect.stringContaining("step must be a step number")] } });
    expect((await answer(runId, { step: "-1" })).status).toBe(400);
    expect((await answer(runId, { step: "1.5" })).status).toBe(400);

    const unknown = await answer(randomUUID(), { step: "0" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: "No such run." });
  });
});
