import { expect } from 'chai';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { requireAdminToken } from '../../coordinator/http/admin-auth';
import { buildTopology, permissionsOf, serviceTopology } from '../../lib/messaging/topology';

const topology = buildTopology({ retryLevels: 2 });
const matches = (pattern: string, name: string) => new RegExp(pattern).test(name);

describe('per-service broker permissions, derived from the topology', () => {
  it('given the payment worker, when its permissions are derived, then they cover its queues and no other service queue', () => {
    const { configure, write, read } = permissionsOf(topology, 'payment');

    for (const queue of ['payment.commands', 'payment.commands.dlq', 'payment.commands.retry.2']) {
      expect(matches(configure, queue), queue).to.equal(true);
      expect(matches(read, queue), queue).to.equal(true);
    }
    for (const queue of [
      'inventory.commands',
      'shipping.commands.dlq',
      'coordinator.replies',
      'coordinator.dead-letter-events',
    ]) {
      expect(matches(configure, queue), queue).to.equal(false);
      expect(matches(write, queue), queue).to.equal(false);
      expect(matches(read, queue), queue).to.equal(false);
    }
    expect(matches(write, 'saga.replies')).to.equal(true);
    expect(matches(write, 'saga.commands'), 'a worker cannot send commands').to.equal(false);
  });

  it('given the coordinator, when its permissions are derived, then it reads every DLQ but consumes no worker queue', () => {
    const { read } = permissionsOf(topology, 'coordinator');

    expect(matches(read, 'payment.commands.dlq')).to.equal(true);
    expect(matches(read, 'payment.commands')).to.equal(false);
    expect(matches(read, 'coordinator.replies')).to.equal(true);
  });

  it('given any service, when its share of the topology is taken, then every queue in it is one its permissions let it declare', () => {
    for (const service of ['coordinator', 'payment', 'inventory', 'shipping'] as const) {
      const share = serviceTopology(topology, service);
      const { configure, write, read } = permissionsOf(topology, service);
      for (const queue of share.queues) expect(matches(configure, queue.name)).to.equal(true);
      for (const binding of share.bindings) {
        expect(matches(write, binding.queue), binding.queue).to.equal(true);
        expect(matches(read, binding.exchange), binding.exchange).to.equal(true);
      }
      expect(share.queues.length).to.be.above(0);
    }
  });
});

describe('admin token rotation', () => {
  async function statusWith(tokens: string[], sent: string): Promise<number> {
    const app = express().use(requireAdminToken(tokens), (_req, res) => void res.json({}));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        headers: { authorization: `Bearer ${sent}` },
      });
      return response.status;
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it('given two tokens configured, when either is sent, then it is let in; any other is 403', async () => {
    expect(await statusWith(['new-token', 'old-token'], 'new-token')).to.equal(200);
    expect(await statusWith(['new-token', 'old-token'], 'old-token')).to.equal(200);
    expect(await statusWith(['new-token', 'old-token'], 'other-token')).to.equal(403);
  });
});
