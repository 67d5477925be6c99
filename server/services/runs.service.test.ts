import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../auth/session.ts";
import { disconnectDb } from "../db/client.ts";
import { makeEngine, makeService, makeUser, runInput } from "../testing/harness.ts";
import { createRun } from "./runs.ts";

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
