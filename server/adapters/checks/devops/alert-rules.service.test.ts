import { describe, expect, it } from "vitest";
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
