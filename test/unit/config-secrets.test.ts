import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../lib/config';
import { problemsOf } from '../helpers/config-problems';

function secretFile(content: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'saga-secret-')), 'secret');
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

describe('config — secrets and accounts', () => {
  it('given *_FILE variables, when loaded, then each secret is read from its file without the trailing newline', () => {
    const config = loadConfig({
      POSTGRES_PASSWORD_FILE: secretFile('pg secret\n'),
      RABBITMQ_PASSWORD_FILE: secretFile('amqp-secret'),
      ADMIN_TOKEN_FILE: secretFile('token-a,token-b\n'),
    });

    expect(config.postgres.password).to.equal('pg secret');
    expect(config.rabbitmq.password).to.equal('amqp-secret');
    expect(config.adminTokens).to.deep.equal(['token-a', 'token-b']);
  });

  it('given a secret set both directly and as a file, when loaded, then it is refused naming both variables and not the value', () => {
    const problems = problemsOf({
      RABBITMQ_PASSWORD: 'direct-value-never-shown',
      RABBITMQ_PASSWORD_FILE: secretFile('file-value-never-shown'),
    });

    expect(problems).to.deep.equal([
      'RABBITMQ_PASSWORD and RABBITMQ_PASSWORD_FILE are both set; set one',
    ]);
  });

  it('given a *_FILE naming a missing file, when loaded, then it is refused naming the variable and the path', () => {
    const problems = problemsOf({ POSTGRES_PASSWORD_FILE: '/nonexistent/pg-password' });

    expect(problems).to.deep.equal([
      'POSTGRES_PASSWORD_FILE names a file that cannot be read (ENOENT): /nonexistent/pg-password',
    ]);
  });

  it('given a comma-separated ADMIN_TOKEN, when loaded, then every non-empty entry is accepted', () => {
    const config = loadConfig({ ADMIN_TOKEN: ' new-token , old-token ,' });

    expect(config.adminTokens).to.deep.equal(['new-token', 'old-token']);
  });

  it('given no authorship settings, when loaded, then the coordinator and the workers are guest; given lists, they are split', () => {
    expect(loadConfig({}).authors).to.deep.equal({ coordinator: 'guest', workers: ['guest'] });
    const config = loadConfig({
      COORDINATOR_RABBITMQ_USER: 'order_coordinator',
      WORKER_RABBITMQ_USERS: 'payment_worker,inventory_worker,shipping_worker',
    });
    expect(config.authors).to.deep.equal({
      coordinator: 'order_coordinator',
      workers: ['payment_worker', 'inventory_worker', 'shipping_worker'],
    });
  });
});
