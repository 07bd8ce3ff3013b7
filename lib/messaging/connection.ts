/**
 * A RabbitMQ connection that survives a lost broker: amqp-connection-manager reconnects with
 * backoff and re-runs every channel's setup (topology, prefetch, consumers) on each reconnect.
 * Given the nodes of a cluster it tries them in turn, so losing one node moves the connection
 * to the next.
 * Nagle is off on the socket: a request/reply pipeline otherwise stalls on delayed TCP acks.
 * With TLS the broker's certificate is verified, chain and host name, on every node.
 */
import amqp, { AmqpConnectionManager } from 'amqp-connection-manager';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import os from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import type { Writable } from 'node:stream';
import { coalesceWritesPerTick } from '../socket-writes';

export interface BrokerNode {
  host: string;
  port: number;
}

export interface BrokerTls {
  /** PEM of a private CA to trust; unset: the CAs Node trusts. */
  readonly ca: string | undefined;
}

export interface BrokerSettings {
  /** Tried in this order, round robin, at every (re)connect. */
  nodes: readonly BrokerNode[];
  user: string;
  password: string;
  vhost: string;
  /** Null: plain AMQP. */
  tls: BrokerTls | null;
}

function schemeOf(settings: BrokerSettings): string {
  return settings.tls ? 'amqps' : 'amqp';
}

export type BrokerConnection = AmqpConnectionManager;

/** One URL per node, in the order they are tried. */
export function brokerUrls(settings: BrokerSettings): string[] {
  const user = encodeURIComponent(settings.user);
  const password = encodeURIComponent(settings.password);
  const vhost = encodeURIComponent(settings.vhost);
  const scheme = schemeOf(settings);
  return settings.nodes.map(
    ({ host, port }) => `${scheme}://${user}:${password}@${host}:${port}/${vhost}?heartbeat=10`,
  );
}

/**
 * The TLS options for a connection to `host` (none without TLS). The certificate must name the
 * host: by DNS name through SNI, or by IP address, which SNI cannot carry, through the address
 * tls.connect was given.
 */
export function brokerTlsOptions(settings: BrokerSettings, host: string): ConnectionOptions {
  if (!settings.tls) return {};
  return {
    rejectUnauthorized: true,
    ...(settings.tls.ca ? { ca: settings.tls.ca } : {}),
    ...(isIP(host) === 0 ? { servername: host } : {}),
  };
}

/** The address to show in logs (every node, never the password). */
export function brokerAddress(settings: BrokerSettings): string {
  const nodes = settings.nodes.map(({ host, port }) => `${host}:${port}`).join(',');
  return `${schemeOf(settings)}://${nodes}/${encodeURIComponent(settings.vhost)}`;
}

export interface BrokerEvents {
  onConnect(): void;
  onDisconnect(error: unknown): void;
  onConnectFailed(error: unknown): void;
}

/**
 * The name the broker shows for a connection (management UI, `rabbitmqctl list_connections`):
 * which program it is, on which host, in which process.
 */
export function connectionName(program: string): string {
  return `order-saga ${program}@${os.hostname()}:${process.pid}`;
}

export function connectBroker(
  settings: BrokerSettings,
  events: BrokerEvents,
  name: string,
): BrokerConnection {
  const urls = brokerUrls(settings);
  // Options per node: each node's certificate is checked against its own host name.
  const endpoints = settings.nodes.map(({ host }, index) => ({
    url: urls[index]!,
    connectionOptions: {
      noDelay: true,
      clientProperties: { connection_name: name },
      ...brokerTlsOptions(settings, host),
    },
  }));
  const connection = amqp.connect(endpoints, { reconnectTimeInSeconds: 1 });
  // amqp-connection-manager emits 'error'-less events; keep listeners from leaking warnings.
  (connection as unknown as EventEmitter).setMaxListeners(50);
  connection.on('connect', ({ connection: model }) => {
    const socket = (model as unknown as { connection?: { stream?: Writable } }).connection?.stream;
    if (socket) coalesceWritesPerTick(socket);
    events.onConnect();
  });
  connection.on('disconnect', ({ err }) => events.onDisconnect(err));
  connection.on('connectFailed', ({ err }) => events.onConnectFailed(err));
  return connection;
}
