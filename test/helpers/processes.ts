/**
 * One compiled entry point (a service, the supervisor, a script) run as a process of its own,
 * with its output kept for assertions; for the tests of starting and stopping.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const projectRoot = findProjectRoot(__dirname);

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class RunningProcess {
  private output = '';
  private readonly exited: Promise<Exit>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  text(): string {
    return this.output;
  }

  /** The output's JSON lines (anything else, e.g. npm's banner, is left out). */
  lines(): Array<Record<string, unknown>> {
    return this.output.split('\n').flatMap((line) => {
      try {
        const parsed = JSON.parse(line) as unknown;
        return parsed !== null && typeof parsed === 'object'
          ? [parsed as Record<string, unknown>]
          : [];
      } catch {
        return [];
      }
    });
  }

  /** Resolves with the exit, or fails after `timeoutMs` with the output so far. */
  async exit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `pid ${this.pid} still running after ${timeoutMs} ms; output:\n${this.output.slice(-3000)}`,
            ),
          ),
        timeoutMs,
      );
    });
    return Promise.race([this.exited, timeout]).finally(() => clearTimeout(timer));
  }

  /** Stops it if it still runs (a test that failed halfway leaves nothing behind). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const force = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited.finally(() => clearTimeout(force));
  }
}

/** Runs `node <entry> ...args` from the project root with only PATH and `env`. */
export function runNode(
  entry: string,
  env: Record<string, string>,
  args: string[] = [],
  nodeFlags: readonly string[] = [],
): RunningProcess {
  const child = spawn(process.execPath, [...nodeFlags, path.join(projectRoot, entry), ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new RunningProcess(child);
}

/** True while `pid` is a live process (a zombie waiting to be reaped counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return !existsSync('/proc/self/stat');
  }
}

/** The live child processes of `pid`, from /proc (Linux): what a process really started. */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return state !== 'Z' && Number(ppid) === pid;
      } catch {
        return false; // gone while we looked
      }
    })
    .map(Number);
}

/** True when nothing listens on `port` (binding it on every address succeeds). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** Holds `port` on every address, like a running copy of a service would. */
export async function occupyPort(port: number): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  });
  return server;
}

function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('no package.json above the test helpers');
    dir = parent;
  }
  return dir;
}
