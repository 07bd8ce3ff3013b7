/**
 * How soon a restarted service serves again. Each service is started alone, as the `npm start`
 * supervisor starts a crashed one, and timed from spawn to its first `GET /health/ready` 200,
 * with the CPU the process spent until then. The first start of a service may create and
 * migrate its database, so it is reported apart; the restarts after it find the schema current,
 * like a restart after a crash. Every start ends with SIGKILL, which is how a crash ends one.
 * A service that crashes has been running a while (long enough to have left its code cache,
 * lib/code-cache.ts), so the first start runs a few seconds before it is killed.
 */
import { ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { processCpuSeconds } from './cpu';
import { percentile, round } from './stats';

/** Longer than a service takes to leave its code cache after it started. */
const FIRST_RUN_MS = 8_000;

export interface RestartOptions {
  services: readonly string[];
  restarts: number;
  /** The compiled entry point of a service (what `npm run start:<service>` runs). */
  entryPoint(service: string): string;
  port(service: string): number;
  nodeFlags: readonly string[];
  /** One start that is not ready by then fails the run: a service that cannot start. */
  readyTimeoutMs: number;
}

interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface RestartResult {
  service: string;
  /** The first start, which may have migrated the database. */
  first_ms: number;
  /** Spawn to the first readiness 200, over the restarts. */
  ready_ms: Spread;
  /** CPU the process used from spawn to ready (100 Hz ticks: 10 ms steps). */
  cpu_ms: Spread;
  restarts: number;
}

export interface RestartReport {
  load_average_1m_before: number;
  cpus: number;
  services: RestartResult[];
}

interface StartTiming {
  readyMs: number;
  cpuMs: number;
}

export async function runRestarts(options: RestartOptions): Promise<RestartReport> {
  const loadBefore = os.loadavg()[0]!;
  const services: RestartResult[] = [];
  for (const service of options.services) {
    const first = await timeOneStart(service, options, FIRST_RUN_MS);
    const timings: StartTiming[] = [];
    for (let i = 0; i < options.restarts; i += 1)
      timings.push(await timeOneStart(service, options));
    services.push({
      service,
      first_ms: round(first.readyMs, 0),
      ready_ms: spread(timings.map((t) => t.readyMs)),
      cpu_ms: spread(timings.map((t) => t.cpuMs)),
      restarts: timings.length,
    });
  }
  return { load_average_1m_before: round(loadBefore), cpus: os.cpus().length, services };
}

async function timeOneStart(
  service: string,
  options: RestartOptions,
  runForMs = 0,
): Promise<StartTiming> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...options.nodeFlags, options.entryPoint(service)], {
    env: process.env,
    // Its log is not the measurement; a start that fails says why through its exit code.
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await untilReady(child, options.port(service), startedAt + options.readyTimeoutMs);
    const readyMs = performance.now() - startedAt;
    const cpuMs = processCpuSeconds(child.pid!) * 1000;
    await new Promise((resolve) => setTimeout(resolve, runForMs));
    return { readyMs, cpuMs };
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

async function untilReady(child: ChildProcess, port: number, deadline: number): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the service on port ${port} exited (code ${child.exitCode}) before ready`);
    }
    if (performance.now() > deadline) throw new Error(`not ready on port ${port} in time`);
    if ((await readinessStatus(port)) === 200) return;
    // Often enough that the poll adds little to what is measured, seldom enough to cost nothing.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The status of `GET /health/ready`, or 0 while nothing answers on the port. */
function readinessStatus(port: number): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/health/ready', agent: false });
    request.setTimeout(1_000, () => request.destroy());
    request.once('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once('error', () => resolve(0));
  });
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: round(percentile(sorted, 50), 0),
    min: round(sorted[0] ?? NaN, 0),
    max: round(sorted[sorted.length - 1] ?? NaN, 0),
  };
}
