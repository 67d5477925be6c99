import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../auth/session.ts";
import { writeAudit } from "../db/audit-log.ts";
import { disconnectDb } from "../db/client.ts";
import { toPublicError } from "../errors.ts";
import { eventually, makeEngine, makeService, makeUser, runInput, startRun } from "../testing/harness.ts";
import { endRehearsal } from "./demo.ts";
import { createRun } from "./runs.ts";

// The demo's rehearsal (the canary `npm start` shows) makes way for a real release there; a
// person's run in progress is never ended this way.
const h = makeEngine(inject("databaseUrl"));
let rm: SessionUser;

beforeAll(async () => {
  rm = await makeUser(h.db, "release_manager");
  h.engine.start();
});
afterAll(async () => {
  await h.engine.stop();
  await disconnectDb();
});

const statusOf = async (id: string) => (await h.db.releaseRun.findUniqueOrThrow({ where: { id } })).status;

describe("the demo's rehearsal", () => {
  it("ends when someone asks for a release where it runs, and their run starts", async () => {
    const svc = await makeService(h.db);
    const rehearsal = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    await writeAudit(h.db, { actor: { id: "system:demo", name: "Flightdeck demo", role: "system" }, action: "demo.rehearsal", runId: rehearsal.id, summary: "rehearsal" });
    const deps = { db: h.db, engine: h.engine, globalHoldScale: 1, now: Date.now(), yieldRehearsal: () => endRehearsal(h.db, h.engine, svc.id, rm.name) };
    const run = await createRun(deps, rm, runInput(svc.id, { environment: "staging", risk: "low", targetVersion: "1.2.0" }));
    expect(await statusOf(rehearsal.id)).toBe("aborted");
    const decided = await h.db.auditEvent.findFirst({ where: { runId: rehearsal.id, action: "run.abort" } });
    expect(decided?.summary ?? (await h.db.releaseRun.findUniqueOrThrow({ where: { id: rehearsal.id } })).outcomeReason).toMatch(/makes way for a release requested by/);
    await eventually(async () => (await statusOf(run.id)) !== "aborted");
  });

  it("leaves a person's run alone: the request is refused as busy", async () => {
    const svc = await makeService(h.db);
    const theirs = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    const deps = { db: h.db, engine: h.engine, globalHoldScale: 1, now: Date.now(), yieldRehearsal: () => endRehearsal(h.db, h.engine, svc.id, rm.name) };
    const refused = await createRun(deps, rm, runInput(svc.id, { environment: "staging", risk: "low", targetVersion: "1.2.0" })).catch((e: unknown) => e);
    expect(toPublicError(refused).status).toBe(409);
    expect(await statusOf(theirs.id)).not.toBe("aborted");
  });
});
