import { OpenFeature } from "@openfeature/server-sdk";
import { OFREPProvider } from "@openfeature/ofrep-provider";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectDb, disconnectDb } from "../db/client.ts";
import { makeService } from "../testing/harness.ts";
import { serveOfrep } from "../testing/ofrep-server.ts";
import { FlagCache, REFRESH_MS, setFlagRollout } from "../services/flags.ts";

const db = connectDb(inject("databaseUrl"));
const cache = new FlagCache(db);
let base = "";
let close: () => Promise<void> = async () => {};
let slug = "";
let environmentId = "";
const users = Array.from({ length: 400 }, (_, i) => `user-${i}`);

beforeAll(async () => {
  const svc = await makeService(db);
  slug = svc.slug;
  const staging = svc.environments.find((e) => e.name === "staging");
  if (!staging) throw new Error("no staging");
  environmentId = staging.id;
  await db.featureFlag.create({
    data: { environmentId, key: "new-checkout", variants: [{ name: "off", value: false }, { name: "on", value: true }], defaultVariant: "off" },
  });
  // Flightdeck's OFREP handlers behind a real HTTP server on loopback, as the app routes mount them.
  const served = await serveOfrep(cache);
  close = served.close;
  base = `${served.origin}/api/flags/${slug}/staging`;
  await OpenFeature.setProviderAndWait("ofrep-test", new OFREPProvider({ baseUrl: base }));
});
afterAll(async () => {
  await OpenFeature.close();
  await close();
  await disconnectDb();
});

const client = () => OpenFeature.getClient("ofrep-test");
const rollout = (percent: number, release = false) => setFlagRollout(db, { environmentId, key: "new-checkout" }, { runId: "00000000-0000-4000-8000-000000000001", variant: "on", percent, release });
const settle = () => new Promise((r) => setTimeout(r, REFRESH_MS + 50));
async function onUsers(): Promise<Set<string>> {
  const on = new Set<string>();
  for (const u of users) if (await client().getBooleanValue("new-checkout", false, { targetingKey: u })) on.add(u);
  return on;
}

describe("OFREP served by Flightdeck, evaluated with the OpenFeature server SDK", () => {
  it("serves the default with no rollout", async () => {
    const d = await client().getBooleanDetails("new-checkout", true, { targetingKey: "user-1" });
    expect(d).toMatchObject({ value: false, variant: "off", reason: "STATIC" });
  });

  it("keeps a user's variant as the rollout grows 5% → 50% → 100%, and a rollback gives everyone the old variant within the refresh bound", async () => {
    await rollout(5);
    await settle();
    const at5 = await onUsers();
    expect(at5.size).toBeGreaterThan(0);
    expect(at5.size).toBeLessThan(users.length * 0.15);
    const d = await client().getBooleanDetails("new-checkout", false, { targetingKey: [...at5][0] ?? "" });
    expect(d).toMatchObject({ value: true, variant: "on", reason: "SPLIT" });
    expect(d.flagMetadata).toMatchObject({ percent: 5 });

    await rollout(50);
    await settle();
    const at50 = await onUsers();
    for (const u of at5) expect(at50.has(u)).toBe(true);
    expect(at50.size).toBeGreaterThan(users.length * 0.4);
    expect(at50.size).toBeLessThan(users.length * 0.6);

    await rollout(0);
    const t0 = Date.now();
    // The bound is on when the answers changed, not on how long a round of 200 evaluations takes
    // on a busy machine: a round that starts after the change and finds nobody on `on` counts
    // from its start.
    for (let roundAt = Date.now(); (await onUsers()).size > 0; roundAt = Date.now()) {
      expect(roundAt - t0).toBeLessThan(2_000);
      await new Promise((r) => setTimeout(r, 20));
    }

    await rollout(100, true);
    await settle();
    expect((await onUsers()).size).toBe(users.length);
    expect(await client().getBooleanDetails("new-checkout", false, {})).toMatchObject({ value: true, variant: "on", reason: "STATIC" });
  });

  it("answers the protocol's errors: a split without a targeting key, an unknown flag, a bad context", async () => {
    await setFlagRollout(db, { environmentId, key: "new-checkout" }, { runId: "00000000-0000-4000-8000-000000000002", variant: "off", percent: 30 });
    await settle();
    const missing = await client().getBooleanDetails("new-checkout", true, {});
    expect(missing).toMatchObject({ value: true, reason: "ERROR", errorCode: "TARGETING_KEY_MISSING" });
    const unknown = await client().getBooleanDetails("no-such-flag", true, { targetingKey: "u" });
    expect(unknown).toMatchObject({ value: true, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });

    const bad = await fetch(`${base}/ofrep/v1/evaluate/flags/new-checkout`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ context: { targetingKey: 7 } }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errorCode: "INVALID_CONTEXT" });
    const garbage = await fetch(`${base}/ofrep/v1/evaluate/flags/new-checkout`, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    expect(await garbage.json()).toMatchObject({ errorCode: "PARSE_ERROR" });
  });

  it("bulk evaluation carries an ETag and answers 304 while nothing changed", async () => {
    const body = JSON.stringify({ context: { targetingKey: "user-3" } });
    const first = await fetch(`${base}/ofrep/v1/evaluate/flags`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag") ?? "";
    expect(((await first.json()) as { flags: { key: string }[] }).flags.map((f) => f.key)).toEqual(["new-checkout"]);
    const again = await fetch(`${base}/ofrep/v1/evaluate/flags`, { method: "POST", headers: { "content-type": "application/json", "if-none-match": etag }, body });
    expect(again.status).toBe(304);
    await setFlagRollout(db, { environmentId, key: "new-checkout" }, { runId: "00000000-0000-4000-8000-000000000002", variant: "off", percent: 0 });
    await settle();
    const changed = await fetch(`${base}/ofrep/v1/evaluate/flags`, { method: "POST", headers: { "content-type": "application/json", "if-none-match": etag }, body });
    expect(changed.status).toBe(200);
  });
});
