import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { composeProblems } from '../../scripts/deploy/compose';
import { JsonObject, at, parseDocuments } from '../../scripts/deploy/documents';

const file = 'docker-compose.prod.yml';
const text = readFileSync(path.join(__dirname, '..', '..', file), 'utf8');

/** The production compose file as parsed (YAML merge keys resolved), with `edit` applied. */
function composeWith(
  edit: (services: Record<string, JsonObject>) => void = () => undefined,
): JsonObject {
  const [document] = parseDocuments(text, file);
  const body = structuredClone(document!.body);
  edit(at(body, 'services') as Record<string, JsonObject>);
  return body;
}

describe('deployment — docker-compose.prod.yml', () => {
  it('given the file as committed, when checked, then it follows every rule', () => {
    expect(composeProblems(composeWith(), file)).to.deep.equal([]);
  });

  it('given the shared app settings, when parsed, then every service inherits them through the merge keys', () => {
    const services = at(composeWith(), 'services') as Record<string, JsonObject>;
    for (const name of ['provision', 'coordinator', 'payment', 'inventory', 'shipping']) {
      expect(services[name]!.read_only, name).to.equal(true);
      expect(at(services[name]!, 'environment', 'FAULT_INJECTION'), name).to.equal('off');
    }
    expect(at(services.payment!, 'environment', 'RABBITMQ_HOST')).to.equal(
      'rabbitmq-1,rabbitmq-2,rabbitmq-3',
    );
  });

  it('given fault injection on and a writable root for a worker, when checked, then both are named', () => {
    const compose = composeWith((services) => {
      services.shipping!.read_only = false;
      (services.shipping!.environment as JsonObject).FAULT_INJECTION = 'on';
    });
    expect(composeProblems(compose, file)).to.deep.equal([
      `${file}: shipping: the root filesystem is not read-only`,
      `${file}: shipping: fault injection is not off`,
    ]);
  });

  it('given a service on the shared account with a password in its environment, when checked, then both are named', () => {
    const compose = composeWith((services) => {
      const env = services.inventory!.environment as JsonObject;
      env.POSTGRES_USER = 'postgres';
      env.POSTGRES_PASSWORD = 'postgres';
    });
    expect(composeProblems(compose, file)).to.deep.equal([
      `${file}: inventory: it does not connect as inventory_worker`,
      `${file}: inventory: a password is in its environment, not in a secret file`,
    ]);
  });

  it('given a liveness health check and no memory limit, when checked, then both are named', () => {
    const compose = composeWith((services) => {
      const coordinator = services.coordinator!;
      (coordinator.healthcheck as JsonObject).test = [
        'CMD',
        'curl',
        'http://127.0.0.1:8000/health',
      ];
      delete (at(coordinator, 'deploy', 'resources', 'limits') as JsonObject).memory;
    });
    expect(composeProblems(compose, file)).to.deep.equal([
      `${file}: coordinator: no memory limit`,
      `${file}: coordinator: its health check is not /health/ready`,
    ]);
  });

  it('given one RabbitMQ node removed, when checked, then the cluster is short of three', () => {
    const compose = composeWith((services) => {
      delete services['rabbitmq-3'];
    });
    expect(composeProblems(compose, file)).to.deep.equal([`${file}: 2 RabbitMQ nodes, not 3`]);
  });
});
