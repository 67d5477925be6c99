import { CannotRunError, collectYamlFiles, isRecord } from "../check-io.ts";
import { MANIFEST_LIMITS, readBoundedYaml, type YamlLimits } from "./bounded-yaml.ts";

/** More files than this is a whole repository, not one service's manifests. */
export const MAX_MANIFEST_FILES = 500;

/** One Kubernetes object from the manifests, with where it was found. */
export type ManifestObject = {
  kind: string;
  name: string;
  /** undefined when the manifest leaves it to `kubectl apply -n` */
  namespace: string | undefined;
  /** the whole object as parsed */
  body: Record<string, unknown>;
  /** absolute path of its file */
  file: string;
  /** 1-based position of its document in the file */
  document: number;
};

/** The objects of a manifest set, and the documents skipped because they are not Kubernetes objects. */
export type ManifestSet = { files: string[]; objects: ManifestObject[]; skipped: string[] };

/**
 * Reads every document of every manifest file, within MANIFEST_LIMITS, telling `onFile` before each
 * file. A YAML syntax error, a file too large or a document too deep anywhere stops the check
 * naming the file: validating the rest would pass a set that cannot be applied.
 */
export async function loadManifests(paths: readonly string[], signal: AbortSignal, onFile: (file: string, index: number, total: number) => Promise<void> = async () => {}, limits: YamlLimits = MANIFEST_LIMITS): Promise<ManifestSet> {
  const files = await collectYamlFiles(paths, "manifest");
  if (files.length > MAX_MANIFEST_FILES) throw new CannotRunError(`${files.length} manifest files under ${paths.join(", ")}, more than the ${MAX_MANIFEST_FILES} one check reads; point it at the service's own manifests`);
  const objects: ManifestObject[] = [];
  const skipped: string[] = [];
  for (const [i, file] of files.entries()) {
    // A run stopped part-way (cancelled, timed out) stops between files; the log names the last one read.
    if (signal.aborted) throw signal.reason;
    await onFile(file, i, files.length);
    for (const { value, document, where } of await readBoundedYaml(file, "manifest file", signal, limits)) {
      for (const item of expandList(value)) {
        const object = toManifestObject(item, file, document);
        if (object === null) skipped.push(`${where}: not a Kubernetes object (no kind and metadata.name)`);
        else objects.push(object);
      }
    }
  }
  return { files, objects, skipped };
}

// `kubectl get -o yaml` exports a `kind: List` (and typed lists such as `DeploymentList`) whose
// items are the objects; a list inside a list is not something kubectl writes.
// The API's typed lists leave the kind off their items: a DeploymentList's items are Deployments.
function expandList(value: unknown): unknown[] {
  if (!isRecord(value) || typeof value.kind !== "string" || !value.kind.endsWith("List") || !Array.isArray(value.items)) return [value];
  const itemKind = value.kind === "List" ? undefined : value.kind.slice(0, -"List".length);
  return value.items.map((item) => (itemKind !== undefined && isRecord(item) && item.kind === undefined ? { ...item, kind: itemKind } : item));
}

function toManifestObject(value: unknown, file: string, document: number): ManifestObject | null {
  if (!isRecord(value) || typeof value.kind !== "string" || !isRecord(value.metadata)) return null;
  const { name, namespace } = value.metadata;
  if (typeof name !== "string") return null;
  return { kind: value.kind, name, namespace: typeof namespace === "string" ? namespace : undefined, body: value, file, document };
}

/** Whether two objects land in the same namespace; one left to `kubectl apply -n` may be either. */
export function sameNamespace(a: ManifestObject, b: ManifestObject): boolean {
  return a.namespace === undefined || b.namespace === undefined || a.namespace === b.namespace;
}

/**
 * Whether a Kubernetes label selector (matchLabels + matchExpressions) selects these labels. An
 * empty selector selects every pod (policy/v1 PodDisruptionBudget semantics); a malformed one none.
 */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!isRecord(selector)) return false;
  const { matchLabels, matchExpressions } = selector;
  if (matchLabels !== undefined) {
    if (!isRecord(matchLabels)) return false;
    for (const [key, value] of Object.entries(matchLabels)) if (labels[key] !== String(value)) return false;
  }
  if (matchExpressions !== undefined) {
    if (!Array.isArray(matchExpressions)) return false;
    for (const expr of matchExpressions) if (!expressionMatches(expr, labels)) return false;
  }
  return true;
}

function expressionMatches(expr: unknown, labels: Record<string, string>): boolean {
  if (!isRecord(expr) || typeof expr.key !== "string") return false;
  const values = Array.isArray(expr.values) ? expr.values.map(String) : [];
  const has = Object.hasOwn(labels, expr.key);
  const value = labels[expr.key];
  switch (expr.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    default:
      return false;
  }
}
