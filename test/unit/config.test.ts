import { expect } from 'chai';
import { Config, ConfigError, loadConfig } from '../../lib/config';
import { brokerAddress, brokerUrls } from '../../lib/messaging/connection';

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('config', () => {
  describe('loadConfig', () => {
    it('given an empty environment, when loaded, then the databases default to orders, payments, inventory and shipping', () => {
      // Act
      const config = loadConfig({});

      // Assert
      expect(config.postgres.databases).to.deep.equal({
        orders: 'orders',
        payments: 'payments',
        inventory: 'inventory',
        shipping: 'shipping',
      });
      expect(config.postgres).to.include({
        host: '127.0.0.1',
        port: 5432,
        user: 'postgres',
        password: '',
        poolSize: undefined,
      });
    });

    it('given an empty environment, when loaded, then the service ports are 8000 to 8003', () => {
      // Act
      const config = loadConfig({});

      // Assert
      expect(config.ports).to.deep.equal({
        coordinator: 8000,
        payment: 8001,
        inventory: 8002,
        shipping: 8003,
      });
    });

    it('given an empty environment, when loaded, then retries, timeouts, payment limit and fault injection have their documented defaults', () => {
      // Act
      const config = loadConfig({});

      // Assert
      const expected: Partial<Config> = {
        maxRetryAttempts: 3,
        retryDelaySeconds: 5,
        stepTimeoutSeconds: 30,
        stuckTimeoutSeconds: 3600,
        paymentMaxAmount: 10000,
        faultInjection: true,
        paymentProviderUrl: 'http://127.0.0.1:8001/provider',
        paymentProviderSimulated: true,
        prefetchCount: 256,
        logLevel: 'info',
        adminToken: '',
      };
      expect(config).to.include(expected);
    });

    it('given an empty environment, when loaded, then RabbitMQ defaults to guest on 127.0.0.1:5672', () => {
      // Act
      const config = loadConfig({});

      // Assert
      expect(config.rabbitmq).to.deep.equal({
        host: '127.0.0.1',
        port: 5672,
        nodes: [{ host: '127.0.0.1', port: 5672 }],
        managementPort: 15672,
        user: 'guest',
        password: 'guest',
        vhost: '/',
        tls: null,
      });
    });

    it('given numeric settings as strings, when loaded, then they are coerced to numbers', () => {
      // Arrange
      const env = {
        ORDER_SERVICE_PORT: '9000',
        MAX_RETRY_ATTEMPTS: '0',
        RETRY_DELAY_SECONDS: '0.5',
        STEP_TIMEOUT_SECONDS: ' 12 ',
        PAYMENT_MAX_AMOUNT: '250.75',
        POSTGRES_PORT: '6543',
      };

      // Act
      const config = loadConfig(env);

      // Assert
      expect(config.ports.coordinator).to.equal(9000);
      expect(config.maxRetryAttempts).to.equal(0);
      expect(config.retryDelaySeconds).to.equal(0.5);
      expect(config.stepTimeoutSeconds).to.equal(12);
      expect(config.paymentMaxAmount).to.equal(250.75);
      expect(config.postgres.port).to.equal(6543);
    });

    it('given FAULT_INJECTION=off, when loaded, then fault injection is disabled', () => {
      // Act
      const config = loadConfig({ FAULT_INJECTION: 'off' });

      // Assert
      expect(config.faultInjection).to.equal(false);
    });

    it('given another payment port and no provider URL, when loaded, then the provider URL follows the payment port', () => {
      // Act
      const config = loadConfig({ PAYMENT_SERVICE_PORT: '9101' });

      // Assert
      expect(config.paymentProviderUrl).to.equal('http://127.0.0.1:9101/provider');
    });

    it('given an explicit provider URL, when loaded, then it is used as is', () => {
      // Act
      const config = loadConfig({ PAYMENT_PROVIDER_URL: 'https://psp.example.com/v1' });

      // Assert
      expect(config.paymentProviderUrl).to.equal('https://psp.example.com/v1');
    });

    it('given empty strings, when loaded, then they count as unset and the defaults apply', () => {
      // Act
      const config = loadConfig({ POSTGRES_DB: '', MAX_RETRY_ATTEMPTS: '' });

      // Assert
      expect(config.postgres.databases.orders).to.equal('orders');
      expect(config.maxRetryAttempts).to.equal(3);
    });

    const badValues: Array<[string, string]> = [
      ['ORDER_SERVICE_PORT', 'abc'],
      ['ORDER_SERVICE_PORT', '70000'],
      ['MAX_RETRY_ATTEMPTS', '-1'],
      ['MAX_RETRY_ATTEMPTS', '2.5'],
      ['RETRY_DELAY_SECONDS', 'soon'],
      ['STEP_TIMEOUT_SECONDS', '0'],
      ['FAULT_INJECTION', 'maybe'],
      ['POSTGRES_DB', 'bad name'],
      ['PAYMENTS_DB', 'Payments'],
      ['PAYMENT_PROVIDER_URL', 'ftp://provider'],
      ['LOG_LEVEL', 'loud'],
    ];
    for (const [name, value] of badValues) {
      it(`given ${name}=${JSON.stringify(value)}, when loaded, then it throws a ConfigError naming ${name}`, () => {
        // Act
        const error = configErrorOf({ [name]: value });

        // Assert
        expect(error.name).to.equal('ConfigError');
        expect(error.message).to.include(name);
        expect(error.problems.some((p) => p.startsWith(`${name} `))).to.equal(true);
      });
    }

    it('given several bad values, when loaded, then the ConfigError lists every one', () => {
      // Act
      const error = configErrorOf({ ORDER_SERVICE_PORT: 'abc', FAULT_INJECTION: 'maybe' });

      // Assert
      expect(error.problems).to.have.length(2);
      expect(error.message).to.include('ORDER_SERVICE_PORT').and.include('FAULT_INJECTION');
    });

    it('given variables the service does not know, when loaded, then they are ignored', () => {
      // Act
      const config = loadConfig({ PATH: '/usr/bin', SOMETHING_ELSE: 'x' });

      // Assert
      expect(config).to.not.have.property('PATH');
      expect(config.ports.coordinator).to.equal(8000);
    });

    it('given a loaded configuration, when it is inspected, then it is frozen', () => {
      // Arrange
      const config = loadConfig({});

      // Act
      const assign = () => Object.assign(config, { maxRetryAttempts: 99 });

      // Assert
      expect(Object.isFrozen(config)).to.equal(true);
      expect(assign).to.throw(TypeError);
      expect(config.maxRetryAttempts).to.equal(3);
    });

    it('given the same environment object, when loaded, then the environment is left untouched', () => {
      // Arrange
      const env = { ORDER_SERVICE_PORT: ' 9000 ' };

      // Act
      loadConfig(env);

      // Assert
      expect(env).to.deep.equal({ ORDER_SERVICE_PORT: ' 9000 ' });
    });
  });

  describe('RABBITMQ_HOST', () => {
    it('given one host, when loaded, then it is the only node, on RABBITMQ_PORT', () => {
      const config = loadConfig({ RABBITMQ_HOST: 'mq', RABBITMQ_PORT: '5673' });

      expect(config.rabbitmq.nodes).to.deep.equal([{ host: 'mq', port: 5673 }]);
      expect(config.rabbitmq).to.include({ host: 'mq', port: 5673 });
    });

    it('given a comma-separated list, when loaded, then every node is kept in order, a missing port defaulting to RABBITMQ_PORT', () => {
      const config = loadConfig({ RABBITMQ_HOST: 'mq-a:5681, mq-b ,mq-c:5683' });

      expect(config.rabbitmq.nodes).to.deep.equal([
        { host: 'mq-a', port: 5681 },
        { host: 'mq-b', port: 5672 },
        { host: 'mq-c', port: 5683 },
      ]);
      expect(config.rabbitmq).to.include({ host: 'mq-a', port: 5681 });
    });

    it('given a list with an empty entry or a port out of range, when loaded, then it fails naming RABBITMQ_HOST', () => {
      expect(configErrorOf({ RABBITMQ_HOST: 'mq-a,,mq-b' }).message).to.contain('RABBITMQ_HOST');
      expect(configErrorOf({ RABBITMQ_HOST: 'mq-a:99999' }).message).to.contain(
        'RABBITMQ_HOST mq-a:99999',
      );
    });
  });

  describe('broker addresses', () => {
    const settings = {
      nodes: [
        { host: 'mq-a', port: 5681 },
        { host: 'mq-b', port: 5682 },
      ],
      user: 'order_coordinator',
      password: 'p@ss',
      vhost: '/',
      tls: null,
    };

    it('given two nodes, when the URLs are built, then there is one per node in order, credentials encoded', () => {
      expect(brokerUrls(settings)).to.deep.equal([
        'amqp://order_coordinator:p%40ss@mq-a:5681/%2F?heartbeat=10',
        'amqp://order_coordinator:p%40ss@mq-b:5682/%2F?heartbeat=10',
      ]);
    });

    it('given two nodes, when the address is logged, then it names both and never the password', () => {
      expect(brokerAddress(settings)).to.equal('amqp://mq-a:5681,mq-b:5682/%2F');
    });
  });
});
