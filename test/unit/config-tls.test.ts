import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../lib/config';
import { problemsOf } from '../helpers/config-problems';
import { pgClientConfig, pgSslOption } from '../../lib/db';
import { brokerAddress, brokerTlsOptions, brokerUrls } from '../../lib/messaging/connection';
import { TestCertificates, makeCertificates } from '../helpers/certificates';

describe('config — TLS to PostgreSQL and RabbitMQ', () => {
  let certificates: TestCertificates;

  before(() => {
    certificates = makeCertificates();
  });

  after(() => certificates.remove());

  describe('defaults', () => {
    it('given an empty environment, when loaded, then both connections are plain and the broker port is 5672', () => {
      const config = loadConfig({});

      expect(config.postgres.tls).to.deep.equal({ mode: 'disable', ca: undefined });
      expect(config.rabbitmq.tls).to.equal(null);
      expect(config.rabbitmq.nodes).to.deep.equal([{ host: '127.0.0.1', port: 5672 }]);
    });

    it('given RABBITMQ_TLS=on and no port, when loaded, then every node without a port of its own is on 5671', () => {
      const config = loadConfig({ RABBITMQ_TLS: 'on', RABBITMQ_HOST: 'mq-a,mq-b:6000' });

      expect(config.rabbitmq.nodes).to.deep.equal([
        { host: 'mq-a', port: 5671 },
        { host: 'mq-b', port: 6000 },
      ]);
      expect(config.rabbitmq.tls).to.deep.equal({ ca: undefined });
    });

    it('given RABBITMQ_TLS=on and RABBITMQ_PORT, when loaded, then the given port is kept', () => {
      const config = loadConfig({ RABBITMQ_TLS: 'on', RABBITMQ_PORT: '5674' });

      expect(config.rabbitmq.port).to.equal(5674);
    });
  });

  describe('certificate authorities', () => {
    it('given verify-full and a CA file, when loaded, then the CA is read as PEM', () => {
      const config = loadConfig({
        POSTGRES_SSL_MODE: 'verify-full',
        POSTGRES_SSL_CA_FILE: certificates.caFile,
        RABBITMQ_TLS: 'on',
        RABBITMQ_TLS_CA_FILE: certificates.caFile,
      });

      const pem = readFileSync(certificates.caFile, 'utf8');
      expect(config.postgres.tls).to.deep.equal({ mode: 'verify-full', ca: pem });
      expect(config.rabbitmq.tls).to.deep.equal({ ca: pem });
    });

    it('given a CA file that does not exist, when loaded, then it is refused naming the variable, the path and the reason', () => {
      const missing = path.join(certificates.dir, 'missing.pem');

      const problems = problemsOf({
        POSTGRES_SSL_MODE: 'verify-full',
        POSTGRES_SSL_CA_FILE: missing,
        RABBITMQ_TLS: 'on',
        RABBITMQ_TLS_CA_FILE: missing,
      });

      expect(problems).to.deep.equal([
        `POSTGRES_SSL_CA_FILE names a file that cannot be read (ENOENT): ${missing}`,
        `RABBITMQ_TLS_CA_FILE names a file that cannot be read (ENOENT): ${missing}`,
      ]);
    });

    it('given a private key where the CA belongs, when loaded, then it is refused without a line of the key in the message', () => {
      const problems = problemsOf({
        RABBITMQ_TLS: 'on',
        RABBITMQ_TLS_CA_FILE: certificates.keyFile,
      });

      expect(problems).to.deep.equal([
        `RABBITMQ_TLS_CA_FILE names a file with no PEM certificate in it: ${certificates.keyFile}`,
      ]);
      const key = readFileSync(certificates.keyFile, 'utf8').split('\n')[1]!;
      expect(problems.join('\n')).not.to.include(key);
    });

    it('given a certificate block that is not a certificate, when loaded, then it is refused as malformed', () => {
      const broken = path.join(certificates.dir, 'broken.pem');
      writeFileSync(
        broken,
        '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n',
      );

      const problems = problemsOf({
        POSTGRES_SSL_MODE: 'verify-full',
        POSTGRES_SSL_CA_FILE: broken,
      });

      expect(problems).to.deep.equal([
        `POSTGRES_SSL_CA_FILE names a file with a malformed PEM certificate: ${broken}`,
      ]);
    });

    it('given a CA file where nothing verifies against it, when loaded, then it is refused rather than silently unused', () => {
      const problems = problemsOf({
        POSTGRES_SSL_MODE: 'require',
        POSTGRES_SSL_CA_FILE: certificates.caFile,
        RABBITMQ_TLS_CA_FILE: certificates.caFile,
      });

      expect(problems).to.deep.equal([
        'POSTGRES_SSL_CA_FILE is only used with POSTGRES_SSL_MODE=verify-full; it is require',
        'RABBITMQ_TLS_CA_FILE is only used with RABBITMQ_TLS=on',
      ]);
    });

    it('given unknown modes, when loaded, then each is refused listing the values it may take', () => {
      const problems = problemsOf({ POSTGRES_SSL_MODE: 'verify-ca', RABBITMQ_TLS: 'yes' });

      expect(problems).to.have.members([
        'POSTGRES_SSL_MODE must be equal to one of the allowed values (disable, require, verify-full)',
        'RABBITMQ_TLS must be equal to one of the allowed values (on, off)',
      ]);
    });
  });

  describe('node-pg options', () => {
    it('given each mode, when turned into the ssl option, then disable is plain, require unverified and verify-full verified against the CA', () => {
      expect(pgSslOption({ mode: 'disable', ca: undefined })).to.equal(false);
      expect(pgSslOption({ mode: 'require', ca: undefined })).to.deep.equal({
        rejectUnauthorized: false,
      });
      expect(pgSslOption({ mode: 'verify-full', ca: undefined })).to.deep.equal({
        rejectUnauthorized: true,
      });
      expect(pgSslOption({ mode: 'verify-full', ca: 'PEM' })).to.deep.equal({
        rejectUnauthorized: true,
        ca: 'PEM',
      });
    });

    it('given the service settings, when a client is configured, then it carries the ssl option and nothing else of the pool', () => {
      const config = loadConfig({ POSTGRES_SSL_MODE: 'require', POSTGRES_HOST: 'db' });

      expect(pgClientConfig(config.postgres, 'orders')).to.deep.equal({
        host: 'db',
        port: 5432,
        user: 'postgres',
        password: '',
        database: 'orders',
        ssl: { rejectUnauthorized: false },
      });
    });
  });

  describe('broker options', () => {
    const settings = {
      nodes: [
        { host: 'mq.example.net', port: 5671 },
        { host: '10.0.0.7', port: 5671 },
      ],
      user: 'order_coordinator',
      password: 'p@ss',
      vhost: '/',
      tls: { ca: 'PEM' },
    };

    it('given TLS, when the URLs and address are built, then both use amqps', () => {
      expect(brokerUrls(settings)).to.deep.equal([
        'amqps://order_coordinator:p%40ss@mq.example.net:5671/%2F?heartbeat=10',
        'amqps://order_coordinator:p%40ss@10.0.0.7:5671/%2F?heartbeat=10',
      ]);
      expect(brokerAddress(settings)).to.equal('amqps://mq.example.net:5671,10.0.0.7:5671/%2F');
    });

    it('given TLS, when a node is connected to, then its certificate is verified against the CA and named by SNI only for a DNS name', () => {
      expect(brokerTlsOptions(settings, 'mq.example.net')).to.deep.equal({
        rejectUnauthorized: true,
        ca: 'PEM',
        servername: 'mq.example.net',
      });
      expect(brokerTlsOptions(settings, '10.0.0.7')).to.deep.equal({
        rejectUnauthorized: true,
        ca: 'PEM',
      });
    });

    it('given no TLS, when a node is connected to, then no TLS option is set', () => {
      expect(brokerTlsOptions({ ...settings, tls: null }, 'mq.example.net')).to.deep.equal({});
    });
  });
});
