/**
 * Rules that span several objects: every Service reaches pods, every ConfigMap or Secret a pod
 * uses exists (or is made by an operator), the four services are all there, and the shared
 * settings turn fault injection off.
 */
import { JsonObject, ManifestDocument, asArray, at, isObject } from './documents';
import { NAMESPACE, SERVICES } from './policy';
import { nameOf, portNames, selects, workloadsOf } from './workloads';

type Check = (documents: ManifestDocument[]) => string[];

function ofKind(documents: ManifestDocument[], kind: string): ManifestDocument[] {
  return documents.filter((d) => d.body.kind === kind);
}

const servicesReachPods: Check = (documents) => {
  const workloads = workloadsOf(documents).filter((w) => w.kind === 'Deployment');
  return ofKind(documents, 'Service').flatMap((service) => {
    const where = `${service.source}: Service ${nameOf(service.body)}`;
    const selector = at(service.body, 'spec', 'selector');
    const target = workloads.find((w) => selects(selector, w.podLabels));
    if (!target) return [`${where} selects no Deployment's pods`];
    const ports = target.containers.flatMap(portNames);
    return asArray(at(service.body, 'spec', 'ports'))
      .map((port) => at(port, 'targetPort'))
      .filter((port) => typeof port === 'string' && !ports.includes(port))
      .map((port) => `${where}: targetPort ${String(port)} is not a port of ${target.name}`);
  });
};

/** Secrets the operators create for the clusters declared here. */
function operatorSecrets(documents: ManifestDocument[]): string[] {
  return [
    ...ofKind(documents, 'Cluster').map((d) => `${nameOf(d.body)}-superuser`),
    ...ofKind(documents, 'Cluster').map((d) => `${nameOf(d.body)}-app`),
    ...ofKind(documents, 'RabbitmqCluster').map((d) => `${nameOf(d.body)}-default-user`),
  ];
}

/** Every ConfigMap and Secret name a pod spec refers to, found anywhere in it. */
function referencedNames(value: unknown, found: { configMaps: string[]; secrets: string[] }) {
  if (Array.isArray(value)) value.forEach((item) => referencedNames(item, found));
  if (!isObject(value)) return found;
  for (const [key, child] of Object.entries(value)) {
    const name = at(child, 'name');
    if (
      (key === 'configMapRef' || key === 'configMapKeyRef' || key === 'configMap') &&
      typeof name === 'string'
    ) {
      found.configMaps.push(name);
    }
    if ((key === 'secretRef' || key === 'secretKeyRef') && typeof name === 'string')
      found.secrets.push(name);
    const secretName = at(child, 'secretName');
    if (key === 'secret' && typeof secretName === 'string') found.secrets.push(secretName);
    referencedNames(child, found);
  }
  return found;
}

const referencesResolve: Check = (documents) => {
  const configMaps = ofKind(documents, 'ConfigMap').map((d) => nameOf(d.body));
  const secrets = [
    ...ofKind(documents, 'Secret').map((d) => nameOf(d.body)),
    ...operatorSecrets(documents),
  ];
  return workloadsOf(documents).flatMap((w) => {
    const found = referencedNames(w.podSpec, { configMaps: [], secrets: [] });
    return [
      ...found.configMaps.filter((n) => !configMaps.includes(n)).map((n) => `ConfigMap ${n}`),
      ...found.secrets.filter((n) => !secrets.includes(n)).map((n) => `Secret ${n}`),
    ].map(
      (missing) =>
        `${w.document.source}: ${w.kind} ${w.name} uses ${missing}, which is not declared`,
    );
  });
};

const everyServiceDeployed: Check = (documents) => {
  const deployments = ofKind(documents, 'Deployment');
  return SERVICES.flatMap((service) => {
    const deployment = deployments.find((d) => nameOf(d.body) === service);
    if (!deployment) return [`no Deployment ${service} in ${NAMESPACE}`];
    const replicas = at(deployment.body, 'spec', 'replicas');
    const wanted = service === 'coordinator' ? 2 : 1;
    return typeof replicas === 'number' && replicas >= wanted
      ? []
      : [
          `${deployment.source}: Deployment ${service} has ${String(replicas)} replicas, wants at least ${wanted}`,
        ];
  });
};

const faultInjectionOff: Check = (documents) =>
  ofKind(documents, 'ConfigMap')
    .filter((d) => {
      const data = at(d.body, 'data');
      return isObject(data) && 'FAULT_INJECTION' in data && data.FAULT_INJECTION !== 'off';
    })
    .map((d) => `${d.source}: ConfigMap ${nameOf(d.body)} turns fault injection on`);

/** Kustomization: every listed file exists, and every manifest but the templates is listed. */
export function kustomizationProblems(
  kustomization: JsonObject,
  files: readonly string[],
): string[] {
  const listed = asArray(kustomization.resources).map(String);
  const manifests = files.filter(
    (f) => f !== 'kustomization.yaml' && !f.endsWith('.template.yaml'),
  );
  return [
    ...listed
      .filter((f) => !files.includes(f))
      .map((f) => `kustomization.yaml lists ${f}, which does not exist`),
    ...manifests
      .filter((f) => !listed.includes(f))
      .map((f) => `kustomization.yaml does not list ${f}`),
  ];
}

export const referenceChecks: readonly Check[] = [
  servicesReachPods,
  referencesResolve,
  everyServiceDeployed,
  faultInjectionOff,
];
