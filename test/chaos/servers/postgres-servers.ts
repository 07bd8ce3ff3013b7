/**
 * PostgreSQL servers of a chaos scenario's own: a primary, and optionally a synchronous
 * streaming standby, each in a data directory under the system's temporary directory, on free
 * ports of 127.0.0.1. A restart or a failover done here never touches the machine's cluster,
 * which other runs share. When run as root the server programs run as the `postgres` user,
 * since PostgreSQL refuses to run as root.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { waitFor } from '../../helpers/wait';
import { OwnServers } from './own-servers';
import { TcpForwarder } from './tcp-forwarder';
import { freePorts } from '../../helpers/ports';

const binaries = process.env.POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
const serverUser = 'postgres';
/** No pg_ctl or initdb call may hang a run. */
const commandTimeoutMs = 60_000;

export interface PostgresNode {
  name: 'primary' | 'standby';
  port: number;
  dataDirectory: string;
}

export interface PostgresServersOptions {
  /** A synchronous streaming standby beside the primary, ready to be promoted. */
  standby: boolean;
}

/**
 * The servers. With a standby the services reach them through a forwarder's fixed address, so
 * that a failover only re-points the forwarder; `env` points the services there.
 */
export class PostgresServers implements OwnServers {
  readonly brings = { broker: false, database: true };
  private stopped = false;

  private constructor(
    private readonly directory: string,
    readonly primary: PostgresNode,
    readonly standby: PostgresNode | undefined,
    readonly forwarder: TcpForwarder | undefined,
  ) {}

  get env(): Record<string, string> {
    const port = this.forwarder?.port ?? this.primary.port;
    return { POSTGRES_HOST: '127.0.0.1', POSTGRES_PORT: String(port) };
  }

  static async start(options: PostgresServersOptions): Promise<PostgresServers> {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'saga-pg-'));
    const [primaryPort, standbyPort] = await freePorts(2);
    const primary: PostgresNode = {
      name: 'primary',
      port: primaryPort!,
      dataDirectory: path.join(directory, 'primary'),
    };
    const standby: PostgresNode | undefined = options.standby
      ? { name: 'standby', port: standbyPort!, dataDirectory: path.join(directory, 'standby') }
      : undefined;
    let forwarder: TcpForwarder | undefined;
    try {
      const owner = isRoot() ? await userIds(serverUser) : undefined;
      if (owner) chownSync(directory, owner.uid, owner.gid);
      await runProgram('initdb', [
        '-D',
        primary.dataDirectory,
        '-A',
        'trust',
        '-U',
        'postgres',
        '-N',
      ]);
      appendFileSync(
        path.join(primary.dataDirectory, 'postgresql.conf'),
        serverSettings(primary.port, directory),
      );
      await startNode(primary);
      if (standby) {
        await addSynchronousStandby(primary, standby);
        forwarder = await TcpForwarder.start(primary.port);
      }
      return new PostgresServers(directory, primary, standby, forwarder);
    } catch (error) {
      await forwarder?.stop();
      await stopNodes([primary, ...(standby ? [standby] : [])]);
      rmSync(directory, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Restarts the primary as `pg_ctlcluster … restart` does: a fast shutdown (sessions ended, a
   * checkpoint written), the server down for `downMs`, then a new postmaster. Resolves once it
   * accepts connections again, with how long it refused them.
   */
  async restartPrimary(downMs = 0): Promise<number> {
    const started = Date.now();
    await runProgram('pg_ctl', ['stop', '-D', this.primary.dataDirectory, '-m', 'fast', '-w']);
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await startNode(this.primary);
    return Date.now() - started;
  }

  /** The primary dies as in a crash: no checkpoint, every session cut. */
  async crashPrimary(): Promise<void> {
    await runProgram('pg_ctl', ['stop', '-D', this.primary.dataDirectory, '-m', 'immediate', '-w']);
  }

  /** Promotes the standby and re-points the fixed address at it. */
  async promoteStandby(): Promise<void> {
    if (!this.standby || !this.forwarder) throw new Error('these servers have no standby');
    await runProgram('pg_ctl', ['promote', '-D', this.standby.dataDirectory, '-w']);
    await waitFor(
      'the promoted standby to take writes',
      () => query(this.standby!.port, 'SELECT pg_is_in_recovery() AS recovering'),
      (rows) => rows[0]?.recovering === false,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    this.forwarder.retarget(this.standby.port);
  }

  /** Stops every server, the forwarder, and removes every data directory. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.forwarder?.stop();
    await stopNodes([this.primary, ...(this.standby ? [this.standby] : [])]);
    rmSync(this.directory, { recursive: true, force: true });
  }
}

function serverSettings(port: number, socketDirectory: string): string {
  return [
    '',
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${socketDirectory}'`,
    // Throwaway data: durability against a machine crash buys nothing here, speed does.
    'fsync = off',
    'full_page_writes = off',
    'max_connections = 200',
    'shared_buffers = 64MB',
    '',
  ].join('\n');
}

/**
 * A base backup of the primary started as its streaming standby, then made synchronous, so a
 * commit is acknowledged only once the standby has it: a promotion cannot lose an order a
 * client was told about. Made synchronous only after the backup, so the standby's own copy of
 * the settings does not wait for a standby of its own once promoted.
 */
async function addSynchronousStandby(primary: PostgresNode, standby: PostgresNode) {
  await runProgram('pg_basebackup', [
    ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'],
    ...['-D', standby.dataDirectory, '-R', '-X', 'stream', '-c', 'fast'],
  ]);
  appendFileSync(path.join(standby.dataDirectory, 'postgresql.conf'), `\nport = ${standby.port}\n`);
  await startNode(standby);
  await query(primary.port, "ALTER SYSTEM SET synchronous_standby_names = '*'");
  await query(primary.port, 'SELECT pg_reload_conf()');
  await waitFor(
    'the standby to replicate synchronously',
    () => query(primary.port, 'SELECT sync_state FROM pg_stat_replication'),
    (rows) => rows.some((row) => row.sync_state === 'sync'),
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

async function startNode(node: PostgresNode): Promise<void> {
  await runProgram('pg_ctl', [
    'start',
    '-D',
    node.dataDirectory,
    '-l',
    logFile(node),
    '-w',
    '-t',
    '60',
  ]);
}

/** The server's output goes to a file: left on a pipe of ours, it would hold pg_ctl's call open. */
function logFile(node: PostgresNode): string {
  return path.join(path.dirname(node.dataDirectory), `${node.name}.log`);
}

async function stopNodes(nodes: PostgresNode[]): Promise<void> {
  await Promise.all(
    nodes.map((node) =>
      runProgram('pg_ctl', ['stop', '-D', node.dataDirectory, '-m', 'immediate', '-w']).catch(
        () => undefined, // never started, or already stopped
      ),
    ),
  );
}

async function query(port: number, sql: string): Promise<Array<Record<string, unknown>>> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Array<Record<string, unknown>>;
  } finally {
    await client.end();
  }
}

/** Runs a PostgreSQL program by its argument list (no shell), as `postgres` when root. */
function runProgram(program: string, args: string[]): Promise<string> {
  const binary = path.join(binaries, program);
  const [file, argv] = isRoot()
    ? ['runuser', ['-u', serverUser, '--', binary, ...args]]
    : [binary, args];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { timeout: commandTimeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${program} ${args[0]} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

async function userIds(user: string): Promise<{ uid: number; gid: number }> {
  const id = (flag: string) =>
    new Promise<number>((resolve, reject) =>
      execFile('id', [flag, user], { timeout: 5_000 }, (error, stdout) =>
        error ? reject(error) : resolve(Number(stdout.trim())),
      ),
    );
  return { uid: await id('-u'), gid: await id('-g') };
}
