/**
 * A RabbitMQ user per service, limited on the service's vhost to its share of the topology,
 * through the management HTTP API (idempotent PUTs: a second run only resets passwords and
 * permissions). The user has no tags, so it cannot use the management API itself.
 */
import type { Permissions } from '../messaging/topology';

export interface ManagementSettings {
  host: string;
  managementPort: number;
  user: string;
  password: string;
}

export interface BrokerAccount {
  user: string;
  password: string;
  vhost: string;
  permissions: Permissions;
}

export async function provisionBrokerAccount(
  management: ManagementSettings,
  account: BrokerAccount,
): Promise<void> {
  const vhost = encodeURIComponent(account.vhost);
  const user = encodeURIComponent(account.user);
  await call(management, 'PUT', `/api/vhosts/${vhost}`, {});
  await call(management, 'PUT', `/api/users/${user}`, { password: account.password, tags: '' });
  await call(management, 'PUT', `/api/permissions/${vhost}/${user}`, account.permissions);
}

export async function dropBrokerAccount(management: ManagementSettings, user: string) {
  await call(management, 'DELETE', `/api/users/${encodeURIComponent(user)}`);
}

async function call(
  management: ManagementSettings,
  method: string,
  path: string,
  body?: unknown,
): Promise<void> {
  const url = `http://${management.host}:${management.managementPort}${path}`;
  const auth = Buffer.from(`${management.user}:${management.password}`).toString('base64');
  const response = await fetch(url, {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok && !(method === 'DELETE' && response.status === 404)) {
    // The URL and status only: the body may echo what was sent, passwords included.
    throw new Error(
      `RabbitMQ management ${method} ${url.split('?')[0]} answered ${response.status}`,
    );
  }
}
