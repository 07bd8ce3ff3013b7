/**
 * A RabbitMQ connection that survives a lost broker: amqp-connection-manager reconnects with
 * backoff and re-runs every channel's setup (topology, prefetch, consumers) on each reconnect.
 * Nagle is off on the socket: a request/reply pipeline otherwise stalls on delayed TCP acks.
 */
import amqp, { AmqpConnectionManager } from 'amqp-connection-manager';
import { EventEmitter } from 'node:events';

export interface BrokerSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  vhost: string;
}

export type BrokerConnection = AmqpConnectionManager;

export function brokerUrl(settings: BrokerSettings): string {
  const user = encodeURIComponent(settings.user);
  const password = encodeURIComponent(settings.password);
  const vhost = encodeURIComponent(settings.vhost);
  return `amqp://${user}:${password}@${settings.host}:${settings.port}/${vhost}?heartbeat=10`;
}

/** The address to show in logs: never the password. */
export function brokerAddress(settings: BrokerSettings): string {
  return `amqp://${settings.host}:${settings.port}/${encodeURIComponent(settings.vhost)}`;
}

export interface BrokerEvents {
  onConnect(): void;
  onDisconnect(error: unknown): void;
  onConnectFailed(error: unknown): void;
}

export function connectBroker(settings: BrokerSettings, events: BrokerEvents): BrokerConnection {
  const connection = amqp.connect([brokerUrl(settings)], {
    connectionOptions: { noDelay: true },
    reconnectTimeInSeconds: 1,
  });
  // amqp-connection-manager emits 'error'-less events; keep listeners from leaking warnings.
  (connection as unknown as EventEmitter).setMaxListeners(50);
  connection.on('connect', () => events.onConnect());
  connection.on('disconnect', ({ err }) => events.onDisconnect(err));
  connection.on('connectFailed', ({ err }) => events.onConnectFailed(err));
  return connection;
}
