import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  JsonObject,
  ManifestDocument,
  at,
  parseDocuments,
  readYamlFolder,
} from '../../scripts/deploy/documents';
import { kustomizationProblems } from '../../scripts/deploy/references';
import { validateDocuments, validateFolder } from '../../scripts/deploy/validate';

const k8s = path.join(__dirname, '..', '..', 'k8s');

/** The real manifests, with one object changed by `edit` (a deep copy: the files stay as they are). */
function manifestsWith(
  kind: string,
  name: string,
  edit: (body: JsonObject) => void,
): ManifestDocument[] {
  const documents = readYamlFolder(k8s).map((d) => ({ ...d, body: structuredClone(d.body) }));
  const target = documents.find(
    (d) => d.body.kind === kind && at(d.body, 'metadata', 'name') === name,
  );
  if (!target) throw new Error(`no ${kind} ${name} in k8s/`);
  edit(target.body);
  return documents;
}

function containerOf(body: JsonObject): JsonObject {
  return (at(body, 'spec', 'template', 'spec', 'containers') as JsonObject[])[0]!;
}

describe('deployment manifests — k8s/', () => {
  it('given the manifests as committed, when validated offline, then there is no finding', async () => {
    expect(await validateFolder(k8s)).to.deep.equal([]);
  });

  it('given a Deployment whose replicas is not an integer, when validated, then the Kubernetes schema refuses it', async () => {
    const documents = manifestsWith('Deployment', 'payment', (body) => {
      (body.spec as JsonObject).replicas = 'two';
    });
    expect(await validateDocuments(documents)).to.include(
      'payment.yaml#0: Deployment payment: /spec/replicas must be integer',
    );
  });

  it('given a container without a name, when validated, then the schema names the missing field', async () => {
    const documents = manifestsWith('Deployment', 'shipping', (body) => {
      delete containerOf(body).name;
    });
    expect(await validateDocuments(documents)).to.include(
      'shipping.yaml#0: Deployment shipping: /spec/template/spec/containers/0 must have required property name',
    );
  });

  it('given an object of an unknown kind, when validated, then it is reported rather than skipped', async () => {
    const documents = parseDocuments(
      'apiVersion: apps/v1\nkind: Deploymnt\nmetadata: {name: x}\n',
      'x.yaml',
    );
    expect(await validateDocuments(documents)).to.include(
      'x.yaml#0: Deploymnt x: no schema for apps/v1 Deploymnt',
    );
  });

  it('given a readiness probe on /health, when validated, then it must be /health/ready', async () => {
    const documents = manifestsWith('Deployment', 'inventory', (body) => {
      (at(containerOf(body), 'readinessProbe', 'httpGet') as JsonObject).path = '/health';
    });
    expect(await validateDocuments(documents)).to.include(
      'inventory.yaml#0: Deployment inventory: readinessProbe is not GET /health/ready',
    );
  });

  it('given a container without memory limit or a writable root, when validated, then both are reported', async () => {
    const documents = manifestsWith('Deployment', 'coordinator', (body) => {
      const container = containerOf(body);
      delete (at(container, 'resources', 'limits') as JsonObject).memory;
      (container.securityContext as JsonObject).readOnlyRootFilesystem = false;
    });
    const findings = await validateDocuments(documents);
    const where = 'coordinator.yaml#0: Deployment coordinator, container coordinator';
    expect(findings).to.include.members([
      `${where}: no memory in resources.limits`,
      `${where}: the root filesystem is not read-only`,
    ]);
  });

  it('given a pod without a numeric user or seccomp profile, when validated, then both are reported', async () => {
    const documents = manifestsWith('Job', 'order-saga-provision', (body) => {
      const security = at(body, 'spec', 'template', 'spec', 'securityContext') as JsonObject;
      delete security.runAsUser;
      delete security.seccompProfile;
    });
    const where = 'provision-job.yaml#0: Job order-saga-provision';
    expect(await validateDocuments(documents)).to.include.members([
      `${where}: may run as root (runAsNonRoot and a non-zero runAsUser are needed)`,
      `${where}: no RuntimeDefault seccomp profile`,
    ]);
  });

  it('given a single coordinator, when validated, then two replicas are wanted', async () => {
    const documents = manifestsWith('Deployment', 'coordinator', (body) => {
      (body.spec as JsonObject).replicas = 1;
    });
    expect(await validateDocuments(documents)).to.include(
      'coordinator.yaml#0: Deployment coordinator has 1 replicas, wants at least 2',
    );
  });

  it('given a disruption budget that selects other pods, when validated, then its Deployment is uncovered', async () => {
    const documents = manifestsWith('PodDisruptionBudget', 'payment', (body) => {
      (at(body, 'spec', 'selector', 'matchLabels') as JsonObject)['app.kubernetes.io/name'] = 'pay';
    });
    expect(await validateDocuments(documents)).to.include(
      'payment.yaml#0: no PodDisruptionBudget selects Deployment payment',
    );
  });

  it('given fault injection turned on in the ConfigMap, when validated, then it is refused', async () => {
    const documents = manifestsWith('ConfigMap', 'order-saga-config', (body) => {
      (body.data as JsonObject).FAULT_INJECTION = 'on';
    });
    expect(await validateDocuments(documents)).to.include(
      'configmap.yaml#0: ConfigMap order-saga-config turns fault injection on',
    );
  });

  it('given a Secret name nobody declares, when validated, then the pod that uses it is reported', async () => {
    const documents = manifestsWith('Job', 'order-saga-provision', (body) => {
      const volumes = at(body, 'spec', 'template', 'spec', 'volumes') as JsonObject[];
      (volumes[0]!.secret as JsonObject).secretName = 'order-pg-superuser';
    });
    expect(await validateDocuments(documents)).to.include(
      'provision-job.yaml#0: Job order-saga-provision uses Secret order-pg-superuser, which is not declared',
    );
  });

  it('given a RabbitmqCluster with a misspelt field, when validated, then the field is named', async () => {
    const documents = manifestsWith('RabbitmqCluster', 'order-rabbitmq', (body) => {
      const spec = body.spec as JsonObject;
      spec.replica = spec.replicas!;
      delete spec.replicas;
    });
    expect(await validateDocuments(documents)).to.include(
      'rabbitmq-cluster.yaml#0: RabbitmqCluster order-rabbitmq: /spec must NOT have additional properties (replica)',
    );
  });

  it('given a CloudNativePG Cluster without instances, when validated, then the required field is named', async () => {
    const documents = manifestsWith('Cluster', 'order-postgres', (body) => {
      delete (body.spec as JsonObject).instances;
    });
    expect(await validateDocuments(documents)).to.include(
      "postgres-cluster.yaml#0: Cluster order-postgres: /spec must have required property 'instances'",
    );
  });

  it('given a Pooler in statement mode, when validated, then the mode is refused', async () => {
    const documents = manifestsWith('Pooler', 'order-postgres-pooler-rw', (body) => {
      (at(body, 'spec', 'pgbouncer') as JsonObject).poolMode = 'statement';
    });
    expect(await validateDocuments(documents)).to.include(
      'postgres-pooler.yaml#0: Pooler order-postgres-pooler-rw: /spec/pgbouncer/poolMode must be equal to one of the allowed values',
    );
  });

  it('given a kustomization that lists a missing file and leaves one out, when checked, then both are named', () => {
    const files = ['kustomization.yaml', 'a.yaml', 'b.yaml', 'secret.template.yaml'];
    expect(kustomizationProblems({ resources: ['a.yaml', 'c.yaml'] }, files)).to.deep.equal([
      'kustomization.yaml lists c.yaml, which does not exist',
      'kustomization.yaml does not list b.yaml',
    ]);
  });

  it('given the Secret template, when read, then it holds a key for each service account and the admin token', () => {
    const [secret] = parseDocuments(
      readFileSync(path.join(k8s, 'secret.template.yaml'), 'utf8'),
      'secret',
    );
    const keys = Object.keys(at(secret!.body, 'stringData') as JsonObject);
    const services = ['coordinator', 'payment', 'inventory', 'shipping'];
    const expected = services.flatMap((s) => [`${s}-postgres-password`, `${s}-rabbitmq-password`]);
    expect(keys).to.have.members([...expected, 'admin-token']);
  });
});
