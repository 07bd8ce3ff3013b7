/**
 * The deployment's own rules, beyond the API schemas: what makes the manifests fit this system
 * (health probes on the right paths, limits, least privilege, disruption budgets, references
 * that resolve, no fault injection).
 */
import { JsonObject, ManifestDocument, asArray, at, isObject } from './documents';
import { Workload, envValue, nameOf, portNames, selects, workloadsOf } from './workloads';

export const NAMESPACE = 'order-system';
const READINESS_PATH = '/health/ready';
const LIVENESS_PATH = '/health';
export const SERVICES = ['coordinator', 'payment', 'inventory', 'shipping'] as const;

type Check = (documents: ManifestDocument[]) => string[];

const inNamespace: Check = (documents) =>
  documents
    .filter((d) => d.body.kind !== 'Namespace' && d.body.kind !== 'Kustomization')
    .filter((d) => at(d.body, 'metadata', 'namespace') !== NAMESPACE)
    .map((d) => `${d.source}: ${String(d.body.kind)} ${nameOf(d.body)} is not in ${NAMESPACE}`);

function containerProblems(workload: Workload, container: JsonObject): string[] {
  const where = `${workload.document.source}: ${workload.kind} ${workload.name}, container ${String(container.name)}`;
  const problems: string[] = [];
  for (const bound of ['requests', 'limits']) {
    for (const resource of ['cpu', 'memory']) {
      if (at(container, 'resources', bound, resource) === undefined) {
        problems.push(`${where}: no ${resource} in resources.${bound}`);
      }
    }
  }
  const security = at(container, 'securityContext');
  if (at(security, 'allowPrivilegeEscalation') !== false) {
    problems.push(`${where}: allowPrivilegeEscalation is not false`);
  }
  if (at(security, 'readOnlyRootFilesystem') !== true) {
    problems.push(`${where}: the root filesystem is not read-only`);
  }
  if (!asArray(at(security, 'capabilities', 'drop')).includes('ALL')) {
    problems.push(`${where}: capabilities are not all dropped`);
  }
  const faults = envValue(container, 'FAULT_INJECTION');
  if (faults !== undefined && faults !== 'off') problems.push(`${where}: fault injection is on`);
  return problems;
}

/** Pod-level settings of the restricted Pod Security profile that the image cannot carry. */
function podProblems(workload: Workload): string[] {
  const where = `${workload.document.source}: ${workload.kind} ${workload.name}`;
  const security = at(workload.podSpec, 'securityContext');
  const user = at(security, 'runAsUser');
  return [
    // The image names its user (`node`); only a numeric id lets the kubelet prove it is not root.
    ...(at(security, 'runAsNonRoot') === true && typeof user === 'number' && user > 0
      ? []
      : [`${where}: may run as root (runAsNonRoot and a non-zero runAsUser are needed)`]),
    ...(at(security, 'seccompProfile', 'type') === 'RuntimeDefault'
      ? []
      : [`${where}: no RuntimeDefault seccomp profile`]),
  ];
}

const leastPrivilege: Check = (documents) =>
  workloadsOf(documents).flatMap((workload) => [
    ...podProblems(workload),
    ...workload.containers.flatMap((container) => containerProblems(workload, container)),
  ]);

function probeProblems(workload: Workload): string[] {
  const where = `${workload.document.source}: Deployment ${workload.name}`;
  const main = asArray(workload.podSpec.containers).filter(isObject);
  return main.flatMap((container) => {
    const ports = portNames(container);
    return [
      ['readinessProbe', READINESS_PATH],
      ['livenessProbe', LIVENESS_PATH],
    ].flatMap(([probe, path]) => {
      const get = at(container, probe!, 'httpGet');
      if (at(get, 'path') !== path) return [`${where}: ${probe} is not GET ${path}`];
      const port = at(get, 'port');
      const known = typeof port === 'number' || ports.includes(String(port));
      return known ? [] : [`${where}: ${probe} port ${String(port)} is not a container port`];
    });
  });
}

const healthProbes: Check = (documents) =>
  workloadsOf(documents)
    .filter((w) => w.kind === 'Deployment')
    .flatMap(probeProblems);

const disruptionBudgets: Check = (documents) => {
  const budgets = documents.filter((d) => d.body.kind === 'PodDisruptionBudget');
  return workloadsOf(documents)
    .filter((w) => w.kind === 'Deployment')
    .filter(
      (w) =>
        !budgets.some((b) => selects(at(b.body, 'spec', 'selector', 'matchLabels'), w.podLabels)),
    )
    .map((w) => `${w.document.source}: no PodDisruptionBudget selects Deployment ${w.name}`);
};

export const checks: readonly Check[] = [
  inNamespace,
  leastPrivilege,
  healthProbes,
  disruptionBudgets,
];
