import { describe, expect, it } from "vitest";
import { devopsContext, fixture } from "./check-context.fixture.ts";
import { devopsRunner } from "./devops-runner.ts";
import { imageProblem } from "./manifests.ts";
import { judgedRun } from "../judged.fixture.ts";

// Real manifest files under ./fixtures, parsed with the same YAML parser the runner uses.
describe("Kubernetes manifests", () => {
  it("a production-ready manifest set passes, with progress to 100 and a log of what was checked", async () => {
    const ctx = devopsContext({ manifestPaths: [fixture("manifests-good")] });
    const result = await judgedRun(devopsRunner, ctx);
    expect(result.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(result.status).toBe("passed");
    expect(result.summary).toContain("2 workload(s) in 2 manifest file(s)");
    expect(ctx.progressSeen.at(-1)).toBe(100);
    expect(ctx.logs).toContain("Deployment/checkout: ok");
    expect(ctx.logs).toContain("StatefulSet/ledger: ok");
  });

  it("reports every defect of a bad workload, naming kind/name, container and file", async () => {
    const file = fixture("manifests-defective/payments.yaml");
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [file] }));
    expect(result.status).toBe("failed");
    const found = result.findings.filter((f) => f.message.startsWith("Deployment/payments")).map((f) => [f.severity, f.message]);
    expect(found).toEqual(
      expect.arrayContaining([
        ["high", "Deployment/payments: container api has no resources limits.cpu, limits.memory"],
        ["high", "Deployment/payments: container sidecar has no resources requests.cpu, requests.memory, limits.cpu, limits.memory"],
        ["high", "Deployment/payments: container api has no liveness probe"],
        ["high", "Deployment/payments: container api has no readiness probe"],
        ["high", "Deployment/payments: container sidecar has no liveness probe"],
        ["high", "Deployment/payments: container sidecar has no readiness probe"],
        ["high", "Deployment/payments: container api image registry.example.com/shop/payments:latest uses the :latest tag"],
        ["high", "Deployment/payments: container sidecar image envoyproxy/envoy is untagged (pulls :latest)"],
        ["high", "Deployment/payments: runs 1 replica(s) (spec.replicas); at least 2 required in production"],
        ["medium", "Deployment/payments: no PodDisruptionBudget selects its pods"],
        ["medium", "Deployment/payments: no HorizontalPodAutoscaler targets it"],
      ]),
    );
    expect(found).toHaveLength(11);
    for (const f of result.findings.filter((x) => x.message.startsWith("Deployment/payments"))) expect(f.evidence).toContain(`${file} (document 1)`);
  });

  it("a single replica is only information in staging", async () => {
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [fixture("manifests-defective")], environment: "staging" }));
    const replicas = result.findings.find((f) => f.message.includes("replica(s)"));
    expect(replicas?.severity).toBe("info");
    expect(result.status).toBe("failed"); // the other defects still block
  });

  it("takes the environment from the run when the configuration names none", async () => {
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [fixture("manifests-defective")] }, { environment: "staging" }));
    expect(result.findings.find((f) => f.message.includes("replica(s)"))?.severity).toBe("info");
  });

  it("a YAML syntax error is an error with the parser's message and the file, not a pass", async () => {
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [fixture("manifests-good"), fixture("manifests-broken")] }));
    expect(result.status).toBe("error");
    expect(result.summary).toContain(`YAML syntax error in ${fixture("manifests-broken/app.yaml")} (document 2)`);
    expect(result.summary).toMatch(/flow sequence|unclosed|Missing/i);
  });

  it("a missing path, a folder with no YAML, or YAML with no Kubernetes objects at all is an error", async () => {
    const missing = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [fixture("no-such-folder")] }));
    expect(missing.status).toBe("error");
    expect(missing.summary).toContain("manifest path not found");
    const noWorkloads = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [fixture("flags")] }));
    expect(noWorkloads.status).toBe("error");
    expect(noWorkloads.summary).toContain("no *.yaml or *.yml manifest files");
    const rulesOnly = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [fixture("alerts-complete")] }));
    expect(rulesOnly.status).toBe("error");
    expect(rulesOnly.summary).toContain("no Kubernetes objects in 1 manifest file(s)");
  });
});

describe("workload kinds", () => {
  const kindsOf = (findings: { message: string }[], id: string) => findings.filter((f) => f.message.startsWith(`${id}:`)).map((f) => f.message.slice(id.length + 2));

  it("production-ready DaemonSets, Jobs, CronJobs, DeploymentConfigs and a kubectl List pass, each checked", async () => {
    const ctx = devopsContext({ manifestPaths: [fixture("manifests-kinds-good")] });
    const result = await judgedRun(devopsRunner, ctx);
    expect(result.findings.filter((f) => f.severity !== "info")).toEqual([]);
    expect(result.status).toBe("passed");
    expect(result.summary).toContain("5 workload(s) in 4 manifest file(s)");
    for (const id of ["DaemonSet/node-agent", "Job/db-migrate", "CronJob/nightly-report", "DeploymentConfig/storefront", "Deployment/search"]) expect(ctx.logs).toContain(`${id}: ok`);
  });

  it("a DaemonSet is held to probes, limits and pinned images, but not to replicas, a budget or an autoscaler", async () => {
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [fixture("manifests-kinds-defective/log-shipper.yaml")] }));
    expect(result.status).toBe("failed");
    expect(kindsOf(result.findings, "DaemonSet/log-shipper")).toEqual(["container shipper has no readiness probe", "container shipper image fluent/fluent-bit:latest uses the :latest tag"]);
  });

  it("a Job and a CronJob (pod template under jobTemplate) are held to limits and pinned images only", async () => {
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [fixture("manifests-kinds-defective/batch.yaml")] }));
    expect(result.status).toBe("failed");
    expect(kindsOf(result.findings, "Job/reindex")).toEqual(["container reindex has no resources limits.cpu, limits.memory", "container reindex image registry.example.com/shop/reindex is untagged (pulls :latest)"]);
    expect(kindsOf(result.findings, "CronJob/cleanup")).toEqual([
      "container cleanup has no resources requests.cpu, requests.memory, limits.cpu, limits.memory",
      "container cleanup image registry.example.com/shop/cleanup:latest uses the :latest tag",
    ]);
  });

  it("an OpenShift DeploymentConfig gets every Deployment rule, its image read from its ImageChange trigger", async () => {
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [fixture("manifests-kinds-defective/legacy-api-dc.yaml")] }));
    expect(result.status).toBe("failed");
    expect(kindsOf(result.findings, "DeploymentConfig/legacy-api")).toEqual([
      "container api has no readiness probe",
      "container api (from its ImageChange trigger) image legacy-api:latest uses the :latest tag",
      "runs 1 replica(s) (spec.replicas); at least 2 required in production",
      "no HorizontalPodAutoscaler targets it",
    ]);
  });

  it("a PodDisruptionBudget with neither minAvailable nor maxUnavailable is a finding; one with either is not", async () => {
    const empty = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [fixture("manifests-kinds-defective/legacy-api-dc.yaml")] }));
    const budget = empty.findings.find((f) => f.message.startsWith("PodDisruptionBudget/"));
    expect(budget).toMatchObject({ severity: "medium", message: "PodDisruptionBudget/legacy-api: sets neither minAvailable nor maxUnavailable, so it protects nothing" });
    expect(budget?.evidence).toContain(`${fixture("manifests-kinds-defective/legacy-api-dc.yaml")} (document 2)`);
    const good = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [fixture("manifests-good"), fixture("manifests-kinds-good")] }));
    expect(good.findings.filter((f) => f.message.startsWith("PodDisruptionBudget/"))).toEqual([]);
  });

  it("the items of a typed list (DeploymentList) are checked as the list's kind", async () => {
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [fixture("manifests-kinds-defective/workers-list.yaml")] }));
    expect(kindsOf(result.findings, "Deployment/worker")).toEqual(
      expect.arrayContaining(["container worker has no liveness probe", "container worker has no readiness probe", "no PodDisruptionBudget selects its pods"]),
    );
  });

  it("files holding only a ConfigMap and a Service have nothing to check: information, not an error", async () => {
    const ctx = devopsContext({ manifestPaths: [fixture("manifests-config-only")] });
    const result = await judgedRun(devopsRunner, ctx);
    expect(result.status).toBe("passed");
    expect(result.findings.map((f) => [f.severity, f.message])).toContainEqual(["info", "no workloads to check: the manifests hold only ConfigMap, Service"]);
    expect(result.checks.find((c) => c.name === "Kubernetes manifests")).toMatchObject({ outcome: "ran", detail: "no workloads in 1 manifest file(s) (only ConfigMap, Service)" });
  });
});

describe("image references", () => {
  it("tells pinned images from floating ones", () => {
    expect(imageProblem("nginx:1.27.3")).toBeNull();
    expect(imageProblem("localhost:5000/team/app:2.1.0")).toBeNull();
    expect(imageProblem("app@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945")).toBeNull();
    expect(imageProblem("localhost:5000/team/app")).toBe("image localhost:5000/team/app is untagged (pulls :latest)");
    expect(imageProblem("nginx:latest")).toBe("image nginx:latest uses the :latest tag");
    expect(imageProblem(undefined)).toBe("has no image");
  });
});
