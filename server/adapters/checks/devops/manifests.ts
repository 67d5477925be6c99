import type { EnvironmentName } from "../../../core/types.ts";
import type { CheckFinding } from "../../../engine/ports.ts";
import { loadManifests, sameNamespace, selectorMatches, type ManifestObject } from "./manifest-loader.ts";
import { CannotRunError, isRecord, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";

/** The workloads whose pod templates are checked. */
const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet"]);
/** Production keeps serving through a node drain or a crashed pod only with two replicas or more. */
const MIN_PRODUCTION_REPLICAS = 2;
const RESOURCE_KEYS = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;

/**
 * Validates the Kubernetes manifests: for every Deployment and StatefulSet, its containers'
 * resources, probes and images, its replicas, and that a PodDisruptionBudget and a
 * HorizontalPodAutoscaler cover it.
 */
export async function checkManifests(paths: readonly string[], environment: EnvironmentName, ctx: SubCheckContext): Promise<SubCheckOutcome> {
  const set = await loadManifests(paths, ctx.signal);
  for (const line of set.skipped) await ctx.log(`skipped ${line}`);
  const workloads = set.objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
  // Manifests without a single workload are most likely the wrong folder: nothing was validated.
  if (workloads.length === 0) throw new CannotRunError(`no Deployment or StatefulSet in ${set.files.length} manifest file(s): ${set.files.join(", ")}`);
  await ctx.log(`${set.objects.length} object(s) in ${set.files.length} file(s); checking ${workloads.length} workload(s) for ${environment}`);

  const pdbs = set.objects.filter((o) => o.kind === "PodDisruptionBudget");
  const hpas = set.objects.filter((o) => o.kind === "HorizontalPodAutoscaler");
  const findings: CheckFinding[] = [];
  for (const workload of workloads) {
    const found = checkWorkload(workload, environment, pdbs, hpas);
    await ctx.log(`${workload.kind}/${workload.name}: ${found.length === 0 ? "ok" : `${found.length} finding(s)`}`);
    findings.push(...found);
  }
  return { findings, checked: `${workloads.length} workload(s) in ${set.files.length} manifest file(s)` };
}

function checkWorkload(workload: ManifestObject, environment: EnvironmentName, pdbs: ManifestObject[], hpas: ManifestObject[]): CheckFinding[] {
  const id = `${workload.kind}/${workload.name}`;
  const evidence = `${workload.file} (document ${workload.document})`;
  const finding = (severity: CheckFinding["severity"], message: string, detail?: string): CheckFinding => ({
    severity,
    message: `${id}: ${message}`,
    evidence: detail === undefined ? evidence : `${detail} — ${evidence}`,
  });

  const spec = record(workload.body.spec);
  const template = record(spec.template);
  const podSpec = record(template.spec);
  const labels = stringLabels(record(template.metadata).labels);
  const containers = array(podSpec.containers);
  const findings: CheckFinding[] = [];

  if (containers.length === 0) findings.push(finding("high", "pod template has no containers"));
  for (const [i, raw] of containers.entries()) {
    const container = record(raw);
    const name = typeof container.name === "string" ? container.name : `#${i + 1}`;
    const missing = missingResources(record(container.resources));
    if (missing.length > 0) findings.push(finding("high", `container ${name} has no resources ${missing.join(", ")}`, "unbounded containers starve their neighbours and cannot be scheduled reliably"));
    if (container.livenessProbe === undefined) findings.push(finding("high", `container ${name} has no liveness probe`, "a hung process is never restarted"));
    if (container.readinessProbe === undefined) findings.push(finding("high", `container ${name} has no readiness probe`, "traffic reaches pods before they can serve it"));
  }
  // Init containers run the release's code too: their images must be pinned as well.
  for (const [i, raw] of [...containers, ...array(podSpec.initContainers)].entries()) {
    const container = record(raw);
    const name = typeof container.name === "string" ? container.name : `#${i + 1}`;
    const problem = imageProblem(container.image);
    if (problem !== null) findings.push(finding("high", `container ${name} ${problem}`, "the version that runs is not the version that was reviewed, and a roll back may not restore it"));
  }

  const hpa = hpas.find((h) => sameNamespace(h, workload) && targets(h, workload));
  const replicas = minimumReplicas(spec.replicas, hpa);
  if (replicas.count < MIN_PRODUCTION_REPLICAS) {
    const severity = environment === "production" ? "high" : "info";
    findings.push(finding(severity, `runs ${replicas.count} replica(s) (${replicas.source}); at least ${MIN_PRODUCTION_REPLICAS} required in production`));
  }
  if (!pdbs.some((p) => sameNamespace(p, workload) && Object.keys(labels).length > 0 && selectorMatches(record(p.body.spec).selector, labels))) {
    findings.push(finding("medium", "no PodDisruptionBudget selects its pods", `pod labels ${JSON.stringify(labels)}`));
  }
  if (hpa === undefined) findings.push(finding("medium", "no HorizontalPodAutoscaler targets it", `no scaleTargetRef with kind ${workload.kind} and name ${workload.name}`));
  return findings;
}

function missingResources(resources: Record<string, unknown>): string[] {
  return RESOURCE_KEYS.filter((key) => {
    const [group, resource] = key.split(".") as [string, string];
    const value = record(resources[group])[resource];
    return value === undefined || value === null || value === "";
  });
}

/** What is wrong with an image reference, or null when it is pinned to a tag or digest. */
export function imageProblem(image: unknown): string | null {
  if (typeof image !== "string" || image.trim() === "") return "has no image";
  if (image.includes("@")) return null; // pinned by digest
  // The tag follows the last ":" after the last "/"; a ":" before it is a registry port.
  const lastPart = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastPart.indexOf(":");
  if (colon === -1) return `image ${image} is untagged (pulls :latest)`;
  if (lastPart.slice(colon + 1) === "latest") return `image ${image} uses the :latest tag`;
  return null;
}

function targets(hpa: ManifestObject, workload: ManifestObject): boolean {
  const ref = record(record(hpa.body.spec).scaleTargetRef);
  return ref.kind === workload.kind && ref.name === workload.name;
}

// With an autoscaler, its minReplicas is the floor the workload can drop to (spec.replicas is
// only the starting point); without one, spec.replicas, which Kubernetes defaults to 1.
function minimumReplicas(replicas: unknown, hpa: ManifestObject | undefined): { count: number; source: string } {
  if (hpa !== undefined) {
    const min = record(hpa.body.spec).minReplicas;
    return typeof min === "number" ? { count: min, source: `HorizontalPodAutoscaler/${hpa.name} minReplicas` } : { count: 1, source: `HorizontalPodAutoscaler/${hpa.name} minReplicas defaults to 1` };
  }
  return typeof replicas === "number" ? { count: replicas, source: "spec.replicas" } : { count: 1, source: "spec.replicas absent, defaults to 1" };
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function stringLabels(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(record(value)).map(([k, v]) => [k, String(v)]));
}
