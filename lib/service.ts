/**
 * The life of one service process: validate config, take the HTTP port and serve health at
 * once (503 until ready), wait for PostgreSQL (creating and migrating the database) and
 * RabbitMQ (declaring the topology at every reconnect), then start the service's consumers and
 * loops. SIGINT/SIGTERM stop everything in reverse order, letting in-flight batches settle.
 *
 * A start that cannot succeed however often it is retried (a bad setting, refused credentials,
 * the port taken by another process) ends at once with one line and an exit code the `npm
 * start` supervisor does not restart on (lib/exit-codes.ts).
 */
import express, { Router } from 'express';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { accessLog } from './access-log';
import { withTimeout } from './backoff';
import { Config, ConfigError, loadConfig, portVariables } from './config';
import { Database, checkDatabase, createDatabase } from './db';
import { exitCodes } from './exit-codes';
import { docsRouter } from './http/docs';
import { opsRouter } from './http/ops';
import { Readiness } from './readiness';
import { problemHandler, routeNotFound, sendProblem } from './http/problem';
import { isPortInUse, listen } from './listen';
import { Logger, createLogger, describeError } from './logger';
import { createRegistry } from './metrics';
import { BrokerConnection, brokerAddress } from './messaging/connection';
import { ServiceName, buildTopology, declareTopology, serviceTopology } from './messaging/topology';
import { connectionGauges, httpMetrics } from './service-metrics';
import { stopTracing } from './telemetry/preload';
import { connectBrokerLogged, databaseAddress, prepareDatabase } from './service-connections';

export interface ServiceContext {
  config: Config;
  logger: Logger;
  db: Database;
  broker: BrokerConnection;
  registry: Registry;
}

/** Answers a request and returns true, or returns false to leave it to the Express app. */
export type RawRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface Stoppable {
  stop(): Promise<void>;
}

/** One service: `create` builds its parts, the rest wire them in at the right moment. */
export interface ServiceDefinition<TParts> {
  name: ServiceName;
  port(config: Config): number;
  database(config: Config): string;
  /**
   * PostgreSQL connections this service's pool may hold unless POSTGRES_POOL_SIZE says
   * otherwise: the per-instance connection budget (README, Production accounts).
   */
  poolSize: number;
  migrationsDirectory: string;
  /** What this service finds wrong with a configuration the schema accepted (e.g. an unknown saga version). */
  configProblems?(config: Config): string[];
  create(context: ServiceContext): TParts;
  routes(parts: TParts, context: ServiceContext): Router;
  /** The OpenAPI document of the service's HTTP API, served at /openapi.json and /docs. */
  document(): object;
  /**
   * Requests answered before the Express app, ready or not (e.g. a simulator standing for a
   * remote system, which should cost no more than one would).
   */
  rawRoutes?(parts: TParts, context: ServiceContext): RawRoute;
  /** Runs after migrations, before consumers: e.g. seeding an empty table. */
  prepare?(parts: TParts, context: ServiceContext): Promise<void>;
  start(parts: TParts, context: ServiceContext): Promise<Stoppable[]>;
}

export async function runService<TParts>(definition: ServiceDefinition<TParts>): Promise<void> {
  const config = readConfigOrExit(definition.name, definition.configProblems);
  const logger = createLogger(definition.name, config.logLevel, config.logFormat);
  process.on('unhandledRejection', (error) => {
    logger.error('unhandled rejection', describeError(error));
    process.exit(1);
  });
  const registry = createRegistry(definition.name);
  const databaseName = definition.database(config);
  // No connection is opened until the first query.
  const postgres = {
    ...config.postgres,
    poolSize: config.postgres.poolSize ?? definition.poolSize,
  };
  const db = createDatabase(postgres, databaseName, {
    warn: (message) => logger.warn('database client', { detail: message }),
    error: (message) => logger.warn('database client', { detail: message }),
  });
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // The port first: a second copy of a service must stop before it touches the queues.
  const port = definition.port(config);
  // Raw routes come with the service's parts, made only after the port is bound.
  const raw: { route?: RawRoute } = {};
  const server = await listenOrExit(
    (req, res) => {
      if (!raw.route?.(req, res)) app(req, res);
    },
    port,
    definition.name,
    logger,
  );
  logger.info('http listening', { port });

  // From here to the first await nothing can interleave: no request is handled before every
  // handler below is mounted.
  let ready = false;
  const broker = connectBrokerLogged(config, logger, definition.name, () => ready);
  const context: ServiceContext = { config, logger, db, broker, registry };
  connectionGauges(registry, db, broker);
  const parts = definition.create(context);
  raw.route = definition.rawRoutes?.(parts, context);
  const probes = {
    database: () => withTimeout(checkDatabase(db), 2_000),
    broker: () => broker.isConnected(),
  };
  const readiness = new Readiness(probes);
  app.use(accessLog(logger));
  app.use(httpMetrics(registry));
  app.use(opsRouter(probes, readiness, registry));
  // The reference needs neither database nor broker: readable while the service starts.
  app.use(docsRouter(definition.document()));
  app.use((_req, res, next) => {
    if (ready) return next();
    sendProblem(res, { status: 503, title: 'Service Unavailable', detail: 'starting' });
  });
  app.use(definition.routes(parts, context));
  app.use(routeNotFound);
  app.use(problemHandler((error) => logger.error('request failed', describeError(error))));

  const stoppables: Stoppable[] = [];
  installShutdown(logger, async () => {
    readiness.stop();
    for (const stoppable of stoppables.reverse()) await stoppable.stop();
    await new Promise((resolve) => server.close(resolve));
    await broker.close();
    await db.destroy();
    await stopTracing();
  });

  await prepareDatabase(
    config,
    db,
    databaseName,
    definition.migrationsDirectory,
    logger,
    readiness,
  );
  readiness.waitFor('RabbitMQ topology');
  // Only this service's share: its broker account may be limited to its own queues.
  const topology = serviceTopology(topologyFor(config), definition.name);
  const topologyChannel = broker.createChannel({
    setup: (channel: Parameters<typeof declareTopology>[0]) => declareTopology(channel, topology),
  });
  await topologyChannel.waitForConnect();
  readiness.waitFor('seeding');
  await definition.prepare?.(parts, context);
  // Serve before consuming: a worker's first command may need its own routes (the simulator).
  // Readiness follows the API gate, so a client that saw it ready is never told "starting".
  ready = true;
  readiness.waitFor('consumers');
  stoppables.push(...(await definition.start(parts, context)));
  readiness.started();
  logger.info('service ready', {
    database: databaseAddress(config, databaseName),
    broker: brokerAddress(config.rabbitmq),
  });
}

/** The topology every service declares: one delayed-retry level per allowed retry. */
export function topologyFor(config: Config) {
  return buildTopology({ retryLevels: config.maxRetryAttempts });
}

function readConfigOrExit(service: string, problemsOf?: (config: Config) => string[]): Config {
  try {
    const config = loadConfig();
    const problems = problemsOf?.(config) ?? [];
    if (problems.length > 0) throw new ConfigError(problems);
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    createLogger(service).error('invalid configuration', { problems: error.problems });
    process.exit(exitCodes.configuration);
  }
}

async function listenOrExit(
  app: RequestListener,
  port: number,
  service: string,
  logger: Logger,
): Promise<Server> {
  try {
    return await listen(app, port);
  } catch (error) {
    if (!isPortInUse(error)) throw error;
    const variable = portVariables[service as keyof typeof portVariables];
    logger.error('port already in use', { port, ...(variable ? { variable } : {}) });
    process.exit(exitCodes.portInUse);
  }
}

function installShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info('stopping', { signal });
    const forced = setTimeout(() => process.exit(1), 10_000);
    forced.unref();
    stop()
      .then(() => process.exit(0))
      .catch((error) => {
        logger.error('stop failed', describeError(error));
        process.exit(1);
      });
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}
