/**
 * The chaos scenarios. Each one runs load against a fresh system, hurts it in its own way while
 * the load is in flight, and may state what the end must look like beyond the invariants (the
 * payment outage must end with every order COMPLETED: held by the breaker, or bulk-replayed).
 */
import { System } from '../helpers/system';
import { OwnServers } from './servers/own-servers';
import { PostgresServers } from './servers/postgres-servers';
import { QuorumQueue, RabbitNodes, acceptsConnections } from './servers/rabbit-nodes';
import { buildTopology } from '../../lib/messaging/topology';
import { waitFor } from '../helpers/wait';
import { statuses } from './evidence';
import {
  admin,
  closeBrokerConnections,
  floodWithPoison,
  pause,
  terminateDatabaseSessions,
} from './faults';

export interface Scale {
  orders: number;
  concurrency: number;
  /** Length of timed faults (outage, latency window), in ms. */
  faultMs: number;
}

export interface ScenarioContext {
  system: System;
  scale: Scale;
  /** Resolves when every order of the run has been accepted. */
  submitted: Promise<void>;
  /** Numbers the scenario's proof needs (e.g. how many poison messages it sent). */
  facts: Record<string, number>;
  /** The servers the scenario started for itself, when it did. */
  servers?: OwnServers;
  note(line: string): void;
}

export interface ReportFacts {
  retries: number;
  worker_waits: number;
  dead_letters: number;
  restarts: Record<string, number>;
}

export interface Scenario {
  name: string;
  description: string;
  /** Runs while the load is being submitted. */
  inject(context: ScenarioContext): Promise<void>;
  /** After quiescence, before the invariant check (e.g. the bulk replay). */
  recover?(context: ScenarioContext): Promise<void>;
  /**
   * Servers of the scenario's own, started before the services and stopped after them, for a
   * fault that must not touch the machine's servers (a server restart, a cluster node lost).
   */
  servers?(): Promise<OwnServers>;
  /** Settings of the services beyond the chaos defaults. */
  settings?: Record<string, string>;
  /** Every order must end COMPLETED (no business failures in the load). */
  expectAllCompleted: boolean;
  /** Why the run does not show the fault took effect, or undefined when it does. */
  proof(report: ReportFacts, facts: Record<string, number>): string | undefined;
}

const untilSomeAccepted = async (system: System, count: number) =>
  waitFor(
    'orders to be accepted',
    async () => (await statuses(system)).size,
    (n) => n >= count,
    {
      timeoutMs: 30_000,
      intervalMs: 100,
    },
  );

/** The scenario's own RabbitMQ nodes; a scenario that brings none cannot hurt a broker. */
function ownRabbit(servers: OwnServers | undefined): RabbitNodes {
  if (!(servers instanceof RabbitNodes)) throw new Error('the scenario brought no RabbitMQ nodes');
  return servers;
}

export const scenarios: Scenario[] = [
  {
    name: 'worker-crash',
    description: 'SIGKILL the payment and inventory workers under load; they are restarted',
    expectAllCompleted: true,
    proof: ({ restarts }) =>
      (restarts.payment ?? 0) >= 1 && (restarts.inventory ?? 0) >= 1
        ? undefined
        : 'no worker restarted',
    async inject({ system, scale, note }) {
      await untilSomeAccepted(system, Math.ceil(scale.orders / 5));
      await system.kill('payment');
      await pause(300);
      await system.kill('inventory');
      note('killed payment and inventory with SIGKILL');
    },
  },
  {
    name: 'worker-outage',
    description:
      'SIGKILL the inventory worker under load and keep it down for twice the fault length, then start it again',
    expectAllCompleted: true,
    proof: ({ restarts, worker_waits }) =>
      (restarts.inventory ?? 0) < 1
        ? 'the inventory worker never came back'
        : worker_waits === 0
          ? 'no saga waited for the absent worker'
          : undefined,
    async inject({ system, scale, note }) {
      await untilSomeAccepted(system, Math.ceil(scale.orders / 5));
      // Longer than a step timeout even in the short run, so that deadlines fall in the outage.
      const downMs = scale.faultMs * 2;
      await system.hold('inventory');
      await pause(downMs);
      await system.release('inventory');
      note(`inventory worker killed and kept down for ${downMs} ms`);
    },
  },
  {
    name: 'coordinator-crash',
    description: 'SIGKILL the coordinator twice under load, commits and publishes in flight',
    expectAllCompleted: true,
    proof: ({ restarts }) =>
      (restarts.coordinator ?? 0) >= 2 ? undefined : 'the coordinator did not restart twice',
    async inject({ system, scale, note }) {
      await untilSomeAccepted(system, Math.ceil(scale.orders / 5));
      await system.kill('coordinator');
      await system.waitReady('coordinator');
      await untilSomeAccepted(system, Math.ceil(scale.orders / 2));
      await system.kill('coordinator');
      note('killed the coordinator twice with SIGKILL');
    },
  },
  {
    name: 'broker-disconnect',
    description: 'close every client connection through the RabbitMQ management API, twice',
    expectAllCompleted: true,
    proof: (_report, facts) => ((facts.closed ?? 0) >= 4 ? undefined : 'no connection was closed'),
    async inject({ system, scale, note, facts }) {
      await untilSomeAccepted(system, Math.ceil(scale.orders / 5));
      const first = await closeBrokerConnections(system);
      await pause(1_000);
      const second = await closeBrokerConnections(system);
      facts.closed = first + second;
      note(`closed ${first} then ${second} broker connections`);
    },
  },
  {
    name: 'broker-restart',
    description:
      "restart the scenario's own RabbitMQ node under load: its app stopped and started, then the whole server",
    servers: () => RabbitNodes.start(1),
    expectAllCompleted: true,
    proof: (_report, facts) =>
      (facts.appRestarts ?? 0) < 1
        ? 'the RabbitMQ app never went down and came back'
        : (facts.serverRestarts ?? 0) < 1
          ? 'the RabbitMQ server never went down and came back'
          : undefined,
    async inject({ system, scale, servers, note, facts }) {
      const broker = ownRabbit(servers);
      const node = broker.node(0);
      // Half the fault length each: the clients' POSTs retry for 30 s, an outage must end sooner.
      const downMs = scale.faultMs / 2;
      await untilSomeAccepted(system, Math.ceil(scale.orders / 5));
      await broker.stopApp(node);
      const appDown = !(await acceptsConnections(node.amqpPort));
      await pause(downMs);
      await broker.startApp(node);
      if (appDown && (await acceptsConnections(node.amqpPort))) facts.appRestarts = 1;
      note(`RabbitMQ app stopped (AMQP port closed: ${appDown}) for ${downMs} ms, then started`);

      await untilSomeAccepted(system, Math.ceil(scale.orders / 2));
      const pidBefore = broker.pidOf(node);
      await broker.stopServer(node);
      const serverDown = broker.pidOf(node) === undefined;
      await pause(downMs);
      await broker.startServer(node);
      const pidAfter = broker.pidOf(node);
      if (serverDown && pidAfter !== undefined && pidAfter !== pidBefore) facts.serverRestarts = 1;
      note(
        `RabbitMQ server stopped (pid ${pidBefore}) for ${downMs} ms, started again (pid ${pidAfter})`,
      );
    },
  },
  {
    name: 'rabbit-node-loss',
    description:
      "SIGKILL one node of a 3-node RabbitMQ cluster of the scenario's own under load (quorum queues on all three), then start it again",
    servers: () => RabbitNodes.start(3),
    expectAllCompleted: true,
    proof: (_report, facts) =>
      (facts.quorumQueues ?? 0) === 0 || facts.replicatedOnAll !== facts.quorumQueues
        ? `${facts.replicatedOnAll} of ${facts.quorumQueues} quorum queues had members on all three nodes`
        : (facts.connectionsOnVictim ?? 0) < 4
          ? 'the killed node held fewer connections than there are services'
          : facts.killed !== 1
            ? 'the node was not seen down after the kill'
            : facts.rejoined !== 1
              ? 'the node never rejoined the cluster with every replica'
              : undefined,
    async inject({ system, scale, servers, note, facts }) {
      const cluster = ownRabbit(servers);
      const [victim, survivor] = [cluster.node(0), cluster.node(1)];
      const everyNode = cluster.nodes.map((n) => n.nodename);
      const declared = buildTopology({
        retryLevels: system.namespace.config.maxRetryAttempts,
      }).queues.map((q) => q.name);
      /** The declared queues with a member running on every node. */
      const replicatedIn = (seen: QuorumQueue[]) =>
        declared.filter((name) => {
          const queue = seen.find((q) => q.name === name);
          return everyNode.every((n) => queue?.members.includes(n) && queue.online.includes(n));
        });
      const queuesBefore = await cluster.quorumQueues(survivor);
      facts.quorumQueues = declared.length;
      facts.replicatedOnAll = replicatedIn(queuesBefore).length;
      const ledByVictim = queuesBefore.filter((q) => q.leader === victim.nodename).length;
      note(
        `${facts.replicatedOnAll} of the ${declared.length} quorum queues the services declare have a running member on each of the ${everyNode.length} nodes; ${ledByVictim} led by ${victim.nodename}`,
      );

      await untilSomeAccepted(system, Math.ceil(scale.orders / 5));
      // The first address is every service's first choice, so this node holds their connections.
      facts.connectionsOnVictim = await cluster.connectionsOn(victim);
      const pid = await cluster.kill(victim);
      const running = await cluster.runningNodes(survivor);
      if (!running.includes(victim.nodename)) facts.killed = 1;
      note(
        `SIGKILL to ${victim.nodename} (pid ${pid}, ${facts.connectionsOnVictim} client connections); running then: ${running.join(', ')}`,
      );
      await pause(scale.faultMs);
      await cluster.startServer(victim);
      await cluster.awaitRunning(everyNode.length);
      const back = await waitFor(
        'every replica to run again',
        async () => replicatedIn(await cluster.quorumQueues(survivor)),
        (names) => names.length === declared.length,
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      facts.rejoined = 1;
      note(
        `${victim.nodename} down for ${scale.faultMs} ms, started again (pid ${cluster.pidOf(victim)}); ${back.length} queues with a running member on each node again`,
      );
    },
  },
  {
    name: 'db-disconnect',
    description: "pg_terminate_backend on every session of the services' databases, twice",
    expectAllCompleted: true,
    proof: (_report, facts) =>
      (facts.terminated ?? 0) > 0 ? undefined : 'no database session was terminated',
    async inject({ system, scale, note, facts }) {
      await untilSomeAccepted(system, Math.ceil(scale.orders / 5));
      const first = await terminateDatabaseSessions(system);
      await pause(500);
      const second = await terminateDatabaseSessions(system);
      facts.terminated = first + second;
      note(`terminated ${first} then ${second} database sessions`);
    },
  },
  {
    name: 'poison-flood',
    description: 'publish unparseable and invalid messages straight into every work queue',
    expectAllCompleted: true,
    proof: ({ dead_letters }, facts) =>
      dead_letters >= (facts.poison ?? Infinity)
        ? undefined
        : `${dead_letters} dead letters for ${facts.poison} poison messages`,
    async inject({ system, scale, note, facts }) {
      await untilSomeAccepted(system, Math.ceil(scale.orders / 5));
      const sent = await floodWithPoison(system, Math.max(5, Math.ceil(scale.orders / 20)));
      facts.poison = sent;
      note(`published ${sent} poison messages`);
    },
  },
  {
    name: 'payment-outage',
    description:
      'error rule at 100 % on payment, then cleared; the circuit breaker holds and releases the backlog',
    settings: { CIRCUIT_BREAKER: 'on' },
    expectAllCompleted: true,
    proof: ({ retries }, facts) =>
      retries > 0 && (facts.paused ?? 0) > 0 ? undefined : 'the payment step never paused',
    async inject({ system, scale, note, facts }) {
      await admin(system, '/admin/faults', {
        method: 'POST',
        body: { target: 'payment', mode: 'error', probability: 1, ttl_seconds: 3600 },
      });
      note(`payment down for ${scale.faultMs} ms`);
      const outageEnds = Date.now() + scale.faultMs;
      const state = async () =>
        (
          await admin<{ steps: Array<{ step: string; state: string }> }>(system, '/admin/steps')
        ).steps.find((s) => s.step === 'payment')?.state;
      while (Date.now() < outageEnds) {
        if ((await state()) !== 'closed') facts.paused = 1;
        await pause(100);
      }
      note(facts.paused ? 'the payment breaker opened' : 'the payment breaker stayed closed');
      await admin(system, '/admin/faults', { method: 'DELETE' });
    },
  },
  {
    name: 'payment-outage-no-breaker',
    description:
      'error rule at 100 % on payment with the breaker off, then cleared, then a bulk replay of the STUCK sagas',
    settings: { CIRCUIT_BREAKER: 'off' },
    expectAllCompleted: true,
    proof: ({ retries }, facts) =>
      retries > 0 && (facts.replayed ?? 0) > 0 ? undefined : 'no order was held up by the outage',
    async inject({ system, scale, note }) {
      await admin(system, '/admin/faults', {
        method: 'POST',
        body: { target: 'payment', mode: 'error', probability: 1, ttl_seconds: 3600 },
      });
      note(`payment down for ${scale.faultMs} ms`);
      await pause(scale.faultMs);
      await admin(system, '/admin/faults', { method: 'DELETE' });
    },
    async recover({ system, note, facts }) {
      const answer = await admin<{ count: number }>(system, '/admin/sagas/replay', {
        method: 'POST',
        body: { reason: 'payment provider back' },
      });
      facts.replayed = answer.count;
      note(`bulk replay of ${answer.count} STUCK sagas`);
    },
  },
  {
    name: 'slow-inventory',
    description: 'latency rule on inventory (300 ms per command) for the whole load',
    expectAllCompleted: true,
    proof: (_report, facts) =>
      (facts.slowedMs ?? 0) >= 300 ? undefined : 'inventory was never slowed',
    async inject({ system, submitted, note, facts }) {
      await admin(system, '/admin/faults', {
        method: 'POST',
        body: { target: 'inventory', mode: 'latency', latency_ms: 300, probability: 1 },
      });
      note('inventory slowed by 300 ms per command');
      facts.slowedMs = 300;
      await submitted;
      await pause(1_000);
      await admin(system, '/admin/faults', { method: 'DELETE' });
    },
  },
  {
    name: 'postgres-restart',
    description:
      'restart the PostgreSQL server under load (a server of its own: fast shutdown, down for half the fault length, started again)',
    servers: () => PostgresServers.start({ standby: false }),
    expectAllCompleted: true,
    proof: (_report, facts) =>
      (facts.restarted ?? 0) >= 1 ? undefined : 'the database server was never restarted',
    async inject({ system, scale, servers, note, facts }) {
      await untilSomeAccepted(system, Math.ceil(scale.orders / 5));
      const outageMs = await ownPostgres(servers).restartPrimary(scale.faultMs / 2);
      facts.restarted = 1;
      note(`PostgreSQL restarted, refusing connections for ${outageMs} ms`);
    },
  },
  {
    name: 'postgres-failover',
    description:
      'crash the PostgreSQL primary under load and promote its synchronous standby, which the services reach through the same address',
    servers: () => PostgresServers.start({ standby: true }),
    expectAllCompleted: true,
    proof: (_report, facts) =>
      (facts.promoted ?? 0) >= 1 ? undefined : 'the standby was never promoted',
    async inject({ system, scale, servers, note, facts }) {
      const own = ownPostgres(servers);
      await untilSomeAccepted(system, Math.ceil(scale.orders / 5));
      const started = Date.now();
      await own.crashPrimary();
      await own.promoteStandby();
      facts.promoted = 1;
      note(`primary stopped (immediate), standby promoted in ${Date.now() - started} ms`);
    },
  },
];

/** The database servers a scenario brought, which its `servers` made. */
function ownPostgres(servers: OwnServers | undefined): PostgresServers {
  if (servers instanceof PostgresServers) return servers;
  throw new Error('this scenario needs PostgreSQL servers of its own');
}
