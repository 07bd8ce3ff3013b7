import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createSilentLogger } from '../../lib/logger';
import { BrokerConnection } from '../../lib/messaging/connection';
import { ConfirmPublisher } from '../../lib/messaging/publisher';
import { exchanges } from '../../lib/messaging/topology';
import { FaultRuleListener } from '../../workers/runtime/fault-rules';
import { connectedBroker } from '../helpers/infrastructure';
import { createNamespace } from '../helpers/namespace';
import { waitFor } from '../helpers/wait';

const ruleSet = () => ({
  type: 'fault_rules',
  issued_at: new Date().toISOString(),
  rules: [
    {
      id: randomUUID(),
      target: 'payment',
      mode: 'error',
      probability: 1,
      created_at: new Date().toISOString(),
      expires_at: null,
    },
  ],
});

describe('fault rules on the control exchange (real RabbitMQ)', function () {
  this.timeout(20_000);
  let broker: BrokerConnection;
  let publisher: ConfirmPublisher;
  let user: string;
  const listeners: FaultRuleListener[] = [];

  before(async () => {
    const { config } = await createNamespace('fault_rules');
    user = config.rabbitmq.user;
    broker = await connectedBroker(config);
    // Signed with this connection's account, which the broker checks.
    publisher = new ConfirmPublisher(broker, { userId: user });
  });

  after(async () => {
    for (const listener of listeners) await listener.stop();
    await publisher?.close();
    await broker?.close();
  });

  const listening = async (authors: string[], refused: Array<string | undefined>) => {
    const listener = new FaultRuleListener(broker, createSilentLogger(), authors, (author) =>
      refused.push(author),
    );
    await listener.start();
    listeners.push(listener);
    return listener;
  };

  it("given a worker that obeys the coordinator's account, when another account broadcasts a rule set, then the worker ignores it and counts the refusal; the coordinator's set is taken", async () => {
    const refusedByWorker: Array<string | undefined> = [];
    const worker = await listening(['order_coordinator'], refusedByWorker);
    const refusedByControl: Array<string | undefined> = [];
    const obeysThisAccount = await listening([user], refusedByControl);

    await publisher.publish({
      exchange: exchanges.control,
      routingKey: '',
      messageId: randomUUID(),
      type: 'fault_rules',
      body: Buffer.from(JSON.stringify(ruleSet())),
    });

    await waitFor(
      'the rule set to reach both listeners',
      async () => [refusedByWorker.length, obeysThisAccount.activeRules()],
      ([refused, taken]) => refused === 1 && taken === 1,
      { timeoutMs: 10_000 },
    );
    expect(refusedByWorker).to.deep.equal([user]);
    expect(worker.activeRules()).to.equal(0);
    expect(refusedByControl).to.deep.equal([]);
  });
});
