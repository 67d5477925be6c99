import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../auth/session.ts";
import { notCheckedMessage, SUB_CHECK } from "../core/success-criteria.ts";
import type { RunState } from "../core/types.ts";
import { disconnectDb } from "../db/client.ts";
import { makeEngine, makeService, makeUser, runInput } from "../testing/harness.ts";
import { writeAudit } from "../db/audit-log.ts";
import { runCriteria } from "./criteria.ts";
import { createRun, getRunView } from "./runs.ts";

const h = makeEngine(inject("databaseUrl"));
let rm: SessionUser;

beforeAll(async () => {
  rm = await makeUser(h.db, "release_manager");
});
afterAll(async () => {
  await disconnectDb();
});

describe("creating runs", () => {
  it("two releases started at once on one environment: one run, the other refused with the run it collides with", async () => {
    const svc = await makeService(h.db);
    // Staging the versions takes a while (the demo fleet restarts processes): both pass the first check.
    const prepare = () => new Promise<void>((resolve) => setTimeout(resolve, 200));
    const deps = { db: h.db, engine: h.engine, globalHoldScale: 1, now: Date.now(), prepare };
    const results = await Promise.allSettled([createRun(deps, rm, runInput(svc.id, { targetVersion: "1.1.0" })), createRun(deps, rm, runInput(svc.id, { targetVersion: "1.2.0" }))]);
    const created = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(created).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.reason).toMatchObject({ code: "CONFLICT", userMessage: expect.stringMatching(/^Run #\d+ is still in progress for /) });
    expect(await h.db.releaseRun.count({ where: { serviceId: svc.id } })).toBe(1);
  });
});

describe("the run view", () => {
  it("says the same success criteria as the release record reads for itself: findings, notifications and record versions", async () => {
    const svc = await makeService(h.db);
    const deps = { db: h.db, engine: h.engine, globalHoldScale: 1, now: Date.now() };
    const { id } = await createRun(deps, rm, runInput(svc.id, { targetVersion: "3.0.0" }));
    const task = await h.db.agentTask.findFirstOrThrow({ where: { runId: id, agent: "qa-test-engineer" } });
    await h.db.finding.create({ data: { runId: id, taskId: task.id, severity: "info", check: SUB_CHECK.tests, message: notCheckedMessage(SUB_CHECK.tests) } });
    await h.db.$transaction((tx) => writeAudit(tx, { actor: rm, action: "run.notify", runId: id, summary: "Notified #releases (webhook)" }));
    await h.db.releaseRecord.create({ data: { runId: id, version: 1, markdown: "# record" } });

    const view = await getRunView(h.db, id, Date.now());
    const run = await h.db.releaseRun.findUniqueOrThrow({ where: { id }, include: { service: true } });
    const expected = await runCriteria(h.db, { id, state: run.state as unknown as RunState, runbook: run.service.runbook });
    expect(view?.criteria).toEqual(expected);
    expect(view?.criteria.find((c) => c.id === "tests")).toMatchObject({ status: "missing", detail: "No test run or report is configured for qa-test-engineer" });
    expect(view?.criteria.find((c) => c.id === "notified")).toMatchObject({ status: "met", detail: "1 notification delivered, latest: Notified #releases (webhook)" });
    expect(view?.criteria.find((c) => c.id === "documentation")?.detail).toContain("release record written (1 version)");
  });

  it("a link with an unknown or malformed run id finds no run (the page's 404), and changes nothing", async () => {
    const before = await h.db.releaseRun.count();
    expect(await getRunView(h.db, "not-a-run-id", Date.now())).toBeNull();
    expect(await getRunView(h.db, "00000000-0000-4000-8000-000000000000", Date.now())).toBeNull();
    expect(await h.db.releaseRun.count()).toBe(before);
  });
});
