import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RouterRegistry } from "../adapters/routers/registry.ts";
import type { RequestObservation } from "../metrics/types.ts";
import { demoRegionPorts, startDemoRegions, type DemoRegionFleets } from "./demo-regions.ts";

// The demo's production regions (issue 15): each region's router sends its own traffic to its
// own processes, so a fault injected in ap-southeast shows there and nowhere else.

const seen: RequestObservation[] = [];
const registry = new RouterRegistry();
let regions: DemoRegionFleets;

beforeAll(async () => {
  regions = await startDemoRegions({ service: "storefront", registry, sink: { observeRequest: (o) => void seen.push(o) }, baselineVersion: "2.3.0", canaryVersion: "2.3.1", ports: [0, 0], rps: 0 });
}, 60_000);
afterAll(async () => {
  await regions?.stop();
});

const target = (region: string) => ({ runId: "run-1", service: "storefront", environment: "production" as const, baseline: "2.3.0", canary: "2.3.1", region });

describe("the demo production's regional fleets", () => {
  it("derives the routers' ports from the staging router's, 0 staying 0", () => {
    expect(demoRegionPorts(4100)).toEqual([4101, 4102]);
    expect(demoRegionPorts(0)).toEqual([0, 0]);
    expect(demoRegionPorts(4100, [5001, 5002])).toEqual([5001, 5002]);
  });

  it("registers a built-in router per region, and a fault in ap-southeast's canary fails only its requests", async () => {
    const eu = registry.routerFor("builtin", target("eu-west"));
    const ap = registry.routerFor("builtin", target("ap-southeast"));
    expect(eu).not.toBeNull();
    expect(ap).not.toBeNull();
    await eu?.setWeight(target("eu-west"), 100);
    await ap?.setWeight(target("ap-southeast"), 100);
    await regions.setFault("ap-southeast", "canary", { errorRate: 1, latencyMs: 0, latencyMode: "all", memoryMbPerMin: 0 });
    const call = async (region: string) => (await fetch(`${regions.fleets.get(region)?.url}/api/checkout`)).status;
    const euStatuses = await Promise.all(Array.from({ length: 10 }, () => call("eu-west")));
    const apStatuses = await Promise.all(Array.from({ length: 10 }, () => call("ap-southeast")));
    expect(euStatuses.every((s) => s < 500)).toBe(true);
    expect(apStatuses.every((s) => s >= 500)).toBe(true);
    expect(seen.filter((o) => o.region === "ap-southeast" && o.side === "canary" && o.status >= 500)).toHaveLength(10);
    expect(seen.filter((o) => o.region === "eu-west" && o.status >= 500)).toHaveLength(0);
  }, 30_000);
});
