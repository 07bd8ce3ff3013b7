/**
 * A PostgreSQL and a RabbitMQ of the test's own that accept TLS connections only, on free ports
 * and in temporary directories, beside the machine's servers (which are never touched). Each
 * `stop()` ends its server and removes its directory, and is safe to call more than once.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestCertificates } from './certificates';
import { freePort } from './ports';

export interface TlsServer {
  readonly port: number;
  stop(): void;
}

const postgresBin = '/usr/lib/postgresql/15/bin';
const rabbitmqBin = '/usr/lib/rabbitmq/bin';

function runAs(user: string, command: string, timeoutMs: number): string {
  return execFileSync('su', [user, '-s', '/bin/sh', '-c', command], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
  });
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Copies the server's certificate and key into `dir`, for `user` alone to read the key. */
function installServerCertificates(certificates: TestCertificates, dir: string, user: string) {
  const files = {
    ca: path.join(dir, 'ca.pem'),
    cert: path.join(dir, 'server.pem'),
    key: path.join(dir, 'server.key'),
  };
  mkdirSync(dir);
  copyFileSync(certificates.caFile, files.ca);
  copyFileSync(certificates.certFile, files.cert);
  copyFileSync(certificates.keyFile, files.key);
  execFileSync('chmod', ['600', files.key]);
  execFileSync('chown', ['-R', `${user}:${user}`, dir]);
  return files;
}

/**
 * PostgreSQL 15 listening on 127.0.0.1 and 127.0.0.2 (a second loopback address its certificate
 * does not name), refusing every connection that is not encrypted.
 */
export async function startTlsPostgres(certificates: TestCertificates): Promise<TlsServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saga-tls-pg-'));
  const data = path.join(dir, 'data');
  let started = false;
  const stop = () => {
    if (started) {
      started = false;
      try {
        runAs(
          'postgres',
          `${postgresBin}/pg_ctl -D ${quote(data)} -m immediate -t 20 stop`,
          30_000,
        );
      } catch {
        // Already gone: nothing to stop.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync('chown', ['postgres:postgres', dir]);
    runAs('postgres', `${postgresBin}/initdb -D ${quote(data)} -A trust`, 60_000);
    const files = installServerCertificates(certificates, path.join(dir, 'certs'), 'postgres');
    // First match wins: nothing above these lines may let a plain connection in.
    writeFileSync(
      path.join(data, 'pg_hba.conf'),
      [
        'local all all trust',
        'hostssl all all 127.0.0.0/8 trust',
        'hostnossl all all 127.0.0.0/8 reject',
        '',
      ].join('\n'),
    );
    const options = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses='127.0.0.1,127.0.0.2'",
      '-c ssl=on',
      `-c ssl_cert_file=${files.cert}`,
      `-c ssl_key_file=${files.key}`,
      '-c fsync=off',
    ].join(' ');
    started = true;
    runAs(
      'postgres',
      `${postgresBin}/pg_ctl -D ${quote(data)} -o ${quote(options)} -l ${quote(path.join(dir, 'log'))} -w -t 30 start`,
      40_000,
    );
  } catch (error) {
    const log = path.join(dir, 'log');
    const detail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
    stop();
    throw new Error(`PostgreSQL with TLS did not start: ${String(error)}\n${detail}`);
  }
  return { port, stop };
}

/** One RabbitMQ node with only a TLS listener; it does not ask clients for certificates. */
export async function startTlsRabbitmq(certificates: TestCertificates): Promise<TlsServer> {
  const port = await freePort();
  const distPort = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saga-tls-mq-'));
  const node = `rmq-tls-${port}@localhost`;
  const files = installServerCertificates(certificates, path.join(dir, 'certs'), 'rabbitmq');
  writeFileSync(
    path.join(dir, 'rabbitmq.conf'),
    [
      'listeners.tcp = none',
      `listeners.ssl.default = 127.0.0.1:${port}`,
      `ssl_options.cacertfile = ${files.ca}`,
      `ssl_options.certfile = ${files.cert}`,
      `ssl_options.keyfile = ${files.key}`,
      'ssl_options.verify = verify_none',
      'ssl_options.fail_if_no_peer_cert = false',
      'loopback_users = none',
      '',
    ].join('\n'),
  );
  // No management plugin: its port is the machine broker's.
  writeFileSync(path.join(dir, 'plugins'), '[].\n');
  mkdirSync(path.join(dir, 'log'));
  execFileSync('chown', ['-R', 'rabbitmq:rabbitmq', dir]);
  const ctl = (command: string, timeoutMs: number) =>
    runAs('rabbitmq', `${rabbitmqBin}/rabbitmqctl -n ${node} ${command}`, timeoutMs);
  let started = false;
  const stop = () => {
    if (started) {
      started = false;
      try {
        ctl('stop', 30_000);
      } catch {
        killByPidFile(path.join(dir, 'pid'));
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const env = [
    `RABBITMQ_NODENAME=${node}`,
    `RABBITMQ_CONFIG_FILE=${path.join(dir, 'rabbitmq')}`,
    `RABBITMQ_DIST_PORT=${distPort}`,
    `RABBITMQ_MNESIA_BASE=${path.join(dir, 'mnesia')}`,
    `RABBITMQ_LOG_BASE=${path.join(dir, 'log')}`,
    `RABBITMQ_ENABLED_PLUGINS_FILE=${path.join(dir, 'plugins')}`,
    `RABBITMQ_PID_FILE=${path.join(dir, 'pid')}`,
  ].join(' ');
  try {
    started = true;
    runAs('rabbitmq', `${env} ${rabbitmqBin}/rabbitmq-server -detached`, 30_000);
    // `wait` polls until the node has written its pid file and booted; it fails only on timeout.
    ctl(`wait ${quote(path.join(dir, 'pid'))} --timeout 40`, 45_000);
  } catch (error) {
    stop();
    throw new Error(`RabbitMQ with TLS did not start: ${String(error)}`);
  }
  return { port, stop };
}

function killByPidFile(file: string): void {
  try {
    process.kill(Number(readFileSync(file, 'utf8').trim()), 'SIGKILL');
  } catch {
    // No pid file or no such process: nothing runs.
  }
}
