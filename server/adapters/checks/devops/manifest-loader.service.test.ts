import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { CannotRunError, type SubCheckContext } from "../check-io.ts";
import { devopsContext, fixture } from "./check-context.fixture.ts";
import { devopsRunner } from "./devops-runner.ts";
import { checkManifests } from "./manifests.ts";
import { judgedRun } from "../judged.fixture.ts";

// Manifests and rule files written to a temporary folder: what a release manager sees when one
// input is too large, too deep or built to expand, and that no input crashes or hangs the check.
let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "flightdeck-manifests-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeManifest(text: string, name = `m${++counter}.yaml`): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

const good = fixture("manifests-good/checkout.yaml");

describe("bounds on manifest files", () => {
  it("a file over 4 MiB is refused before it is read, naming the file and the limit", async () => {
    const big = await writeManifest(`apiVersion: v1\nkind: ConfigMap\nmetadata: { name: blob }\ndata:\n  blob: "${"x".repeat(4 * 1024 * 1024 + 10)}"\n`);
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [good, big] }));
    expect(result.status).toBe("error");
    expect(result.summary).toContain(`manifest file ${big} is 4 MiB, over the 4 MiB limit per file`);
  });

  it("a file just under the limit is read and checked", async () => {
    const under = await writeManifest(`apiVersion: v1\nkind: ConfigMap\nmetadata: { name: blob }\ndata:\n  blob: "${"x".repeat(3 * 1024 * 1024)}"\n`);
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [good, under] }));
    expect(result.status).toBe("passed");
  });

  it("YAML aliases built to expand exponentially (billion laughs) are refused, naming the file and document", async () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) levels.push(`${"abcdefghi"[i]}: &${"abcdefghi"[i]} [${Array(9).fill(`*${"abcdefghi"[i - 1]}`).join(", ")}]`);
    const laughs = await writeManifest(`apiVersion: v1\nkind: ConfigMap\nmetadata: { name: lol }\ndata:\n${levels.map((l) => `  ${l}`).join("\n")}\n`);
    const t0 = Date.now();
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [laughs] }));
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(result.status).toBe("error");
    expect(result.summary).toContain(`cannot read manifest file ${laughs} (document 1): its YAML aliases expand beyond the limit of 100`);
  });

  it("tens of thousands of aliases, each within the expansion limit, are refused before resolving them one by one", async () => {
    // The yaml package resolves each alias by scanning the aliases before it: 36 000 of them took
    // it about 15 s, and a 4 MiB file holds twenty times more.
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: many }\ndata:\n";
    for (let a = 0; a < 400; a++) text += `  k${a}: &a${a} v\n`;
    text += "items:\n";
    for (let a = 0; a < 400; a++) text += `  - [${Array(90).fill(`*a${a}`).join(", ")}]\n`;
    const many = await writeManifest(text);
    const t0 = Date.now();
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [many] }));
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(result.status).toBe("error");
    expect(result.summary).toContain(`manifest file ${many} (document 1) uses more than 1000 YAML aliases`);
  });

  it("nesting deeper than 200 levels is refused, naming the file, whether or not the parser's stack survives it", async () => {
    for (const depth of [250, 100_000]) {
      const deep = await writeManifest(`apiVersion: v1\nkind: ConfigMap\nmetadata: { name: deep }\ndata: ${"[".repeat(depth)}${"]".repeat(depth)}\n`);
      const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [deep] }));
      expect(result.status, `depth ${depth}`).toBe("error");
      expect(result.summary, `depth ${depth}`).toContain(`cannot read manifest file ${deep}`);
      expect(result.summary, `depth ${depth}`).toContain("nested more than 200 levels deep");
    }
  });

  it("more than 500 manifest files is refused as not one service's manifests", async () => {
    const many = path.join(dir, "many");
    await mkdir(many);
    for (let i = 0; i < 501; i++) await writeFile(path.join(many, `cm-${String(i).padStart(3, "0")}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cm-${i} }\n`);
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [many] }));
    expect(result.status).toBe("error");
    expect(result.summary).toContain(`501 manifest files under ${many}, more than the 500 one check reads`);
  });

  it("a run stopped part-way says, in its log, which manifest file it had reached", async () => {
    const second = fixture("manifests-kinds-good/jobs.yaml");
    const controller = new AbortController();
    const logs: string[] = [];
    const log = async (line: string) => {
      logs.push(line);
      if (line === `reading manifest file ${second}`) controller.abort(new Error("timed out after 60000 ms"));
    };
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [fixture("manifests-kinds-good")] }, { signal: controller.signal, log }));
    expect(result.status).toBe("error");
    expect(result.summary).toContain("cancelled before the checks finished: timed out after 60000 ms");
    expect(logs.filter((l) => l.startsWith("reading manifest file")).at(-1)).toBe(`reading manifest file ${second}`);
    expect(logs.some((l) => l.startsWith("DaemonSet/") || l.startsWith("Job/"))).toBe(false);
  });

  it("an alert rule file over 2 MiB is refused, naming the file", async () => {
    const rules = await writeManifest(`groups:\n  - name: big\n    rules:\n      - alert: Big\n        expr: up == 0\n        annotations: { note: "${"x".repeat(2 * 1024 * 1024)}" }\n`, "big.rules.yaml");
    const result = await judgedRun(devopsRunner, devopsContext({ manifestPaths: [good], alertRulePaths: [rules] }));
    expect(result.status).toBe("error");
    expect(result.summary).toContain(`alert rule file ${rules} is 2 MiB, over the 2 MiB limit per file`);
  });
});

// Property tests: whatever a manifest file holds, checkManifests answers with findings or refuses
// with a CannotRunError naming the file, and answers within a bounded time.
const KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "DeploymentConfig", "PodDisruptionBudget", "HorizontalPodAutoscaler", "List", "DeploymentList", "ConfigMap", "Service"];
const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.constant(null), fc.boolean(), fc.constantFrom("latest", "nginx:latest", "app@sha256:ab", "5..", "100%", 0));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, fc.array(tie("node"), { maxLength: 3 }), fc.dictionary(fc.constantFrom("spec", "template", "jobTemplate", "containers", "initContainers", "items", "metadata", "name", "labels", "selector", "matchLabels", "matchExpressions", "image", "resources", "replicas", "minAvailable", "maxUnavailable", "scaleTargetRef", "triggers", "kind"), tie("node"), { maxKeys: 5 })),
})).node;
const manifestLike = fc.record({ apiVersion: fc.constantFrom("apps/v1", "batch/v1", "apps.openshift.io/v1", "policy/v1", "v1"), kind: fc.constantFrom(...KINDS), metadata: fc.record({ name: fc.string({ minLength: 1, maxLength: 8 }), namespace: fc.option(fc.constantFrom("shop", "ops"), { nil: undefined }) }), spec: value, items: value });
const documents = fc.array(fc.oneof(manifestLike, value), { minLength: 1, maxLength: 4 }).map((docs) => docs.map((d) => stringify(d)).join("---\n"));
const yamlish = fc.array(fc.constantFrom("kind: ", "Deployment", "metadata:", "\n", "  ", "- ", "&a ", "*a ", "[", "]", "{", "}", ": ", "---\n", "'", '"', "#", "<<: *a", "!!map ", "%YAML 1.2\n", "name: x"), { maxLength: 80 }).map((t) => t.join(""));

function subContext(): SubCheckContext {
  return { signal: new AbortController().signal, log: async () => {}, now: Date.now, progress: async () => {} };
}

describe("manifest loader properties", () => {
  it("any file gives findings or a refusal naming the file, never a crash, within 2 s", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(documents, yamlish, fc.string({ unit: "binary", maxLength: 300 })), async (text) => {
        const file = await writeManifest(text);
        const t0 = Date.now();
        try {
          const outcome = await checkManifests([file], "production", subContext());
          for (const f of outcome.findings) expect(f.message).toMatch(/\S/);
          expect(outcome.checked).toMatch(/manifest file\(s\)/);
        } catch (e) {
          expect(e).toBeInstanceOf(CannotRunError);
          expect((e as CannotRunError).message).toContain(file);
        }
        expect(Date.now() - t0).toBeLessThan(2_000);
      }),
      { numRuns: 300 },
    );
  });
});
