/**
 * RabbitMQ nodes of a chaos scenario's own, beside the machine's broker: each with its own
 * name, ports, config file and data directories, run as the `rabbitmq` user (whose home holds
 * the Erlang cookie every node and CLI call of the cluster must share). They can be clustered,
 * have their app stopped and started, be killed with SIGKILL and started again, and are all
 * stopped, with their directories removed, by `stop()`, whatever state they are in.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { OwnServers } from './own-servers';
import { freePorts } from '../../helpers/ports';

const RABBITMQ_USER = 'rabbitmq';
const RABBITMQ_HOME = '/var/lib/rabbitmq';
const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const CTL = '/usr/lib/rabbitmq/bin/rabbitmqctl';
/** Every directory made here starts with this, so a leftover one is easy to recognise. */
export const NODE_DIR_PREFIX = 'rmq-';
const STARTUP_TIMEOUT_S = 60;

export interface RabbitNode {
  /** `rmq-<run>-a@localhost`: unique per run, so parallel runs never meet. */
  nodename: string;
  amqpPort: number;
  distPort: number;
  dir: string;
}

export interface QuorumQueue {
  name: string;
  /** Node names of the queue's members (its replicas). */
  members: string[];
  /** The members whose replica is running now. */
  online: string[];
  leader: string;
}

/** Runs a command as the `rabbitmq` user, bounded in time; rejects with its output on failure. */
function asRabbitmq(
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = (STARTUP_TIMEOUT_S + 30) * 1000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'runuser',
      ['-u', RABBITMQ_USER, '--', command, ...args],
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: RABBITMQ_HOME, ...env },
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          const what = `${path.basename(command)} ${args.join(' ')}`;
          reject(new Error(`${what} failed: ${error.message}\n${stderr || stdout}`.trim()));
        } else resolve(stdout);
      },
    );
  });
}

/** Whether something accepts TCP connections on the port (bounded by a 1 s timeout). */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Erlang VMs of a node. Its command line does not name it (the settings reach it through
 * the environment), so the environment is what tells them apart.
 */
export function processesOf(nodename: string): number[] {
  const marker = `RABBITMQ_NODENAME=${nodename}\0`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      // epmd, when a node had to start it, inherits the node's environment but serves every
      // node of the machine, its own broker's too: it is never ours to kill.
      if (readFileSync(`/proc/${entry}/comm`, 'latin1').trim() === 'epmd') continue;
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker))
        pids.push(Number(entry));
    } catch {
      // The process ended while the list was read, or is not ours to read.
    }
  }
  return pids;
}

/**
 * Node sets not stopped yet. A run that ends without reaching `stop()` (a test timed out, and
 * mocha's `--exit` ended the process) must still leave no node behind: the exit hook kills
 * them, synchronously, as an exit hook must.
 */
const live = new Set<RabbitNodes>();
process.once('exit', () => {
  for (const nodes of live) nodes.killAllNow();
});

function killProcessesOf(nodename: string): void {
  for (const pid of processesOf(nodename)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RabbitNodes implements OwnServers {
  readonly brings = { broker: true, database: false };
  private constructor(
    readonly nodes: readonly RabbitNode[],
    private readonly root: string,
  ) {}

  /**
   * Starts `count` nodes (in parallel: each takes a few seconds of CPU) and, when there are
   * several, joins every other node to the first, so queues declared afterwards are placed on
   * all of them. A failure half-way stops whatever was started.
   */
  static async start(count: number): Promise<RabbitNodes> {
    const run = randomBytes(3).toString('hex');
    const root = path.join(os.tmpdir(), `${NODE_DIR_PREFIX}${run}`);
    const ports = await freePorts(count * 2);
    const nodes = Array.from({ length: count }, (_, i) => {
      const letter = String.fromCharCode(97 + i);
      return {
        nodename: `${NODE_DIR_PREFIX}${run}-${letter}@localhost`,
        amqpPort: ports[i * 2]!,
        distPort: ports[i * 2 + 1]!,
        dir: path.join(root, letter),
      };
    });
    const cluster = new RabbitNodes(nodes, root);
    live.add(cluster);
    try {
      for (const node of nodes) cluster.prepare(node);
      await Promise.all(nodes.map((node) => cluster.startServer(node)));
      const [first, ...others] = nodes;
      for (const node of others) {
        await cluster.ctl(node, 'stop_app');
        await cluster.ctl(node, 'join_cluster', first!.nodename);
        await cluster.ctl(node, 'start_app');
      }
      if (others.length > 0) await cluster.awaitRunning(nodes.length);
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** `RABBITMQ_HOST` naming every node: the services fail over between them in this order. */
  get env(): Record<string, string> {
    return {
      RABBITMQ_HOST: this.nodes.map((node) => `127.0.0.1:${node.amqpPort}`).join(','),
    };
  }

  node(index: number): RabbitNode {
    const node = this.nodes[index];
    if (!node) throw new Error(`no node ${index} among ${this.nodes.length}`);
    return node;
  }

  /** Stops the RabbitMQ application (every connection closes, the Erlang VM stays up). */
  async stopApp(node: RabbitNode): Promise<void> {
    await this.ctl(node, 'stop_app');
  }

  async startApp(node: RabbitNode): Promise<void> {
    await this.ctl(node, 'start_app');
    await this.ctl(node, 'await_startup', '--timeout', String(STARTUP_TIMEOUT_S));
  }

  /** Stops the whole server (the Erlang VM too), as a service manager's stop would. */
  async stopServer(node: RabbitNode): Promise<void> {
    await this.ctl(node, 'stop');
    await this.awaitGone(node);
  }

  /** Starts (or starts again, on its data) a node's server and waits until it is up. */
  async startServer(node: RabbitNode): Promise<void> {
    // `wait` reads the pid file: one left by a killed VM would name a process long gone.
    rmSync(this.pidFile(node), { force: true });
    await asRabbitmq(SERVER, ['-detached'], this.serverEnv(node));
    await this.ctl(node, 'wait', this.pidFile(node), '--timeout', String(STARTUP_TIMEOUT_S));
  }

  /** SIGKILL to the node's Erlang VM: no shutdown runs, like a crashed machine. Its pid. */
  async kill(node: RabbitNode): Promise<number> {
    const pid = this.pidOf(node);
    if (pid === undefined) throw new Error(`${node.nodename} has no running process to kill`);
    process.kill(pid, 'SIGKILL');
    await this.awaitGone(node);
    return pid;
  }

  pidOf(node: RabbitNode): number | undefined {
    const file = this.pidFile(node);
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  }

  /** The nodes the cluster reports running, as seen from `from`. */
  async runningNodes(from: RabbitNode): Promise<string[]> {
    const status = JSON.parse(await this.ctl(from, 'cluster_status', '--formatter', 'json')) as {
      running_nodes?: string[];
    };
    return status.running_nodes ?? [];
  }

  /** Every quorum queue of the default vhost with its members, as seen from `from`. */
  async quorumQueues(from: RabbitNode): Promise<QuorumQueue[]> {
    const rows = JSON.parse(
      await this.ctl(
        from,
        'list_queues',
        '--quiet',
        '--formatter',
        'json',
        'name',
        'type',
        'members',
        'online',
        'leader',
      ),
    ) as Array<{
      name: string;
      type: string;
      members?: unknown;
      online?: unknown;
      leader?: unknown;
    }>;
    const names = (list: unknown) => (Array.isArray(list) ? list.map(String) : []);
    return rows
      .filter((row) => row.type === 'quorum')
      .map((row) => ({
        name: row.name,
        members: names(row.members),
        online: names(row.online),
        leader: String(row.leader ?? ''),
      }));
  }

  /**
   * How many client connections `node` itself holds (the command lists the whole cluster's).
   * A connection's name ends with the address it reached, and each node has its own port.
   */
  async connectionsOn(node: RabbitNode): Promise<number> {
    const rows = JSON.parse(
      await this.ctl(node, 'list_connections', '--quiet', '--formatter', 'json', 'name'),
    ) as Array<{ name: string }>;
    return rows.filter((row) => row.name.endsWith(` -> 127.0.0.1:${node.amqpPort}`)).length;
  }

  /** Waits until `count` nodes are running in the cluster, as seen from every running node. */
  async awaitRunning(count: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      seen = await this.runningNodes(this.node(0)).catch(() =>
        this.runningNodes(this.node(1)).catch(() => []),
      );
      if (seen.length >= count) return;
      await sleep(500);
    }
    throw new Error(`the cluster never had ${count} running nodes; last seen: ${seen.join(', ')}`);
  }

  /**
   * Stops every node and removes every directory. Tolerant of any state (never started, app
   * stopped, killed, half-started): a node that does not stop within its bound is killed, and
   * any process still running under its name is killed too.
   */
  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        // A node without a pid file is half-started or half-dead: nothing to stop gracefully.
        if (this.pidOf(node) === undefined) killProcessesOf(node.nodename);
        else await this.ctlWithin(20_000, node, 'stop').catch(() => undefined);
        await this.awaitGone(node, 15_000).catch(() => killProcessesOf(node.nodename));
      }),
    );
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && this.nodes.some((n) => processesOf(n.nodename).length)) {
      await sleep(100);
    }
    rmSync(this.root, { recursive: true, force: true });
    live.delete(this);
  }

  /** SIGKILL to every process of every node and the directories removed, without waiting. */
  killAllNow(): void {
    for (const node of this.nodes) killProcessesOf(node.nodename);
    rmSync(this.root, { recursive: true, force: true });
  }

  private prepare(node: RabbitNode): void {
    mkdirSync(node.dir, { recursive: true });
    writeFileSync(
      path.join(node.dir, 'rabbitmq.conf'),
      // The machine's config pins its own listener; each node needs a file of its own.
      `listeners.tcp.local = 127.0.0.1:${node.amqpPort}\nloopback_users = none\n`,
    );
    // No plugins: the management plugin's port is the machine broker's.
    writeFileSync(path.join(node.dir, 'plugins'), '[].\n');
    // The nodes run as the rabbitmq user, which must own their directories.
    const owner = this.rabbitmqIds();
    chownSync(this.root, owner.uid, owner.gid);
    chownTree(node.dir, owner.uid, owner.gid);
  }

  private rabbitmqIds(): { uid: number; gid: number } {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${RABBITMQ_USER}:`));
    const fields = line?.split(':');
    if (!fields) throw new Error(`no ${RABBITMQ_USER} user: is RabbitMQ installed?`);
    return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }

  private pidFile(node: RabbitNode): string {
    return path.join(node.dir, 'pid');
  }

  private serverEnv(node: RabbitNode): Record<string, string> {
    return {
      RABBITMQ_NODENAME: node.nodename,
      RABBITMQ_CONFIG_FILE: path.join(node.dir, 'rabbitmq'),
      RABBITMQ_DIST_PORT: String(node.distPort),
      RABBITMQ_MNESIA_BASE: path.join(node.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: path.join(node.dir, 'log'),
      RABBITMQ_ENABLED_PLUGINS_FILE: path.join(node.dir, 'plugins'),
      RABBITMQ_PID_FILE: this.pidFile(node),
      // A plain argument the VM ignores: it puts the node's directory on its command line, so
      // `ps aux | grep rmq-` shows a node left running (the rest reaches it by environment).
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: `-node_dir ${node.dir}`,
    };
  }

  private ctl(node: RabbitNode, ...args: string[]): Promise<string> {
    return asRabbitmq(CTL, ['-n', node.nodename, ...args]);
  }

  private ctlWithin(timeoutMs: number, node: RabbitNode, ...args: string[]): Promise<string> {
    return asRabbitmq(CTL, ['-n', node.nodename, ...args], {}, timeoutMs);
  }

  private async awaitGone(node: RabbitNode, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (processesOf(node.nodename).length === 0 && !(await acceptsConnections(node.amqpPort))) {
        return;
      }
      await sleep(100);
    }
    throw new Error(`${node.nodename} was still running ${timeoutMs} ms after it was stopped`);
  }
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, uid, gid);
    else chownSync(full, uid, gid);
  }
}
