import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import type { SessionUser } from "../auth/session.ts";
import { disconnectDb } from "../db/client.ts";
import { toPublicError } from "../errors.ts";
import { makeEngine, makeService, makeUser, runInput } from "../testing/harness.ts";
import { cancelFreeze, listFreezes, scheduleFreeze } from "./change-freezes.ts";
import { createRun } from "./runs.ts";
import { listServices } from "./services-and-environments.ts";

// Freezes against the real PostgreSQL: scheduled by an admin, refusing runs, overridden with a reason.
const h = makeEngine(inject("databaseUrl"));
let admin: SessionUser;
let rm: SessionUser;
const H = 3_600_000;

beforeAll(async () => {
  admin = await makeUser(h.db, "admin");
  rm = await makeUser(h.db, "release_manager");
});
afterAll(async () => {
  await disconnectDb();
});

const statusOf = (e: unknown) => (e instanceof ZodError ? 400 : toPublicError(e).status);
const create = (actor: SessionUser, serviceId: string, more: object = {}) =>
  createRun({ db: h.db, engine: h.engine, globalHoldScale: 1, now: Date.now() }, actor, { ...runInput(serviceId, { environment: "production" }), ...more });

describe("change freezes", () => {
  it("refuse runs into the frozen environment until an admin overrides with a reason, which the run's policy and the audit keep", async () => {
    const svc = await makeService(h.db);
    const prod = svc.environments.find((e) => e.name === "production");
    if (!prod) throw new Error("no production");
    const now = Date.now();
    const { id } = await scheduleFreeze(h.db, admin, { environmentId: prod.id, startsAt: new Date(now - H).toISOString(), endsAt: new Date(now + 2 * H).toISOString(), reason: "End of quarter" });

    const refused = await create(rm, svc.id).catch((e: unknown) => e);
    expect(toPublicError(refused)).toMatchObject({ status: 409, message: expect.stringMatching(/^Production of .* is frozen until \d{4}-\d\d-\d\d \d\d:\d\d UTC: “End of quarter”\. An admin can override/) });
    expect(statusOf(await create(rm, svc.id, { freezeOverrideReason: "I really want to release now" }).catch((e: unknown) => e))).toBe(403);
    expect(toPublicError(await create(admin, svc.id, { freezeOverrideReason: "now" }).catch((e: unknown) => e))).toMatchObject({ status: 400, fieldErrors: { freezeOverrideReason: [expect.stringMatching(/at least 10/)] } });
    expect(await h.db.auditEvent.count({ where: { action: "run.create", summary: { contains: svc.slug } } })).toBe(0);

    // New run warns of it.
    const listed = (await listServices(h.db)).find((s) => s.id === svc.id)?.environments.find((e) => e.name === "production");
    expect(listed?.freeze).toMatchObject({ reason: "End of quarter", inEffect: true });

    const run = await create(admin, svc.id, { freezeOverrideReason: "Payment outage fix cannot wait" });
    const row = await h.db.releaseRun.findUniqueOrThrow({ where: { id: run.id } });
    expect((row.state as { policy: { changeFreeze?: unknown } }).policy.changeFreeze).toMatchObject({ freezeReason: "End of quarter", overriddenBy: admin.name, overrideReason: "Payment outage fix cannot wait" });
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { runId: run.id, action: "run.create" } });
    expect(audit.summary).toContain("overriding the change freeze “End of quarter”: Payment outage fix cannot wait");

    // Staging is not frozen; a cancelled freeze refuses nothing.
    await h.engine.dispatch(run.id, { kind: "abort", actor: { id: admin.id, name: admin.name, role: admin.role }, reason: "test over" });
    await cancelFreeze(h.db, admin, { id });
    await cancelFreeze(h.db, admin, { id });
    expect(await h.db.auditEvent.count({ where: { action: "freeze.cancel", detail: { path: ["freezeId"], equals: id } } })).toBe(1);
    expect((await listFreezes(h.db)).some((f) => f.id === id)).toBe(false);
    await expect(create(rm, svc.id)).resolves.toMatchObject({ number: expect.any(Number) });
  });

  it("refuses windows that are backwards, past, too long or overlapping, with field errors, and writes nothing", async () => {
    const svc = await makeService(h.db);
    const env = svc.environments[0];
    if (!env) throw new Error("no environment");
    const now = Date.now();
    const at = (hours: number) => new Date(now + hours * H).toISOString();
    await scheduleFreeze(h.db, admin, { environmentId: env.id, startsAt: at(10), endsAt: at(20), reason: "Sale" });
    const before = await h.db.changeFreeze.count();
    const cases: [object, string][] = [
      [{ environmentId: env.id, startsAt: at(5), endsAt: at(4), reason: "Backwards" }, "endsAt"],
      [{ environmentId: env.id, startsAt: at(-5), endsAt: at(-4), reason: "Past" }, "endsAt"],
      [{ environmentId: env.id, startsAt: at(1), endsAt: at(24 * 91 + 1), reason: "Too long" }, "endsAt"],
      [{ environmentId: env.id, startsAt: at(15), endsAt: at(30), reason: "Overlap" }, "startsAt"],
      [{ environmentId: env.id, startsAt: "tomorrow", endsAt: at(30), reason: "Bad date" }, "startsAt"],
      [{ environmentId: env.id, startsAt: at(40), endsAt: at(50), reason: "x" }, "reason"],
    ];
    for (const [input, field] of cases) {
      const e = await scheduleFreeze(h.db, admin, input).catch((x: unknown) => x);
      expect(statusOf(e), JSON.stringify(input)).toBe(400);
      const fields = e instanceof ZodError ? e.issues.map((i) => String(i.path[0])) : Object.keys(toPublicError(e).fieldErrors ?? {});
      expect(fields, JSON.stringify(input)).toContain(field);
    }
    expect(await h.db.changeFreeze.count()).toBe(before);
  });
});
