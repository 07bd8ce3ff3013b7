/**
 * Runs the real services as child processes (the compiled `dist/` entry points, exactly what
 * `npm run start:*` runs) against a namespace, and stops every one of them afterwards.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serviceNodeFlags } from '../../lib/node-flags';
import {
  ServiceName,
  serviceNames as names,
  serviceEntryPoints as builtEntryPoints,
} from '../../scripts/service-entry-points';
import { Namespace } from './namespace';
import { waitFor } from './wait';

export type { ServiceName };

/** Each service's entry point, relative to the project root. */
export const serviceEntryPoints = Object.fromEntries(
  names.map((name) => [name, path.join('dist', builtEntryPoints[name])]),
) as Record<ServiceName, string>;

/** The project root, whether this file runs from its source or from `dist/`. */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('no package.json above the test harness');
    dir = parent;
  }
  return dir;
}

const root = projectRoot();

export class System {
  private readonly processes = new Map<ServiceName, ChildProcess>();
  private stopping = false;
  /** Services killed on purpose and kept down: not restarted until `release`. */
  private readonly held = new Set<ServiceName>();
  /** Restarts counted per service, like the `npm start` supervisor does them. */
  readonly restarts = new Map<ServiceName, number>();
  private readonly logDir = mkdtempSync(path.join(os.tmpdir(), 'saga-system-'));

  constructor(readonly namespace: Namespace) {}

  url(service: ServiceName): string {
    const { ports } = this.namespace.config;
    const port = service === 'coordinator' ? ports.coordinator : ports[service];
    return `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    for (const name of names) this.launch(name);
    await Promise.all(names.map((name) => this.waitReady(name)));
  }

  launch(name: ServiceName): void {
    const log = createWriteStream(this.logPath(name), { flags: 'a' });
    const child = spawn(
      process.execPath,
      [...serviceNodeFlags, path.join(root, serviceEntryPoints[name])],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', ...this.namespace.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.processes.set(name, child);
    child.once('exit', () => {
      if (this.stopping || this.held.has(name) || this.processes.get(name) !== child) return;
      // Like the `npm start` supervisor: a child that dies is started again at once.
      this.restarts.set(name, (this.restarts.get(name) ?? 0) + 1);
      setTimeout(() => !this.stopping && this.launch(name), 200);
    });
  }

  /** Ready: what a load balancer asks, so a test starts exactly when traffic would. */
  async waitReady(name: ServiceName, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `${name} to be ready (log: ${this.logPath(name)})`,
      async () => {
        const answer = await fetch(`${this.url(name)}/health/ready`);
        const body = (await answer.json().catch(() => ({}))) as { detail?: string };
        return { status: answer.status, detail: body.detail };
      },
      ({ status }) => status === 200,
      { timeoutMs, intervalMs: 100 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${this.logTail(name)}`);
    });
  }

  /** SIGKILL: no shutdown handler runs, exactly like a crash. */
  async kill(name: ServiceName): Promise<void> {
    const child = this.processes.get(name);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGKILL, and keep it down (an outage, not a crash the supervisor undoes) until `release`. */
  async hold(name: ServiceName): Promise<void> {
    this.held.add(name);
    await this.kill(name);
  }

  /** Starts a held service again, counted as a restart, and waits until it is ready. */
  async release(name: ServiceName): Promise<void> {
    if (!this.held.delete(name)) return;
    this.restarts.set(name, (this.restarts.get(name) ?? 0) + 1);
    this.launch(name);
    await this.waitReady(name);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.processes.values()].map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        return exited.finally(() => clearTimeout(force));
      }),
    );
  }

  logPath(name: ServiceName): string {
    return path.join(this.logDir, `${name}.log`);
  }

  logTail(name: ServiceName, lines = 20): string {
    try {
      return readFileSync(this.logPath(name), 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
