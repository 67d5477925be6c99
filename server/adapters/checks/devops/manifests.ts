import type { EnvironmentName } from "../../../core/types.ts";
import type { CheckFinding } from "../../../engine/ports.ts";
import { loadManifests, sameNamespace, selectorMatches, type ManifestObject } from "./manifest-loader.ts";
import { CannotRunError, isRecord, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";

/** What a kind of workload is held to. */
type WorkloadRules = {
  /** where its pod template sits, from the object's root */
  template: readonly string[];
  /** a liveness probe on every container */
  liveness: boolean;
  /** a readiness probe on every container */
  readiness: boolean;
  /** serves through disruptions: ≥ 2 replicas in production, a PodDisruptionBudget, an autoscaler */
  replicated: boolean;
};

const SERVING: Omit<WorkloadRules, "template"> = { liveness: true, readiness: true, replicated: true };
/**
 * The workloads whose pod templates are checked, and which rules apply to each. A DaemonSet runs
 * one pod per node: no replica count, and drains skip its pods (no PodDisruptionBudget), but its
 * rolling update moves to the next node once a pod is ready, so it needs both probes. A Job runs
 * to completion: no probes required (activeDeadlineSeconds bounds a hang), nothing to keep serving.
 */
export const WORKLOAD_RULES: Readonly<Record<string, WorkloadRules>> = {
  Deployment: { template: ["spec", "template"], ...SERVING },
  StatefulSet: { template: ["spec", "template"], ...SERVING },
  // OpenShift's apps.openshift.io/v1 DeploymentConfig: a Deployment with triggers.
  DeploymentConfig: { template: ["spec", "template"], ...SERVING },
  DaemonSet: { template: ["spec", "template"], liveness: true, readiness: true, replicated: false },
  Job: { template: ["spec", "template"], liveness: false, readiness: false, replicated: false },
  CronJob: { template: ["spec", "jobTemplate", "spec", "template"], liveness: false, readiness: false, replicated: false },
};
/** Production keeps serving through a node drain or a crashed pod only with two replicas or more. */
const MIN_PRODUCTION_REPLICAS = 2;
const RESOURCE_KEYS = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;

/**
 * Validates the Kubernetes manifests: for every workload (WORKLOAD_RULES), its containers'
 * resources, probes and images, and for those that serve, their replicas and that a
 * PodDisruptionBudget that protects something and a HorizontalPodAutoscaler cover them. Files
 * holding only other kinds (ConfigMap, Service, …) have nothing to check: an info finding.
 */
export async function checkManifests(paths: readonly string[], environment: EnvironmentName, ctx: SubCheckContext): Promise<SubCheckOutcome> {
  const set = await loadManifests(paths, ctx.signal, async (file, i, total) => {
    await ctx.log(`reading manifest file ${file}`);
    await ctx.progress((i / total) * 0.5);
  });
  for (const line of set.skipped) await ctx.log(`skipped ${line}`);
  // Files without a single Kubernetes object are most likely the wrong folder: nothing was validated.
  if (set.objects.length === 0) throw new CannotRunError(`no Kubernetes objects in ${set.files.length} manifest file(s): ${set.files.join(", ")}`);
  const workloads = set.objects.filter((o) => Object.hasOwn(WORKLOAD_RULES, o.kind));
  const pdbs = set.objects.filter((o) => o.kind === "PodDisruptionBudget");
  const hpas = set.objects.filter((o) => o.kind === "HorizontalPodAutoscaler");
  const findings: CheckFinding[] = pdbs.flatMap(budgetFindings);
  if (workloads.length === 0) {
    const kinds = [...new Set(set.objects.map((o) => o.kind))].sort().join(", ");
    await ctx.log(`${set.objects.length} object(s) in ${set.files.length} file(s), no workloads: nothing to check`);
    findings.push({ severity: "info", message: `no workloads to check: the manifests hold only ${kinds}`, evidence: set.files.join(", ") });
    return { findings, checked: `no workloads in ${set.files.length} manifest file(s) (only ${kinds})` };
  }
  await ctx.log(`${set.objects.length} object(s) in ${set.files.length} file(s); checking ${workloads.length} workload(s) for ${environment}`);

  for (const workload of workloads) {
    let found: CheckFinding[];
    try {
      found = checkWorkload(workload, environment, pdbs, hpas);
    } catch (e) {
      // Whatever the object holds, the release manager learns which one stopped the check.
      throw CannotRunError.after(new CannotRunError(`could not check ${workload.kind}/${workload.name} in ${workload.file} (document ${workload.document}): unexpected failure (${e instanceof Error ? e.name : typeof e})`), findings);
    }
    await ctx.log(`${workload.kind}/${workload.name}: ${found.length === 0 ? "ok" : `${found.length} finding(s)`}`);
    findings.push(...found);
  }
  return { findings, checked: `${workloads.length} workload(s) in ${set.files.length} manifest file(s)` };
}

function checkWorkload(workload: ManifestObject, environment: EnvironmentName, pdbs: ManifestObject[], hpas: ManifestObject[]): CheckFinding[] {
  const rules = WORKLOAD_RULES[workload.kind];
  if (rules === undefined) return [];
  const id = `${workload.kind}/${workload.name}`;
  const evidence = `${workload.file} (document ${workload.document})`;
  const finding = (severity: CheckFinding["severity"], message: string, detail?: string): CheckFinding => ({
    severity,
    message: `${id}: ${message}`,
    evidence: detail === undefined ? evidence : `${detail} — ${evidence}`,
  });

  const spec = record(workload.body.spec);
  const template = record(rules.template.reduce<unknown>((at, key) => record(at)[key], workload.body));
  const podSpec = record(template.spec);
  const labels = stringLabels(record(template.metadata).labels);
  const containers = array(podSpec.containers);
  const findings: CheckFinding[] = [];

  if (containers.length === 0) findings.push(finding("high", `pod template has no containers`, `looked at ${rules.template.join(".")}`));
  for (const [i, raw] of containers.entries()) {
    const container = record(raw);
    const name = typeof container.name === "string" ? container.name : `#${i + 1}`;
    const missing = missingResources(record(container.resources));
    if (missing.length > 0) findings.push(finding("high", `container ${name} has no resources ${missing.join(", ")}`, "unbounded containers starve their neighbours and cannot be scheduled reliably"));
    if (rules.liveness && container.livenessProbe === undefined) findings.push(finding("high", `container ${name} has no liveness probe`, "a hung process is never restarted"));
    if (rules.readiness && container.readinessProbe === undefined) findings.push(finding("high", `container ${name} has no readiness probe`, "traffic reaches pods before they can serve it"));
  }
  // Init containers run the release's code too: their images must be pinned as well.
  const triggered = workload.kind === "DeploymentConfig" ? imageChangeTriggers(spec.triggers) : new Map<string, string>();
  for (const [i, raw] of [...containers, ...array(podSpec.initContainers)].entries()) {
    const container = record(raw);
    const name = typeof container.name === "string" ? container.name : `#${i + 1}`;
    // An OpenShift ImageChange trigger fills the image in from an image stream tag at deploy time.
    const fromTrigger = triggered.get(name);
    const problem = fromTrigger === undefined ? imageProblem(container.image) : imageProblem(fromTrigger);
    const source = fromTrigger === undefined ? "" : " (from its ImageChange trigger)";
    if (problem !== null) findings.push(finding("high", `container ${name}${source} ${problem}`, "the version that runs is not the version that was reviewed, and a roll back may not restore it"));
  }
  if (!rules.replicated) return findings;

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

/**
 * A PodDisruptionBudget that lets a drain evict every pod: policy/v1 has no default, so with
 * neither minAvailable nor maxUnavailable the disruption controller allows every eviction; so do
 * minAvailable 0 and maxUnavailable 100%.
 */
function budgetFindings(pdb: ManifestObject): CheckFinding[] {
  const spec = record(pdb.body.spec);
  const { minAvailable, maxUnavailable } = spec;
  const unset = (v: unknown) => v === undefined || v === null;
  let why: string | null = null;
  if (unset(minAvailable) && unset(maxUnavailable)) why = "sets neither minAvailable nor maxUnavailable";
  else if (minAvailable === 0 || minAvailable === "0%") why = `sets minAvailable ${String(minAvailable)}`;
  else if (maxUnavailable === "100%") why = "sets maxUnavailable 100%";
  if (why === null) return [];
  return [{ severity: "medium", message: `PodDisruptionBudget/${pdb.name}: ${why}, so it protects nothing`, evidence: `a node drain may evict every pod it selects — ${pdb.file} (document ${pdb.document})` }];
}

/** Container name → the image stream tag or image its ImageChange trigger deploys. */
function imageChangeTriggers(triggers: unknown): Map<string, string> {
  const byContainer = new Map<string, string>();
  for (const raw of array(triggers)) {
    const trigger = record(raw);
    if (trigger.type !== "ImageChange") continue;
    const params = record(trigger.imageChangeParams);
    const from = record(params.from).name;
    for (const name of array(params.containerNames)) if (typeof name === "string") byContainer.set(name, typeof from === "string" ? from : "");
  }
  return byContainer;
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
