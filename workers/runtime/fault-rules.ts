/**
 * The worker's copy of the runtime fault rules, replaced whole by every broadcast on the
 * control exchange (an exclusive queue per worker instance, so each one hears every set).
 * `count` is spent per worker instance: with several instances a rule fires up to count
 * times on each. Only a set the coordinator's broker account published is taken: anyone else
 * who can write to the exchange could otherwise make every worker fail its commands.
 */
import type { Channel, ConsumeMessage } from 'amqplib';
import { ChannelWrapper } from 'amqp-connection-manager';
import { Logger } from '../../lib/logger';
import { authorOf } from '../../lib/messaging/authorship';
import { BrokerConnection } from '../../lib/messaging/connection';
import { exchanges } from '../../lib/messaging/topology';
import { compileValidator } from '../../lib/validation';
import {
  FaultRule,
  FaultRuleSet,
  RuleMode,
  faultRuleSetSchema,
} from '../../sagas/contracts/fault-rules';
import { Command, isCompensation } from '../../sagas/contracts/messages';

const validateRuleSet = compileValidator<FaultRuleSet>(faultRuleSetSchema);

export interface RuleHit {
  mode: RuleMode;
  latencyMs: number;
  ruleId: string;
}

export class FaultRuleListener {
  private rules: FaultRule[] = [];
  private readonly spent = new Map<string, number>();
  private channel: ChannelWrapper | undefined;

  constructor(
    private readonly broker: BrokerConnection,
    private readonly logger: Logger,
    /** The broker accounts whose rule sets are taken (the coordinator's). */
    private readonly authors: readonly string[],
    private readonly onRefused: (author: string | undefined) => void = () => undefined,
    private readonly random: () => number = Math.random,
  ) {}

  async start(): Promise<void> {
    this.channel = this.broker.createChannel({
      setup: async (channel: Channel) => {
        const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
        await channel.bindQueue(queue, exchanges.control, '');
        await channel.consume(queue, (message) => message && this.receiveMessage(message), {
          noAck: true,
        });
      },
    });
    await this.channel.waitForConnect();
  }

  async stop(): Promise<void> {
    await this.channel?.close();
  }

  receiveMessage(message: ConsumeMessage): void {
    const author = authorOf(message);
    if (author === undefined || !this.authors.includes(author)) {
      this.onRefused(author);
      this.logger.warn('unauthorized fault rule set ignored', { author: author ?? null });
      return;
    }
    this.receive(message.content);
  }

  receive(content: Buffer): void {
    let body: unknown;
    try {
      body = JSON.parse(content.toString('utf8'));
    } catch {
      body = undefined;
    }
    const result = validateRuleSet(body);
    if (!result.ok) {
      this.logger.warn('fault rule set ignored', { errors: result.errors });
      return;
    }
    const before = this.rules.map((r) => r.id).join();
    this.rules = result.value.rules;
    if (before !== this.rules.map((r) => r.id).join()) {
      this.logger.info('fault rules applied', { rules: this.rules.length });
    }
  }

  /** Rules this instance applies now: what an operator checks after adding one. */
  activeRules(now = Date.now()): number {
    return this.rules.filter((rule) => !rule.expires_at || Date.parse(rule.expires_at) > now)
      .length;
  }

  /** The rule that fires for this command now, if any (spending one of its count). */
  pick(command: Command, now = Date.now()): RuleHit | undefined {
    for (const rule of this.rules) {
      if (rule.target !== command.step) continue;
      if (rule.expires_at && Date.parse(rule.expires_at) <= now) continue;
      // A compensation has no business failure to fake: a decline rule spares it.
      if (rule.mode === 'decline' && isCompensation(command.type)) continue;
      const spent = this.spent.get(rule.id) ?? 0;
      if (rule.count !== undefined && spent >= rule.count) continue;
      if (this.random() >= rule.probability) continue;
      this.spent.set(rule.id, spent + 1);
      return { mode: rule.mode, latencyMs: rule.latency_ms ?? 0, ruleId: rule.id };
    }
    return undefined;
  }
}
