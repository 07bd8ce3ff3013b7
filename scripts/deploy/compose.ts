/**
 * The production compose file's own rules, read from its YAML (no Docker needed): least
 * privilege, limits, restart policies and readiness checks for the services, fault injection
 * off, each service on its own account, and a RabbitMQ cluster of three nodes.
 */
import { JsonObject, asArray, at, isObject } from './documents';

const ACCOUNTS: Record<string, string> = {
  coordinator: 'order_coordinator',
  payment: 'payment_worker',
  inventory: 'inventory_worker',
  shipping: 'shipping_worker',
};
const RABBITMQ_NODES = 3;

function appProblems(name: string, service: JsonObject): string[] {
  const env = at(service, 'environment');
  const problems: string[] = [];
  if (service.read_only !== true) problems.push('the root filesystem is not read-only');
  if (typeof service.user !== 'string' || ['root', '0'].includes(service.user)) {
    problems.push('it does not run as a non-root user');
  }
  if (!asArray(service.cap_drop).includes('ALL')) problems.push('capabilities are not all dropped');
  if (!asArray(service.security_opt).includes('no-new-privileges:true')) {
    problems.push('privileges may be gained (no-new-privileges is not set)');
  }
  if (at(env, 'FAULT_INJECTION') !== 'off') problems.push('fault injection is not off');
  const account = ACCOUNTS[name];
  if (account) {
    const test = asArray(at(service, 'healthcheck', 'test')).join(' ');
    if (!test.includes('/health/ready')) problems.push('its health check is not /health/ready');
    if (at(env, 'POSTGRES_USER') !== account || at(env, 'RABBITMQ_USER') !== account) {
      problems.push(`it does not connect as ${account}`);
    }
    if (at(env, 'POSTGRES_PASSWORD') !== undefined || at(env, 'RABBITMQ_PASSWORD') !== undefined) {
      problems.push('a password is in its environment, not in a secret file');
    }
  }
  return problems;
}

function serviceProblems(name: string, service: JsonObject): string[] {
  const problems: string[] = [];
  if (typeof service.restart !== 'string') problems.push('no restart policy');
  for (const limit of ['cpus', 'memory']) {
    if (at(service, 'deploy', 'resources', 'limits', limit) === undefined) {
      problems.push(`no ${limit} limit`);
    }
  }
  const isApp = service.build !== undefined;
  return [...problems, ...(isApp ? appProblems(name, service) : [])];
}

/** Every finding of a production compose file's services (empty when it follows the rules). */
export function composeProblems(compose: JsonObject, file: string): string[] {
  const services = at(compose, 'services');
  if (!isObject(services)) return [`${file}: no services`];
  const findings = Object.entries(services).flatMap(([name, service]) =>
    isObject(service)
      ? serviceProblems(name, service).map((problem) => `${file}: ${name}: ${problem}`)
      : [`${file}: ${name}: not a mapping`],
  );
  const missing = Object.keys(ACCOUNTS).filter((name) => !(name in services));
  const nodes = Object.values(services).filter((s) =>
    String(at(s, 'image')).startsWith('rabbitmq:'),
  );
  return [
    ...findings,
    ...missing.map((name) => `${file}: no ${name} service`),
    ...(nodes.length === RABBITMQ_NODES
      ? []
      : [`${file}: ${nodes.length} RabbitMQ nodes, not ${RABBITMQ_NODES}`]),
  ];
}
