/**
 * Schemas of the operators' custom resources this deployment uses. The operators publish their
 * CRDs only from their own repositories, so these are kept here: apiVersion, kind, the fields
 * each CRD requires, the types and enums of the fields used, and no unknown field at the top of
 * `spec` (a misspelt key would otherwise be ignored by the cluster). A subset of each CRD: add a
 * field here before using it in a manifest.
 */
import Ajv, { SchemaObject, ValidateFunction } from 'ajv';
import { JsonObject } from './documents';

const quantity = { type: ['string', 'number'] };
const resources = {
  type: 'object',
  additionalProperties: false,
  properties: {
    requests: { type: 'object', additionalProperties: quantity },
    limits: { type: 'object', additionalProperties: quantity },
  },
};
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const anyObject = { type: 'object' };

function resource(apiVersion: string, kind: string, spec: SchemaObject): SchemaObject {
  return {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: {
      apiVersion: { const: apiVersion },
      kind: { const: kind },
      metadata: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
          namespace: { type: 'string' },
          labels: stringMap,
          annotations: stringMap,
        },
      },
      spec: { type: 'object', additionalProperties: false, ...spec },
    },
  };
}

/** RabbitMQ Cluster Operator, rabbitmq.com/v1beta1 RabbitmqCluster. */
const rabbitmqCluster = resource('rabbitmq.com/v1beta1', 'RabbitmqCluster', {
  properties: {
    replicas: { type: 'integer', minimum: 0 },
    image: { type: 'string' },
    imagePullSecrets: { type: 'array' },
    service: anyObject,
    persistence: {
      type: 'object',
      additionalProperties: false,
      properties: { storageClassName: { type: 'string' }, storage: quantity },
    },
    resources,
    affinity: anyObject,
    tolerations: { type: 'array' },
    rabbitmq: {
      type: 'object',
      additionalProperties: false,
      properties: {
        additionalPlugins: { type: 'array', items: { type: 'string' } },
        additionalConfig: { type: 'string' },
        advancedConfig: { type: 'string' },
        envConfig: { type: 'string' },
        erlangInetConfig: { type: 'string' },
      },
    },
    tls: anyObject,
    override: anyObject,
    secretBackend: anyObject,
    terminationGracePeriodSeconds: { type: 'integer', minimum: 0 },
    skipPostDeployStep: { type: 'boolean' },
    autoEnableAllFeatureFlags: { type: 'boolean' },
    delayStartSeconds: { type: 'integer', minimum: 0 },
  },
});

/** CloudNativePG, postgresql.cnpg.io/v1 Cluster (the CRD requires `instances`). */
const postgresCluster = resource('postgresql.cnpg.io/v1', 'Cluster', {
  required: ['instances'],
  properties: {
    instances: { type: 'integer', minimum: 1 },
    description: { type: 'string' },
    imageName: { type: 'string' },
    enableSuperuserAccess: { type: 'boolean' },
    superuserSecret: anyObject,
    primaryUpdateStrategy: { enum: ['unsupervised', 'supervised'] },
    primaryUpdateMethod: { enum: ['switchover', 'restart'] },
    minSyncReplicas: { type: 'integer', minimum: 0 },
    maxSyncReplicas: { type: 'integer', minimum: 0 },
    storage: {
      type: 'object',
      additionalProperties: false,
      properties: {
        size: { type: 'string' },
        storageClass: { type: 'string' },
        resizeInUseVolumes: { type: 'boolean' },
        pvcTemplate: anyObject,
      },
    },
    walStorage: anyObject,
    resources,
    postgresql: {
      type: 'object',
      properties: { parameters: stringMap, pg_hba: { type: 'array', items: { type: 'string' } } },
    },
    bootstrap: anyObject,
    managed: anyObject,
    monitoring: anyObject,
    backup: anyObject,
    affinity: anyObject,
    enablePDB: { type: 'boolean' },
    logLevel: { enum: ['error', 'warning', 'info', 'debug', 'trace'] },
  },
});

/** CloudNativePG, postgresql.cnpg.io/v1 Pooler (PgBouncer; the CRD requires both fields). */
const postgresPooler = resource('postgresql.cnpg.io/v1', 'Pooler', {
  required: ['cluster', 'pgbouncer'],
  properties: {
    cluster: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: { name: { type: 'string' } },
    },
    instances: { type: 'integer', minimum: 0 },
    type: { enum: ['rw', 'ro', 'r'] },
    pgbouncer: {
      type: 'object',
      additionalProperties: false,
      properties: {
        poolMode: { enum: ['session', 'transaction'] },
        parameters: stringMap,
        authQuery: { type: 'string' },
        authQuerySecret: anyObject,
        pg_hba: { type: 'array', items: { type: 'string' } },
        paused: { type: 'boolean' },
      },
    },
    template: anyObject,
    serviceTemplate: anyObject,
    deploymentStrategy: anyObject,
    monitoring: anyObject,
  },
});

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validators = new Map<string, ValidateFunction>([
  ['rabbitmq.com/v1beta1 RabbitmqCluster', ajv.compile(rabbitmqCluster)],
  ['postgresql.cnpg.io/v1 Cluster', ajv.compile(postgresCluster)],
  ['postgresql.cnpg.io/v1 Pooler', ajv.compile(postgresPooler)],
]);

export function isKnownCustomResource(apiVersion: string, kind: string): boolean {
  return validators.has(`${apiVersion} ${kind}`);
}

/** The schema violations of one custom resource (empty when valid or of another kind). */
export function customResourceProblems(body: JsonObject): string[] {
  const validate = validators.get(`${String(body.apiVersion)} ${String(body.kind)}`);
  if (!validate || validate(body)) return [];
  return (validate.errors ?? []).map((e) => {
    const extra =
      'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : '';
    return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${extra}`;
  });
}
