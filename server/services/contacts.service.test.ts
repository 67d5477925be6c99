import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { actionResult } from "../actions/result.ts";
import type { SessionUser } from "../auth/session.ts";
import type { RunState } from "../core/types.ts";
import { ZRunView } from "../contracts/runs-api.ts";
import { disconnectDb } from "../db/client.ts";
import { setRuntime } from "../runtime.ts";
import { eventually, makeEngine, makeService, makeUser, runInput, startRun } from "../testing/harness.ts";
import { emergencyContactsFor, updateServiceContacts, ZUpdateServiceContactsInput } from "./contacts.ts";
import { getRunView, runCommand } from "./runs.ts";
import { listServices } from "./services-and-environments.ts";

// Emergency contacts end to end on the real database: saved by an admin, read on the run page
// by role, and handed to the notifier by a real rollback through the engine.
const url = inject("databaseUrl");
setRuntime({ databaseUrl: url, authSecret: "contacts-test-session-secret-0123456789abcdef", publicUrl: "http://127.0.0.1", testMode: true });
const h = makeEngine(url);
let admin: SessionUser;
let rm: SessionUser;
let onCall: SessionUser;
let viewer: SessionUser;

const ana = { name: "Ana Ruiz", role: "On-call engineer", reach: "+1 555 0100 · PagerDuty checkout-primary" };
const bo = { name: "Bo Lind", role: "Database owner", reach: "bo@example.test" };

beforeAll(async () => {
  [admin, rm, onCall, viewer] = await Promise.all([makeUser(h.db, "admin"), makeUser(h.db, "release_manager"), makeUser(h.db, "on_call"), makeUser(h.db, "viewer")]);
  h.engine.start();
});
afterAll(async () => {
  await h.engine.stop();
  await disconnectDb();
});

/** What the Settings action does with a submitted form, as the given user. */
function save(actor: SessionUser, input: unknown) {
  return actionResult(async () => {
    await updateServiceContacts(h.db, actor, ZUpdateServiceContactsInput.parse(input));
    return null;
  });
}
const stored = async (serviceId: string) => (await h.db.service.findUniqueOrThrow({ where: { id: serviceId } })).contacts;

describe("a service's emergency contacts in Settings", () => {
  it("an admin saves them in calling order; the audit names who, not how to reach them", async () => {
    const svc = await makeService(h.db);
    expect(await save(admin, { serviceId: svc.id, contacts: [ana, { name: "  Bo Lind ", role: "Database owner", reach: "bo@example.test  " }] })).toEqual({ ok: true, data: null });
    expect(await stored(svc.id)).toEqual([ana, bo]); // trimmed

    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { action: "service.contacts", summary: { contains: svc.slug } } });
    expect(audit.summary).toBe(`Set the emergency contacts of ${svc.slug}: Ana Ruiz (On-call engineer), Bo Lind (Database owner)`);
    expect(JSON.stringify(audit.detail)).not.toMatch(/555 0100|bo@example\.test/);

    const forAdmins = (await listServices(h.db, { includeConfig: true })).find((s) => s.id === svc.id);
    expect(forAdmins?.contacts).toEqual([ana, bo]);
    const forOthers = (await listServices(h.db)).find((s) => s.id === svc.id);
    expect(forOthers?.contacts).toBeNull();

    expect(await save(admin, { serviceId: svc.id, contacts: [] })).toEqual({ ok: true, data: null });
    expect(await stored(svc.id)).toEqual([]);
  });

  it("refuses bad contacts with an error on each field and writes nothing", async () => {
    const svc = await makeService(h.db);
    await save(admin, { serviceId: svc.id, contacts: [ana] });
    const before = await h.db.auditEvent.count({ where: { action: "service.contacts" } });

    const bad = await save(admin, { serviceId: svc.id, contacts: [{ name: " ", role: "x".repeat(81), reach: "" }, { name: "Cy", role: "SRE", reach: "y".repeat(201) }] });
    expect(bad).toMatchObject({ ok: false, status: 400 });
    expect(bad.ok ? null : bad.fieldErrors).toEqual({
      "contacts.0.name": ["Enter a name"],
      "contacts.0.role": ["At most 80 characters"],
      "contacts.0.reach": ["Say how to reach them: phone, e-mail, pager or chat handle"],
      "contacts.1.reach": ["At most 200 characters"],
    });

    const tooMany = await save(admin, { serviceId: svc.id, contacts: Array.from({ length: 11 }, (_, i) => ({ ...ana, name: `Person ${i}` })) });
    expect(tooMany.ok ? null : tooMany.fieldErrors).toEqual({ contacts: ["At most 10 contacts"] });

    const unknownField = await save(admin, { serviceId: svc.id, contacts: [{ ...ana, pager: "ana" }] });
    expect(unknownField).toMatchObject({ ok: false, status: 400 });

    const missing = await save(admin, { serviceId: "no-such-service", contacts: [ana] });
    expect(missing).toMatchObject({ ok: false, status: 404, error: "That service does not exist." });

    expect(await stored(svc.id)).toEqual([ana]);
    expect(await h.db.auditEvent.count({ where: { action: "service.contacts" } })).toBe(before);
  });

  it("refuses anyone but an admin, and writes nothing", async () => {
    const svc = await makeService(h.db);
    for (const actor of [rm, onCall, viewer]) {
      expect(await save(actor, { serviceId: svc.id, contacts: [ana] })).toEqual({ ok: false, status: 403, error: "Your role does not allow this." });
    }
    expect(await stored(svc.id)).toEqual([]);
  });
});

describe("emergency contacts during a run", () => {
  const state = async (runId: string) => (await h.db.releaseRun.findUniqueOrThrow({ where: { id: runId } })).state as unknown as RunState;
  const waitFor = (runId: string, pred: (s: RunState) => boolean) =>
    eventually(async () => {
      const s = await state(runId);
      return pred(s) ? s : null;
    }, 15_000);

  it("the run's payload lists them; how to reach them only for roles that can act", async () => {
    const svc = await makeService(h.db);
    await save(admin, { serviceId: svc.id, contacts: [ana, bo] });
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    const view = await getRunView(h.db, run.id, Date.now());
    if (!view) throw new Error("no view");

    // As the run route answers each reader: the view and the contacts their role may see.
    const forRole = async (user: SessionUser) => ZRunView.parse({ ...view, emergencyContacts: await emergencyContactsFor(h.db, view.service.slug, user.role) }).emergencyContacts;
    for (const user of [admin, rm, onCall]) expect(await forRole(user)).toEqual([ana, bo]);
    expect(await forRole(viewer)).toEqual([
      { name: "Ana Ruiz", role: "On-call engineer", reach: null },
      { name: "Bo Lind", role: "Database owner", reach: null },
    ]);
    await runCommand(h.engine, rm, { kind: "abort", runId: run.id, reason: "test done" }).catch(() => {});
  });

  it("a rollback notifies with the contacts, and its notify step names who", async () => {
    const svc = await makeService(h.db);
    await save(admin, { serviceId: svc.id, contacts: [ana, bo] });
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    await waitFor(run.id, (x) => x.phase === "rollout");
    await runCommand(h.engine, rm, { kind: "confirmWeight", runId: run.id, percent: 5 });
    await runCommand(h.engine, onCall, { kind: "rollback", runId: run.id, reason: "checkout errors" });
    await runCommand(h.engine, onCall, { kind: "confirmWeight", runId: run.id, percent: 0 });
    const done = await waitFor(run.id, (x) => x.status === "rolled_back");

    // The procedure's "notify stakeholders" step (the alert when the rollback starts is another message).
    const sent = h.notifier.sent.find((n) => n.runId === run.id && n.message.includes("rolled back from"));
    expect(sent?.message).toBe(`${svc.slug} rolled back from 1.1.0 to 1.0.0: checkout errors`);
    expect(sent?.contacts).toEqual([ana, bo]);
    const notify = done.rollback?.steps.find((s) => s.kind === "notify");
    expect(notify?.detail).toBe("Stakeholders notified (memory); emergency contacts named: Ana Ruiz (On-call engineer), Bo Lind (Database owner)");
  });

  it("a service without contacts rolls back as before, and says none are set", async () => {
    const svc = await makeService(h.db);
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    await waitFor(run.id, (x) => x.phase === "rollout");
    await runCommand(h.engine, rm, { kind: "rollback", runId: run.id, reason: "changed my mind" });
    await runCommand(h.engine, rm, { kind: "confirmWeight", runId: run.id, percent: 0 });
    const done = await waitFor(run.id, (x) => x.status === "rolled_back");
    const sent = h.notifier.sent.find((n) => n.runId === run.id && n.message.includes("rolled back from"));
    expect(sent).toBeDefined();
    expect(sent?.contacts).toBeUndefined();
    expect(done.rollback?.steps.find((s) => s.kind === "notify")?.detail).toBe("Stakeholders notified (memory); no emergency contacts are set for this service");
  });
});
