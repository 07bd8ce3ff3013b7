import { expect } from 'chai';
import type { Server } from 'node:net';
import { createNamespace, Namespace } from '../helpers/namespace';
import { occupyPort, runNode, RunningProcess } from '../helpers/processes';
import { serviceEntryPoints } from '../helpers/system';

const CONFIGURATION_ERROR = 78;
const PORT_IN_USE = 98;

describe('service start failures (compiled services as processes)', function () {
  this.timeout(60_000);
  let namespace: Namespace;
  let running: RunningProcess | undefined;
  let blocker: Server | undefined;

  before(async () => {
    namespace = await createNamespace('startfail', { LOG_LEVEL: 'info' });
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
    blocker = undefined;
  });

  it('given the coordinator port is taken, when the coordinator starts, then it exits at once with one line naming the port and never becomes ready', async () => {
    const port = namespace.config.ports.coordinator;
    blocker = await occupyPort(port);

    running = runNode(serviceEntryPoints.coordinator, namespace.env);
    const exit = await running.exit(10_000);

    expect(exit.code, running.text()).to.equal(PORT_IN_USE);
    const errors = running.lines().filter((line) => line.level === 'error');
    expect(errors, running.text()).to.have.length(1);
    expect(errors[0]).to.include({
      message: 'port already in use',
      port,
      variable: 'ORDER_SERVICE_PORT',
    });
    const messages = running.lines().map((line) => line.message);
    expect(messages).to.not.include('http listening');
    expect(messages).to.not.include('service ready');
  });

  it('given a worker port is taken, when that worker starts, then it exits naming its own port variable', async () => {
    const port = namespace.config.ports.shipping;
    blocker = await occupyPort(port);

    running = runNode(serviceEntryPoints.shipping, namespace.env);
    const exit = await running.exit(10_000);

    expect(exit.code, running.text()).to.equal(PORT_IN_USE);
    expect(running.lines().find((line) => line.level === 'error')).to.include({
      message: 'port already in use',
      port,
      variable: 'SHIPPING_SERVICE_PORT',
    });
  });

  it('given a PostgreSQL role that does not exist, when a service starts, then it exits with the configuration code and one line naming the address and user', async () => {
    const env = {
      ...namespace.env,
      POSTGRES_USER: 'no_such_role_xyz',
      POSTGRES_PASSWORD: 'pg-secret-never-logged',
    };

    running = runNode(serviceEntryPoints.payment, env);
    const exit = await running.exit(15_000);

    expect(exit.code, running.text()).to.equal(CONFIGURATION_ERROR);
    const refused = running.lines().filter((line) => line.message === 'database access refused');
    expect(refused, running.text()).to.have.length(1);
    expect(refused[0]).to.include({
      address: `postgres://${namespace.config.postgres.host}:${namespace.config.postgres.port}/${namespace.config.postgres.databases.payments}`,
      user: 'no_such_role_xyz',
      code: '28000',
    });
    expect(running.lines().map((line) => line.message)).to.not.include('database unreachable');
    expect(running.text()).to.not.include('pg-secret-never-logged');
  });

  it('given a wrong RabbitMQ password, when a service starts, then it exits with the configuration code and one line naming the address and user', async () => {
    const env = { ...namespace.env, RABBITMQ_PASSWORD: 'amqp-secret-never-logged' };

    running = runNode(serviceEntryPoints.inventory, env);
    const exit = await running.exit(15_000);

    expect(exit.code, running.text()).to.equal(CONFIGURATION_ERROR);
    const refused = running.lines().filter((line) => line.message === 'broker access refused');
    expect(refused, running.text()).to.have.length(1);
    expect(refused[0]).to.include({
      address: `amqp://${namespace.config.rabbitmq.host}:${namespace.config.rabbitmq.port}/${encodeURIComponent(namespace.vhost)}`,
      user: 'guest',
    });
    expect(running.lines().map((line) => line.message)).to.not.include('broker unreachable');
    expect(running.text()).to.not.include('amqp-secret-never-logged');
  });
});
