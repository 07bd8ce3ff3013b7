/** The ways a chaos run hurts the system: kill processes, cut connections, flood, fault rules. */
import { Client } from 'pg';
import { request } from '../helpers/api';
import { TEST_ADMIN_TOKEN, management } from '../helpers/namespace';
import { System } from '../helpers/system';
import { waitFor } from '../helpers/wait';

export async function listConnections(system: System): Promise<Array<{ name: string }>> {
  const path = `/api/vhosts/${encodeURIComponent(system.namespace.vhost)}/connections`;
  return (await management('GET', path)) as Array<{ name: string }>;
}

/** Closes every client connection of the system's vhost, once `atLeast` of them are listed. */
export async function closeBrokerConnections(system: System, atLeast = 4): Promise<number> {
  // The management API lists a connection once its statistics are in (about 5 s).
  const connections = await waitFor(
    'broker connections to be listed',
    () => listConnections(system),
    (c) => c.length >= atLeast,
    { timeoutMs: 20_000, intervalMs: 250 },
  );
  await Promise.all(
    connections.map((c) => management('DELETE', `/api/connections/${encodeURIComponent(c.name)}`)),
  );
  return connections.length;
}

export async function terminateDatabaseSessions(system: System): Promise<number> {
  const client = new Client({
    host: system.namespace.config.postgres.host,
    user: 'postgres',
    database: 'postgres',
  });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()',
      [Object.values(system.namespace.config.postgres.databases)],
    );
    return rowCount ?? 0;
  } finally {
    await client.end();
  }
}

/** Publishes messages no consumer can ever process straight into the work queues. */
export async function floodWithPoison(system: System, perQueue: number): Promise<number> {
  const queues = [
    'payment.commands',
    'inventory.commands',
    'shipping.commands',
    'coordinator.replies',
  ];
  const path = `/api/exchanges/${encodeURIComponent(system.namespace.vhost)}/amq.default/publish`;
  const payloads = ['{not json', '{"type":"payment.authorize","data":{}}', 'null', '[]'];
  let sent = 0;
  for (const queue of queues) {
    for (let i = 0; i < perQueue; i += 1) {
      await management('POST', path, {
        routing_key: queue,
        payload: payloads[i % payloads.length],
        payload_encoding: 'string',
        properties: { message_id: `poison-${queue}-${i}`, delivery_mode: 2 },
      });
      sent += 1;
    }
  }
  return sent;
}

export async function admin<T>(
  system: System,
  path: string,
  init: { method?: string; body?: unknown } = {},
) {
  const answer = await request<T>(`${system.url('coordinator')}${path}`, {
    ...init,
    token: TEST_ADMIN_TOKEN,
  });
  if (answer.status >= 400)
    throw new Error(`${init.method ?? 'GET'} ${path} answered ${answer.status}`);
  return answer.body;
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
