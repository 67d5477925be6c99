import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../auth/session.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { setFlagRollout } from "../db/flag-repository.ts";
import { makeEngine, makeService, makeUser, runInput, startRun } from "../testing/harness.ts";
import { loadEnvironmentFlags } from "./flags.ts";
import { deleteFlag, listFlags, saveFlag, ZSaveFlagInput } from "./flag-admin.ts";
import { runCommand } from "./runs.ts";
import { fieldErrors } from "./schemas.ts";

const db = connectDb(inject("databaseUrl"));
let admin: SessionUser;
let releaseManager: SessionUser;

beforeAll(async () => {
  admin = await makeUser(db, "admin");
  releaseManager = await makeUser(db, "release_manager");
});
afterAll(async () => {
  await disconnectDb();
});

const newCheckout = (serviceId: string) => ({
  serviceId,
  environment: "staging" as const,
  key: "new-checkout",
  description: "The one-page checkout",
  variants: [
    { name: "off", value: "false" },
    { name: "on", value: "true" },
  ],
  defaultVariant: "off",
});

/** The field errors the Settings form would show for this input, or {} when it parses. */
function errorsOf(input: unknown): Record<string, string[]> {
  const parsed = ZSaveFlagInput.safeParse(input);
  return parsed.success ? {} : fieldErrors(parsed.error);
}

async function flagAudits(slug: string) {
  return db.auditEvent.findMany({ where: { action: { startsWith: "flag." }, summary: { contains: slug } }, orderBy: { id: "asc" } });
}

describe("feature flag administration", () => {
  it("an admin creates a flag, OFREP serves its default, an edit bumps the revision; each change audited", async () => {
    const svc = await makeService(db);
    const created = await saveFlag(db, admin, ZSaveFlagInput.parse(newCheckout(svc.id)));
    expect(created).toMatchObject({ key: "new-checkout", defaultVariant: "off", revision: 1, rollout: null, variants: [{ name: "off", value: false }, { name: "on", value: true }] });
    // What every OpenFeature client of the environment now reads (the OFREP endpoint's source).
    const served = await loadEnvironmentFlags(db, svc.slug, "staging");
    expect(served.flags?.get("new-checkout")).toMatchObject({ defaultVariant: "off", rolloutVariant: null });

    const edited = await saveFlag(db, admin, ZSaveFlagInput.parse({ ...newCheckout(svc.id), variants: [...newCheckout(svc.id).variants, { name: "beta", value: '{"layout":"b"}' }], revision: 1 }));
    expect(edited.revision).toBe(2);
    expect(edited.variants.at(-1)).toEqual({ name: "beta", value: { layout: "b" } });
    expect((await loadEnvironmentFlags(db, svc.slug, "staging")).etag).not.toBe(served.etag);
    expect(await listFlags(db, svc.id, "production")).toEqual([]);

    const audits = await flagAudits(svc.slug);
    expect(audits.map((a) => [a.action, a.actorId])).toEqual([
      ["flag.create", admin.id],
      ["flag.update", admin.id],
    ]);
    expect(audits[0]?.summary).toBe(`Created flag new-checkout in ${svc.slug}/staging: variants off=false, on=true; default off`);
  });

  it("bad input gets a sentence per field: key, one variant, duplicate names, a value that is not JSON, a default that is not a variant", () => {
    const good = newCheckout("svc");
    expect(errorsOf(good)).toEqual({});
    expect(errorsOf({ ...good, key: "New Checkout" })).toEqual({ key: ["Lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (up to 64), e.g. new-checkout"] });
    expect(errorsOf({ ...good, variants: [good.variants[0]], defaultVariant: "off" })).toEqual({ variants: ["A flag needs at least two variants (e.g. off and on)"] });
    expect(errorsOf({ ...good, variants: [good.variants[0], { name: "off", value: "true" }] })).toEqual({ "variants.1.name": ["Variant 1 is already called off"] });
    expect(errorsOf({ ...good, variants: [good.variants[0], { name: "on", value: "yes please" }] })).toEqual({
      "variants.1.value": ["Not valid JSON: write true, false, a number, a quoted string like \"blue\" or an object"],
    });
    expect(errorsOf({ ...good, variants: [good.variants[0], { name: "on", value: "null" }] })).toEqual({ "variants.1.value": ["A value is true or false, a number, a string or an object (not null or a list)"] });
    expect(errorsOf({ ...good, defaultVariant: "maybe" })).toEqual({ defaultVariant: ["The default must be one of the variants"] });
    expect(errorsOf({ ...good, variants: Array.from({ length: 21 }, (_, i) => ({ name: `v${i}`, value: String(i) })), defaultVariant: "v0" })).toEqual({ variants: ["At most 20 variants"] });
  });

  it("nothing is written for a release manager, a second flag with the same key, or an edit from a stale revision", async () => {
    const svc = await makeService(db);
    await expect(saveFlag(db, releaseManager, ZSaveFlagInput.parse(newCheckout(svc.id)))).rejects.toMatchObject({ code: "FORBIDDEN", userMessage: "Only an admin can change feature flags." });
    expect(await listFlags(db, svc.id, "staging")).toEqual([]);
    await saveFlag(db, admin, ZSaveFlagInput.parse(newCheckout(svc.id)));
    await expect(saveFlag(db, admin, ZSaveFlagInput.parse({ ...newCheckout(svc.id), defaultVariant: "on" }))).rejects.toMatchObject({
      code: "CONFLICT",
      fieldErrors: { key: [`A flag new-checkout already exists in ${svc.slug}/staging; edit it instead.`] },
    });
    await saveFlag(db, admin, ZSaveFlagInput.parse({ ...newCheckout(svc.id), description: "v2", revision: 1 }));
    await expect(saveFlag(db, admin, ZSaveFlagInput.parse({ ...newCheckout(svc.id), defaultVariant: "on", revision: 1 }))).rejects.toMatchObject({ code: "CONFLICT" });
    const [flag] = await listFlags(db, svc.id, "staging");
    expect([flag?.defaultVariant, flag?.description, flag?.revision]).toEqual(["off", "v2", 2]);
    expect((await flagAudits(svc.slug)).map((a) => a.action)).toEqual(["flag.create", "flag.update"]);
  });

  it("a flag a run is rolling out keeps its variants and cannot be deleted until the run has ended", async () => {
    const h = makeEngine(inject("databaseUrl"));
    const svc = await makeService(h.db);
    await saveFlag(db, admin, ZSaveFlagInput.parse(newCheckout(svc.id)));
    const run = await startRun(h, admin, runInput(svc.id, { environment: "staging" }));
    const staging = svc.environments.find((e) => e.name === "staging");
    // What the flag router writes at the run's first step: 5% of users get "on".
    await setFlagRollout(db, { environmentId: staging?.id ?? "", key: "new-checkout" }, { runId: run.id, variant: "on", percent: 5 });
    const [rolling] = await listFlags(db, svc.id, "staging");
    expect(rolling?.rollout).toEqual({ runId: run.id, variant: "on", percent: 5, active: true });

    await expect(deleteFlag(db, admin, { serviceId: svc.id, environment: "staging", key: "new-checkout" })).rejects.toMatchObject({
      code: "CONFLICT",
      userMessage: "A run is rolling new-checkout out; delete the flag once the run has ended.",
    });
    await expect(saveFlag(db, admin, ZSaveFlagInput.parse({ ...newCheckout(svc.id), defaultVariant: "on", revision: rolling?.revision }))).rejects.toMatchObject({
      userMessage: "A run is rolling new-checkout out: its variants and default can change once the run has ended.",
    });
    // The description is no part of what the run rolls out.
    const described = await saveFlag(db, admin, ZSaveFlagInput.parse({ ...newCheckout(svc.id), description: "One-page checkout, rolling out", revision: rolling?.revision }));
    expect(described.description).toBe("One-page checkout, rolling out");
    expect((await listFlags(db, svc.id, "staging")).map((f) => f.key)).toEqual(["new-checkout"]);

    await runCommand(h.engine, admin, { kind: "abort", runId: run.id, reason: "done with the test" });
    await deleteFlag(db, admin, { serviceId: svc.id, environment: "staging", key: "new-checkout" });
    expect(await listFlags(db, svc.id, "staging")).toEqual([]);
    expect((await flagAudits(svc.slug)).map((a) => a.action)).toEqual(["flag.create", "flag.update", "flag.delete"]);
    await expect(deleteFlag(db, admin, { serviceId: svc.id, environment: "staging", key: "new-checkout" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("a flag run still at its checks, before it has moved any user, already keeps its flag from being deleted or redefined", async () => {
    const h = makeEngine(inject("databaseUrl"));
    const svc = await makeService(h.db);
    await saveFlag(db, admin, ZSaveFlagInput.parse(newCheckout(svc.id)));
    const run = await startRun(h, admin, runInput(svc.id, { environment: "staging", kind: "flag", flag: { key: "new-checkout", variant: "on" }, targetVersion: undefined }));
    const [flag] = await listFlags(db, svc.id, "staging");
    expect(flag?.rollout).toBeNull(); // the flag router has not written anything yet

    await expect(deleteFlag(db, admin, { serviceId: svc.id, environment: "staging", key: "new-checkout" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: `flag new-checkout rolled out by run #${run.number}`,
      userMessage: "A run is rolling new-checkout out; delete the flag once the run has ended.",
    });
    await expect(saveFlag(db, admin, ZSaveFlagInput.parse({ ...newCheckout(svc.id), defaultVariant: "on", revision: flag?.revision }))).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await listFlags(db, svc.id, "staging"))[0]).toMatchObject({ variants: [{ name: "off", value: false }, { name: "on", value: true }], defaultVariant: "off", revision: flag?.revision });
    expect(await flagAudits(svc.slug)).toHaveLength(1); // the creation only

    await runCommand(h.engine, admin, { kind: "abort", runId: run.id, reason: "done with the test" });
    await deleteFlag(db, admin, { serviceId: svc.id, environment: "staging", key: "new-checkout" });
    expect(await listFlags(db, svc.id, "staging")).toEqual([]);
  });
});
