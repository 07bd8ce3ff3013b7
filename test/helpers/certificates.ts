/**
 * A throwaway certificate authority and a server certificate it signed, made with `openssl` in
 * a temporary directory: what a private PKI gives the servers of a production deployment.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestCertificates {
  readonly dir: string;
  /** The CA's certificate, what the clients are told to trust. */
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  remove(): void;
}

/** A CA, and a server certificate for `names` (DNS names or IP addresses) signed by it. */
export function makeCertificates(
  names: readonly string[] = ['127.0.0.1', 'localhost'],
): TestCertificates {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saga-tls-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 20_000,
    });
  const san = names.map((name) => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`));
  writeFileSync(file('server.ext'), `subjectAltName=${san.join(',')}\n`);
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=order-saga test CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${names[0] ?? 'localhost'}`,
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
  );
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.pem'),
  );
  return {
    dir,
    caFile: file('ca.pem'),
    certFile: file('server.pem'),
    keyFile: file('server.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
