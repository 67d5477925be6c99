import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../auth/session.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { fieldErrors } from "./schemas.ts";
import { makeService, makeUser } from "../testing/harness.ts";
import { listRegions, regionPlanFor, saveRegions } from "./regions.ts";
import { ZRegionsInput } from "./regions-schema.ts";

const db = connectDb(inject("databaseUrl"));
let admin: SessionUser;
let operator: SessionUser;

beforeAll(async () => {
  admin = await makeUser(db, "admin");
  operator = await makeUser(db, "release_manager");
});
afterAll(async () => {
  await disconnectDb();
});

const officeHours = { days: [1, 2, 3, 4, 5], from: "09:00", to: "17:00" };
const twoRegions = (serviceId: string) => ({
  serviceId,
  environment: "production" as const,
  policy: { rollbackReleasedRegions: true },
  regions: [
    { name: "ap-southeast", wave: 2, timeZone: "Australia/Sydney", windows: [officeHours], router: { kind: "builtin", listenPort: 18_302, baselineUrl: "http://127.0.0.1:4001", canaryUrl: "http://127.0.0.1:4002" } },
    { name: "eu-west", wave: 1, timeZone: "Europe/Dublin", windows: [], router: { kind: "manual" } },
  ],
});

/** The field errors the form would show for this input, or {} when it parses. */
function errorsOf(input: unknown): Record<string, string[]> {
  const parsed = ZRegionsInput.safeParse(input);
  return parsed.success ? {} : fieldErrors(parsed.error);
}

describe("regions of an environment", () => {
  it("an admin saves two regions with their routers, windows and policy; they read back in wave order, audited", async () => {
    const svc = await makeService(db);
    await saveRegions(db, admin, ZRegionsInput.parse(twoRegions(svc.id)));
    const { regions, policy } = await listRegions(db, svc.id, "production");
    expect(policy).toEqual({ rollbackReleasedRegions: true });
    expect(regions.map((r) => [r.name, r.wave, r.timeZone, r.router?.kind])).toEqual([
      ["eu-west", 1, "Europe/Dublin", "manual"],
      ["ap-southeast", 2, "Australia/Sydney", "builtin"],
    ]);
    expect(regions[1]?.windows).toEqual([officeHours]);
    const audit = await db.auditEvent.findFirst({ where: { action: "environment.regions", actorId: admin.id }, orderBy: { id: "desc" } });
    expect(audit?.summary).toContain(`Regions of ${svc.slug}/production: ap-southeast (wave 2, Australia/Sydney, builtin router, Mon–Fri 09:00–17:00)`);
    // A run of this environment would go eu-west, then ap-southeast.
    const prod = svc.environments.find((e) => e.name === "production");
    const plan = await regionPlanFor(db, prod?.id ?? "");
    expect(plan?.regions.map((r) => [r.name, r.state])).toEqual([
      ["eu-west", "pending"],
      ["ap-southeast", "pending"],
    ]);
    expect(await regionPlanFor(db, svc.environments.find((e) => e.name === "staging")?.id ?? "")).toBeNull();
  });

  it("a region whose built-in router the process registers itself (no stored settings, like the demo's) is planned on that router, not as manual", async () => {
    const svc = await makeService(db);
    const prod = svc.environments.find((e) => e.name === "production");
    await db.region.create({ data: { environmentId: prod?.id ?? "", name: "eu-west", wave: 1, timeZone: "Europe/Dublin", router: "builtin" } });
    const plan = await regionPlanFor(db, prod?.id ?? "");
    // Read as manual, the run asked an operator to confirm each weight the router would have applied.
    expect(plan?.regions.map((r) => [r.name, r.router])).toEqual([["eu-west", "builtin"]]);
  });

  it("bad input is refused field by field: no router, unknown zone, from ≥ to, overlapping windows, duplicate names", () => {
    const good = twoRegions("svc");
    expect(errorsOf(good)).toEqual({});
    const [sydney, dublin] = good.regions;
    expect(errorsOf({ ...good, regions: [{ ...sydney, router: undefined }] })).toEqual({ "regions.0.router": ["Every region needs a router (manual is one: an operator confirms each weight)"] });
    expect(errorsOf({ ...good, regions: [{ ...sydney, timeZone: "Australia/Syndey" }] })).toEqual({ "regions.0.timeZone": ["Enter an IANA time zone, e.g. Europe/Dublin or Australia/Sydney"] });
    expect(errorsOf({ ...good, regions: [{ ...sydney, windows: [{ days: [5], from: "18:00", to: "09:00" }] }] })).toEqual({
      "regions.0.windows.0.to": ["The window must end after it starts (same day; no overnight windows)"],
    });
    expect(errorsOf({ ...good, regions: [{ ...sydney, windows: [officeHours, { days: [1], from: "16:30", to: "18:00" }] }] })).toEqual({
      "regions.0.windows.1.from": ["Overlaps window 1 (Mon–Fri 09:00–17:00)"],
    });
    expect(errorsOf({ ...good, regions: [dublin, { ...dublin, wave: 2 }] })).toEqual({ "regions.1.name": ["Region 1 is already called eu-west"] });
  });

  it("nothing is written for a release manager, or when a new webhook router has no secret", async () => {
    const svc = await makeService(db);
    await saveRegions(db, admin, ZRegionsInput.parse(twoRegions(svc.id)));
    await expect(saveRegions(db, operator, ZRegionsInput.parse({ ...twoRegions(svc.id), regions: [] }))).rejects.toThrow(/settings.manage/);
    const webhookWithoutSecret = { ...twoRegions(svc.id), regions: [{ name: "us-east", wave: 1, timeZone: "America/New_York", windows: [], router: { kind: "webhook", url: "https://deploy.example/hook" } }] };
    await expect(saveRegions(db, admin, ZRegionsInput.parse(webhookWithoutSecret))).rejects.toMatchObject({ fieldErrors: { "regions.0.router.secret": ["Enter the shared secret"] } });
    expect((await listRegions(db, svc.id, "production")).regions.map((r) => r.name)).toEqual(["eu-west", "ap-southeast"]);
  });
});
