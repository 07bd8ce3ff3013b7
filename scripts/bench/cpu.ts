/**
 * Whole-system CPU time from /proc: the services under test (found by the ports they listen
 * on), every PostgreSQL process (with the backends that exited meanwhile, counted by their
 * parent) and the RabbitMQ node. Read before and after a run, the difference per saga is the
 * CPU a saga costs the machine.
 */
import { execSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface CpuSample {
  services: number;
  postgres: number;
  rabbitmq: number;
}

const ticksPerSecond = (() => {
  try {
    return Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  ppid: number;
  self: number;
  children: number;
}

function stat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      self: Number(fields[11]) + Number(fields[12]),
      children: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

function command(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

const allPids = () =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);

/** The pids listening on these TCP ports (the services of the system under test). */
export function pidsListeningOn(ports: readonly number[]): number[] {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A: LISTEN
      const port = parseInt(cols[1]!.split(':')[1]!, 16);
      if (ports.includes(port)) inodes.add(cols[9]!);
    }
  }
  const pids = new Set<number>();
  for (const pid of allPids()) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match && inodes.has(match[1]!)) pids.add(pid);
      } catch {
        // The descriptor closed while we looked.
      }
    }
  }
  return [...pids];
}

/** CPU seconds one process has used so far. */
export function processCpuSeconds(pid: number): number {
  return (stat(pid)?.self ?? 0) / ticksPerSecond;
}

/** CPU seconds used so far by the services, PostgreSQL and RabbitMQ. */
export function sampleCpu(servicePids: readonly number[]): CpuSample {
  const pids = allPids();
  const postgres = pids.filter((pid) => command(pid) === 'postgres');
  const rabbit = pids.filter((pid) =>
    ['beam.smp', 'erl_child_setup', 'epmd'].includes(command(pid)),
  );
  let pg = 0;
  for (const pid of postgres) {
    const s = stat(pid);
    if (!s) continue;
    // The postmaster reaps the backends: their time shows in its children's counters.
    pg += s.self + (postgres.includes(s.ppid) ? 0 : s.children);
  }
  return {
    services: secondsOf(servicePids),
    postgres: pg / ticksPerSecond,
    rabbitmq: secondsOf(rabbit),
  };
}

/** CPU seconds these processes have used so far, together. */
function secondsOf(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (stat(pid)?.self ?? 0), 0) / ticksPerSecond;
}

/** CPU seconds used so far by each named group of processes (e.g. each service). */
export function sampleEach(
  groups: Readonly<Record<string, readonly number[]>>,
): Record<string, number> {
  return Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, secondsOf(pids)]));
}

/** CPU milliseconds per saga of each group between two samples of `sampleEach`. */
export function eachPerSaga<K extends string>(
  before: Record<K, number>,
  after: Record<K, number>,
  sagas: number,
): Record<K, number> {
  const per = {} as Record<K, number>;
  for (const name of Object.keys(after) as K[]) {
    per[name] = ((after[name] - (before[name] ?? 0)) * 1000) / Math.max(1, sagas);
  }
  return per;
}

/** CPU milliseconds per saga between two samples. */
export function cpuPerSaga(before: CpuSample, after: CpuSample, sagas: number) {
  const { services, postgres, rabbitmq } = eachPerSaga<keyof CpuSample>(before, after, sagas);
  return { services, postgres, rabbitmq, total: services + postgres + rabbitmq };
}
