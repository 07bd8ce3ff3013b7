import { expect } from 'chai';
import { Client } from 'pg';
import { request } from '../helpers/api';
import path from 'node:path';
import { createDatabase, ensureDatabaseExists, migrateToLatest } from '../../lib/db';
import { createNamespace, Namespace } from '../helpers/namespace';
import { projectRoot, runNode, RunningProcess } from '../helpers/processes';
import { serviceEntryPoints } from '../helpers/system';
import { waitFor } from '../helpers/wait';

interface Seen {
  sentAt: number;
  status: number;
  detail?: string;
}

interface Problem {
  detail?: string;
  waiting_for?: string[];
}

describe('readiness (compiled services as processes)', function () {
  this.timeout(120_000);
  let namespace: Namespace;
  let running: RunningProcess | undefined;

  before(async () => {
    namespace = await createNamespace('ready', { LOG_LEVEL: 'info' });
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('given a coordinator starting on empty databases, when clients poll readiness and the API together, then no API request sent after readiness answered 200 gets 503 starting', async () => {
    const url = `http://127.0.0.1:${namespace.config.ports.coordinator}`;
    running = runNode(serviceEntryPoints.coordinator, namespace.env);
    const readiness: Seen[] = [];
    const api: Seen[] = [];
    let readyAt: number | undefined;

    // Two clients at once: one polls readiness, one calls the API without waiting for it.
    const poll = async (path: string, into: Seen[], until: () => boolean) => {
      while (!until()) {
        const sentAt = performance.now();
        try {
          const response = await request<Problem>(`${url}${path}`);
          into.push({ sentAt, status: response.status, detail: response.body?.detail });
          if (path === '/health/ready' && response.status === 200) readyAt ??= performance.now();
        } catch {
          // The port is not bound yet.
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const afterReady = () => api.filter((seen) => readyAt !== undefined && seen.sentAt > readyAt);
    await Promise.race([
      Promise.all([
        poll('/health/ready', readiness, () => readyAt !== undefined),
        poll('/orders?limit=1', api, () => afterReady().length >= 50),
      ]),
      new Promise((_, reject) => {
        running!.child.once('exit', () =>
          reject(new Error(`coordinator exited: ${running!.text()}`)),
        );
        setTimeout(
          () => reject(new Error(`not ready within 90 s: ${JSON.stringify(readiness.at(-1))}`)),
          90_000,
        ).unref();
      }),
    ]);

    const waiting = readiness.filter((seen) => seen.status === 503);
    expect(waiting.length, 'readiness answered 503 before the start was done').to.be.above(0);
    expect(waiting.every((seen) => seen.detail?.startsWith('waiting for '))).to.equal(true);
    const starting = afterReady().filter((seen) => seen.detail === 'starting');
    expect(starting, 'API answers starting after ready').to.deep.equal([]);
    expect(afterReady().every((seen) => seen.status === 200)).to.equal(true);
  });

  it('given a stale migration lock, when a worker starts, then readiness names the lock, /health/db stays 200, the log never says unreachable, and releasing the lock makes it ready', async () => {
    const url = `http://127.0.0.1:${namespace.config.ports.shipping}`;
    const database = namespace.config.postgres.databases.shipping;
    // Migrated from the compiled files, as the compiled worker would have done it itself.
    await ensureDatabaseExists(namespace.config.postgres, database);
    const db = createDatabase(namespace.config.postgres, database);
    await migrateToLatest(db, path.join(projectRoot, 'dist/migrations/shipping'));
    await db.raw('UPDATE knex_migrations_lock SET is_locked = 1');
    await db.destroy();

    running = runNode(serviceEntryPoints.shipping, namespace.env);
    const locked = await waitFor(
      'readiness to name the migration lock',
      () => request<Problem>(`${url}/health/ready`),
      (response) => response.status === 503 && /migration lock/.test(response.body.detail ?? ''),
      { timeoutMs: 40_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${running!.text().slice(-3000)}`);
    });
    expect(locked.body.waiting_for).to.deep.equal([
      `migration lock of ${database} (knex_migrations_lock)`,
    ]);
    expect((await request(`${url}/health`)).status).to.equal(200);
    expect((await request(`${url}/health/db`)).status).to.equal(200);
    await waitFor(
      'the lock to be logged',
      async () => running!.lines().map((line) => line.message),
      (messages) => messages.includes('database migration lock held'),
    );
    expect(running.lines().map((line) => line.message)).to.not.include('database unreachable');

    const { host, port, user, password } = namespace.config.postgres;
    const client = new Client({ host, port, user, password, database });
    await client.connect();
    await client.query('UPDATE knex_migrations_lock SET is_locked = 0');
    await client.end();
    await waitFor(
      'readiness once the lock is released',
      () => request(`${url}/health/ready`),
      (response) => response.status === 200,
      { timeoutMs: 40_000 },
    );
  });

  it('given a ready worker, when it is told to stop, then readiness answers 503 stopping before the port closes', async () => {
    const url = `http://127.0.0.1:${namespace.config.ports.inventory}`;
    running = runNode(serviceEntryPoints.inventory, namespace.env);
    await waitFor(
      'the worker to be ready',
      () => request(`${url}/health/ready`),
      (response) => response.status === 200,
      { timeoutMs: 30_000 },
    );
    running.child.kill('SIGTERM');
    const answers: Array<{ status: number; detail?: string }> = [];
    const exited = running.exit(15_000);
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      try {
        const response = await request<Problem>(`${url}/health/ready`);
        answers.push({ status: response.status, detail: response.body?.detail });
      } catch {
        break; // the port is closed
      }
    }
    await exited;
    // The signal reaches the process asynchronously: a request it answered before handling the
    // signal may still be 200. Once it has said stopping, it never says ready again.
    const stopping = answers.findIndex((answer) => answer.status === 503);
    const afterStopping = stopping === -1 ? [] : answers.slice(stopping);
    expect(afterStopping.filter((answer) => answer.status === 200)).to.deep.equal([]);
    expect(answers.slice(0, Math.max(stopping, 0)), 'answers before stopping').to.have.length.below(
      3,
    );
  });
});
