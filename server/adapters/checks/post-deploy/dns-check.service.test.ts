import { afterEach, describe, expect, it } from "vitest";
import { checkContext, closedPort, probed } from "./context.fixture.ts";
import { startResolver, type ZoneAnswers } from "./dns.fixture.ts";
import { createPostDeployRunner } from "./post-deploy-runner.ts";
import { judgedRun } from "../judged.fixture.ts";

const runner = createPostDeployRunner();
let resolvers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(resolvers.map((r) => r.close()));
  resolvers = [];
});
async function resolver(answers: ZoneAnswers): Promise<string> {
  const r = await startResolver(answers);
  resolvers.push(r);
  return r.address;
}

describe("DNS propagation", () => {
  it("passes when every resolver gives the expected answers, in any order", async () => {
    const a = await resolver({ A: ["203.0.113.10", "203.0.113.11"] });
    const b = await resolver({ A: ["203.0.113.11", "203.0.113.10"] });
    const { ctx, logs } = checkContext({ dns: { name: "shop.example.test", type: "A", expected: ["203.0.113.10", "203.0.113.11"], resolvers: [a, b] } });
    const result = probed(await judgedRun(runner, ctx));
    expect(result).toMatchObject({ status: "passed", findings: [] });
    expect(logs).toContain(`DNS: ${a} answered 203.0.113.10, 203.0.113.11`);
  });

  it("fails (high) naming the resolver that still serves the old record, and its answer", async () => {
    const a = await resolver({ A: ["203.0.113.10"] });
    const b = await resolver({ A: ["203.0.113.10"] });
    const stale = await resolver({ A: ["198.51.100.7"] });
    const { ctx } = checkContext({ dns: { name: "shop.example.test", type: "A", expected: ["203.0.113.10"], resolvers: [a, b, stale] } });
    const result = probed(await judgedRun(runner, ctx));
    expect(result.status).toBe("failed");
    expect(result.findings).toEqual([
      {
        check: "DNS propagation",
        severity: "high",
        message: `DNS resolver ${stale} disagrees on A shop.example.test`,
        evidence: `resolver ${stale} answered [198.51.100.7], expected [203.0.113.10]`,
      },
    ]);
  });

  it("compares CNAME and TXT answers too", async () => {
    const a = await resolver({ CNAME: ["shop-v2.cdn.example.test"], TXT: ["release=1.5.0"] });
    const cname = checkContext({ dns: { name: "shop.example.test", type: "CNAME", expected: ["Shop-V2.cdn.example.test."], resolvers: [a] } });
    expect((probed(await judgedRun(runner, cname.ctx))).status).toBe("passed");
    const txt = checkContext({ dns: { name: "shop.example.test", type: "TXT", expected: ["release=1.4.0"], resolvers: [a] } });
    const result = probed(await judgedRun(runner, txt.ctx));
    expect(result.status).toBe("failed");
    expect(result.findings[0]?.evidence).toBe(`resolver ${a} answered [release=1.5.0], expected [release=1.4.0]`);
  });

  it("fails (high) when a resolver gives no answer", async () => {
    const a = await resolver({ A: ["203.0.113.10"] });
    const silent = await resolver({});
    const gone = `127.0.0.1:${await closedPort()}`;
    const { ctx } = checkContext({ dns: { name: "shop.example.test", type: "A", expected: ["203.0.113.10"], resolvers: [a, silent, gone] } });
    const result = probed(await judgedRun(runner, ctx));
    expect(result.status).toBe("failed");
    expect(result.findings.map((f) => f.message)).toEqual([
      `DNS resolver ${silent} gave no answer for A shop.example.test`,
      `DNS resolver ${gone} gave no answer for A shop.example.test`,
    ]);
    expect(result.findings[0]?.evidence).toContain("ENODATA");
  });
});
