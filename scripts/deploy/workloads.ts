/**
 * Accessors for the pod templates of workload objects (Deployments and Jobs): their labels,
 * containers and volumes, read from untyped manifest documents.
 */
import { Json, JsonObject, ManifestDocument, asArray, at, isObject } from './documents';

export interface Workload {
  document: ManifestDocument;
  kind: string;
  name: string;
  podLabels: JsonObject;
  podSpec: JsonObject;
  /** Init containers first, then the containers. */
  containers: JsonObject[];
}

const workloadKinds = new Set(['Deployment', 'Job', 'StatefulSet', 'DaemonSet']);

export function nameOf(body: JsonObject): string {
  return String(at(body, 'metadata', 'name') ?? '');
}

export function workloadsOf(documents: ManifestDocument[]): Workload[] {
  return documents.flatMap((document) => {
    const kind = String(document.body.kind);
    if (!workloadKinds.has(kind)) return [];
    const template = at(document.body, 'spec', 'template');
    const podSpec = at(template, 'spec');
    if (!isObject(podSpec)) return [];
    const labels = at(template, 'metadata', 'labels');
    const containers = [...asArray(podSpec.initContainers), ...asArray(podSpec.containers)].filter(
      isObject,
    );
    return [
      {
        document,
        kind,
        name: nameOf(document.body),
        podLabels: isObject(labels) ? labels : {},
        podSpec,
        containers,
      },
    ];
  });
}

/** Does a label selector's matchLabels pick pods with these labels? */
export function selects(matchLabels: Json | undefined, podLabels: JsonObject): boolean {
  if (!isObject(matchLabels) || Object.keys(matchLabels).length === 0) return false;
  return Object.entries(matchLabels).every(([key, value]) => podLabels[key] === value);
}

/** The names of a container's ports. */
export function portNames(container: JsonObject): string[] {
  return asArray(container.ports)
    .map((port) => at(port, 'name'))
    .filter((name): name is string => typeof name === 'string');
}

/** The value of an environment variable set literally on a container, if any. */
export function envValue(container: JsonObject, name: string): Json | undefined {
  const entry = asArray(container.env).find((e) => at(e, 'name') === name);
  return at(entry, 'value');
}
