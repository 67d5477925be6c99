import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startDemoFleet, type DemoFleet } from "../../demo/fleet.ts";
import type { FlagSample } from "../../demo/sample-app.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { setFlagRollout } from "../db/flag-repository.ts";
import type { RequestObservation } from "../metrics/types.ts";
import { eventually, makeEngine, makeService, makeUser, runInput, startRun } from "../testing/harness.ts";
import { serveOfrep } from "../testing/ofrep-server.ts";
import { findChromium } from "../adapters/checks/accessibility/browser-session.ts";
import { flagSampleFeed, seedDemoFlags } from "./demo.ts";
import { FlagCache } from "./flags.ts";
import { listFlags } from "./flag-admin.ts";

// Issue 15, the demo: the storefront processes read `new-checkout` through the OpenFeature server
// SDK with the OFREP provider from Flightdeck's OFREP handlers, tag each request of a flag run
// with the variant its user got, and a fault aimed at the `on` variant spares everyone else.

const h = makeEngine(inject("databaseUrl"));
const db = connectDb(inject("databaseUrl"));
const samples: FlagSample[] = [];
const observed: RequestObservation[] = [];
let fleet: DemoFleet;
let closeOfrep: () => Promise<void> = async () => {};
let svc: Awaited<ReturnType<typeof makeService>>;
let flagRunId = "";

beforeAll(async () => {
  svc = await makeService(db);
  await seedDemoFlags(db, svc.id);
  // Flightdeck's OFREP handlers behind a real HTTP server on loopback, as the app routes mount them.
  const cache = new FlagCache(db);
  const ofrep = await serveOfrep(cache);
  closeOfrep = ofrep.close;
  const staging = svc.environments.find((e) => e.name === "staging");
  const feed = flagSampleFeed(db, { observeRequest: (o) => void observed.push({ ...o }) }, staging?.id ?? "", 100);
  fleet = await startDemoFleet({
    baselineVersion: "2.3.0",
    canaryVersion: "2.3.1",
    rps: 0,
    sink: { observeRequest: () => {} },
    flagsUrl: `${ofrep.origin}/api/flags/${svc.slug}/staging`,
    onFlagSamples: (batch) => {
      samples.push(...batch);
      feed(batch);
    },
  });
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
  await closeOfrep();
  await disconnectDb();
});

const users = Array.from({ length: 120 }, (_, i) => `user-${i}`);
/** One checkout per simulated user, as the traffic generator sends it (the user in x-flightdeck-client). */
async function checkoutAll(): Promise<{ user: string; status: number; variant: string | null }[]> {
  return Promise.all(
    users.map(async (user) => {
      const res = await fetch(`${fleet.url}/api/checkout`, { headers: { "x-flightdeck-client": user } });
      await res.arrayBuffer();
      return { user, status: res.status, variant: res.headers.get("x-storefront-checkout") };
    }),
  );
}

describe("the demo storefront's checkout flag", () => {
  it("is seeded off in staging and production; with no run every user gets the classic checkout and no run is fed", async () => {
    expect((await listFlags(db, svc.id, "staging")).map((f) => [f.key, f.defaultVariant, f.variants.map((v) => `${v.name}=${String(v.value)}`).join(" ")])).toEqual([["new-checkout", "off", "off=false on=true"]]);
    expect((await listFlags(db, svc.id, "production")).map((f) => f.key)).toEqual(["new-checkout"]);
    const answers = await checkoutAll();
    expect(answers.every((a) => a.status === 200 && a.variant === "off")).toBe(true);
    await eventually(async () => samples.length >= users.length); // the storefront reports every request…
    expect(observed).toHaveLength(0); // …and with no flag run under way, none feeds an analysis
  }, 30_000);

  it("a flag run at 50% splits users sticky by id, tags samples with the variant, and a fault on `on` fails only its users", async () => {
    const admin = await makeUser(db, "admin");
    const run = await startRun(h, admin, runInput(svc.id, { environment: "staging", kind: "flag", flag: { key: "new-checkout", variant: "on" } }));
    flagRunId = run.id;
    const staging = svc.environments.find((e) => e.name === "staging");
    await setFlagRollout(db, { environmentId: staging?.id ?? "", key: "new-checkout" }, { runId: run.id, variant: "on", percent: 50 });
    // The storefront asks per user once its probe (every second) sees the split.
    // The storefront learns of the split at its next probe (every second); from then on each user is asked for.
    await eventually(async () => (await checkoutAll()).some((x) => x.variant === "on"));
    const first = await checkoutAll();
    const on = new Set(first.filter((a) => a.variant === "on").map((a) => a.user));
    expect(on.size).toBeGreaterThan(30);
    expect(on.size).toBeLessThan(90);
    // Sticky: the same users get the same variant again.
    expect(new Set((await checkoutAll()).filter((a) => a.variant === "on").map((a) => a.user))).toEqual(on);

    await fleet.setFault("baseline", { errorRate: 1, variant: "on" });
    await fleet.setFault("canary", { errorRate: 1, variant: "on" });
    await new Promise((r) => setTimeout(r, 400)); // the samples of the requests before the fault are in
    observed.length = 0;
    const faulty = await checkoutAll();
    for (const a of faulty) expect([a.user, a.status]).toEqual([a.user, on.has(a.user) ? 500 : 200]);

    // The run's analysis sees them as its canary (on) and baseline (off), errors on the canary only.
    const mine = await eventually(async () => {
      const list = observed.filter((o) => o.runId === run.id);
      return list.length >= users.length && list;
    });
    expect(mine.filter((o) => o.side === "canary" && o.status >= 500)).toHaveLength(on.size);
    expect(mine.filter((o) => o.side === "canary" && o.status < 500)).toHaveLength(0);
    expect(mine.filter((o) => o.side === "baseline" && o.status >= 500)).toHaveLength(0);
    expect(mine.filter((o) => o.side === "baseline")).toHaveLength(users.length - on.size);
  }, 60_000);

  it("clears the fault: every user is served again", async () => {
    await fleet.clearFault("baseline");
    await fleet.clearFault("canary");
    expect((await checkoutAll()).every((a) => a.status === 200)).toBe(true);
  });

  it("the page says which checkout the visitor sees and loads the OpenFeature web SDK, whose OFREP calls go through the storefront", async () => {
    const res = await fetch(`${fleet.url}/`);
    const html = await res.text();
    const visitor = /storefront_user=(visitor-[a-z0-9-]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
    expect(visitor).toBeTruthy();
    expect(html).toMatch(/<p role="status" data-checkout-flag data-user="visitor-[a-z0-9-]+" data-variant="(on|off)" data-source="server">You see the (new one-page|classic) checkout/);
    expect(html).toContain('<script type="module" src="/__flags/checkout-flag.js"></script>');
    const script = await fetch(`${fleet.url}/__flags/checkout-flag.js`);
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect((await script.text()).length).toBeGreaterThan(10_000);
    // What the web provider sends: the bulk evaluation for the visitor, answered by Flightdeck.
    const bulk = await fetch(`${fleet.url}/__flags/ofrep/v1/evaluate/flags`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ context: { targetingKey: visitor } }) });
    expect(bulk.status).toBe(200);
    const body = (await bulk.json()) as { flags: { key: string; variant: string }[] };
    expect(body.flags.map((f) => f.key)).toEqual(["new-checkout"]);
    expect(bulk.headers.get("etag")).toBeTruthy();
    const again = await fetch(`${fleet.url}/__flags/ofrep/v1/evaluate/flags`, { method: "POST", headers: { "content-type": "application/json", "if-none-match": bulk.headers.get("etag") ?? "" }, body: JSON.stringify({ context: { targetingKey: visitor } }) });
    expect(again.status).toBe(304);
  }, 60_000);

  it("in a real browser the page's OpenFeature web SDK shows the visitor's checkout and follows a rollback within its poll", async () => {
    const staging = svc.environments.find((e) => e.name === "staging");
    const where = { environmentId: staging?.id ?? "", key: "new-checkout" };
    await setFlagRollout(db, where, { runId: flagRunId, variant: "on", percent: 100 });
    const browser = await chromium.launch({ executablePath: findChromium() ?? undefined, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
    try {
      const page = await browser.newPage();
      await page.goto(`${fleet.url}/`);
      const said = page.locator('[data-checkout-flag][data-source="web-sdk"]');
      await said.waitFor({ timeout: 15_000 });
      expect(await said.textContent()).toBe("You see the new one-page checkout (flag new-checkout: on).");
      // The run rolls back: the open page turns to the classic checkout at its next poll (2 s).
      const rolledBackAt = Date.now();
      await setFlagRollout(db, where, { runId: flagRunId, variant: "on", percent: 0 });
      await page.locator('[data-checkout-flag][data-variant="off"]').waitFor({ timeout: 10_000 });
      expect(await said.textContent()).toBe("You see the classic checkout (flag new-checkout: off).");
      expect(Date.now() - rolledBackAt).toBeLessThan(5_000);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
