import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { CannotRunError } from "../check-io.ts";
import { checkAlertRules } from "./alert-rules.ts";
import { devopsContext, fixture } from "./check-context.fixture.ts";
import { devopsRunner } from "./devops-runner.ts";
import { judgedRun } from "../judged.fixture.ts";

// Real rule files under ./fixtures, read the way the runner reads them: what the release manager
// sees is the alert-rule sub-check's findings and log.
const goodManifests = { manifestPaths: [fixture("manifests-good")] };
const alertFindings = (findings: { message: string; check?: string }[]) => findings.filter((f) => f.check === "alert rules");

describe("alert rules by what they measure", () => {
  it("rules that only look like error-rate and latency alerts (go_threads > 500, certificate expiry) leave both signals unwatched", async () => {
    const result = await judgedRun(devopsRunner, devopsContext({ ...goodManifests, alertRulePaths: [fixture("alerts-look-alikes")] }));
    expect(result.status).toBe("failed");
    expect(alertFindings(result.findings).map((f) => f.message.split(":")[0])).toEqual(["no error-rate alert", "no latency alert"]);
    expect(alertFindings(result.findings)[0]).toMatchObject({ severity: "high", evidence: expect.stringContaining("Checkout5xxErrors, CheckoutLatencyCertificate, CertificateExpiringSoon") });
  });

  it("SLO rules through a recording rule, and a PrometheusRule for gRPC, watch both signals, and the log says why", async () => {
    const ctx = devopsContext({ ...goodManifests, alertRulePaths: [fixture("alerts-realistic")] });
    const result = await judgedRun(devopsRunner, ctx);
    expect(alertFindings(result.findings)).toEqual([]);
    expect(result.status).toBe("passed");
    expect(ctx.logs).toContain("error-rate alert: PaymentsGrpcErrors (rate of grpc_server_handled_total filtered by grpc_code!=\"OK\") in " + fixture("alerts-realistic/grpc-prometheusrule.yaml"));
    expect(ctx.logs).toContain("latency alert: PaymentsGrpcSlow (histogram_quantile over grpc_server_handling_seconds_bucket) in " + fixture("alerts-realistic/grpc-prometheusrule.yaml"));
  });

  it("a burn-rate alert counts as an error-rate alert through the recording rule it reads", async () => {
    const ctx = devopsContext({ ...goodManifests, alertRulePaths: [fixture("alerts-realistic/slo.rules.yaml")] });
    const result = await judgedRun(devopsRunner, ctx);
    expect(alertFindings(result.findings)).toEqual([]);
    expect(ctx.logs.find((l) => l.startsWith("error-rate alert:"))).toContain('ErrorBudgetBurn (recording rule http_requests:burnrate5m: rate of http_requests_total filtered by code=~"5..")');
  });

  it("an expression that does not parse is a high finding naming the rule and its file, and does not count", async () => {
    const file = fixture("alerts-unparsable/service.rules.yaml");
    const result = await judgedRun(devopsRunner, devopsContext({ ...goodManifests, alertRulePaths: [file] }));
    expect(result.status).toBe("failed");
    const found = alertFindings(result.findings);
    expect(found.map((f) => f.message.replace(/: .*/, ""))).toEqual(["alerting rule CheckoutHighErrorRate does not parse", "no error-rate alert"]);
    expect(found[0]).toMatchObject({ severity: "high", evidence: expect.stringContaining(`group checkout.alerts in ${file}`) });
    expect(found[0]?.message).toMatch(/does not parse: (syntax error at character \d+|unexpected end)/);
  });
});

// Property test: whatever a rule file holds (rule-shaped or not, any expr), the sub-check answers
// with findings or refuses with a CannotRunError naming the file, within a bounded time.
const EXPR_TOKENS = ["sum", "rate", "histogram_quantile", "(", ")", "[5m]", "{", "}", ",", "=~", "/", ">", "0.99", '"5.."', "le", "code", "by", "http_requests_total", "x_duration_seconds_bucket", "job:x:rate5m", '"', "#"];
const expr = fc.oneof(fc.array(fc.constantFrom(...EXPR_TOKENS), { maxLength: 30 }).map((t) => t.join(" ")), fc.string({ maxLength: 60 }), fc.integer());
const rule = fc.oneof(fc.record({ alert: fc.string({ maxLength: 10 }), expr }), fc.record({ record: fc.constantFrom("job:x:rate5m", "a:b:c", "x"), expr }), fc.anything({ maxDepth: 2 }));
const ruleFile = fc.oneof(
  fc.record({ groups: fc.array(fc.record({ name: fc.string({ maxLength: 6 }), rules: fc.array(rule, { maxLength: 6 }) }), { maxLength: 3 }) }),
  fc.record({ kind: fc.constant("PrometheusRule"), spec: fc.anything({ maxDepth: 3 }) }),
  fc.anything({ maxDepth: 3 }),
);

describe("alert rule properties", () => {
  it("any rule file gives findings or a refusal naming the file, never a crash, within 2 s", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "flightdeck-rules-"));
    let n = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.oneof(ruleFile.map((v) => stringify(v) ?? ""), fc.string({ unit: "binary", maxLength: 200 })), async (text) => {
          const file = path.join(dir, `r${++n}.yaml`);
          await writeFile(file, text);
          const t0 = Date.now();
          try {
            const outcome = await checkAlertRules([file], { signal: new AbortController().signal, log: async () => {}, now: Date.now, progress: async () => {} });
            for (const f of outcome.findings) expect(f.message).toMatch(/^(no (error-rate|latency) alert|(alerting|recording) rule .* does not parse)/s);
          } catch (e) {
            expect(e).toBeInstanceOf(CannotRunError);
            expect((e as CannotRunError).message).toContain(file);
          }
          expect(Date.now() - t0).toBeLessThan(2_000);
        }),
        { numRuns: 300 },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
