import { expect } from 'chai';
import {
  BreakerSettings,
  OutcomeWindow,
  StepBreakerPolicy,
  StepOutcome,
} from '../../coordinator/breaker/policy';
import { outcomeOf } from '../../coordinator/breaker/outcomes';
import { parkedReplays } from '../../coordinator/breaker/parked-dead-letters';
import { SagaEvent } from '../../coordinator/saga-runner';
import { VirtualClock } from '../kit/virtual-clock';

const settings: BreakerSettings = {
  failureRate: 0.5,
  minOutcomes: 10,
  windowMs: 10_000,
  openMs: 5_000,
  probes: 3,
};

function feed(
  policy: StepBreakerPolicy,
  clock: VirtualClock,
  outcome: StepOutcome,
  times: number,
  everyMs = 10,
) {
  const changes = [];
  for (let i = 0; i < times; i += 1) {
    clock.advance(everyMs);
    const change = policy.observe(outcome, clock.now().getTime());
    if (change) changes.push(change);
  }
  return changes;
}

describe('step breaker policy on a virtual clock', () => {
  it('given fewer outcomes than the minimum, when all fail, then it stays closed', () => {
    const clock = new VirtualClock();
    const policy = new StepBreakerPolicy(settings);
    expect(feed(policy, clock, 'failure', 9)).to.deep.equal([]);
    expect(policy.state).to.equal('closed');
  });

  it('given a failure rate just under the threshold, then it stays closed; at it, it opens', () => {
    const clock = new VirtualClock();
    const policy = new StepBreakerPolicy(settings);
    feed(policy, clock, 'success', 6);
    expect(feed(policy, clock, 'failure', 5)).to.deep.equal([]); // 5 of 11
    const changes = feed(policy, clock, 'failure', 1); // 6 of 12
    expect(changes).to.deep.equal([{ to: 'open', failureRate: 0.5 }]);
    expect(policy.state).to.equal('open');
  });

  it('given successes older than the window, then they no longer dilute the failures', () => {
    const clock = new VirtualClock();
    const policy = new StepBreakerPolicy(settings);
    feed(policy, clock, 'success', 100);
    clock.advance(settings.windowMs + 1_000);
    const changes = feed(policy, clock, 'failure', 10);
    expect(changes.map((c) => c.to)).to.deep.equal(['open']);
  });

  it('given it opened, when the open time has not passed, then no probe is allowed yet', () => {
    const clock = new VirtualClock();
    const policy = new StepBreakerPolicy(settings);
    feed(policy, clock, 'failure', 10);
    clock.advance(settings.openMs - 1);
    expect(policy.tick(clock.now().getTime())).to.equal(undefined);
    clock.advance(1);
    expect(policy.tick(clock.now().getTime())).to.deep.equal({ to: 'half_open' });
  });

  it('given it is open, then the outage tail of failures changes nothing', () => {
    const clock = new VirtualClock();
    const policy = new StepBreakerPolicy(settings);
    feed(policy, clock, 'failure', 10);
    expect(feed(policy, clock, 'failure', 50)).to.deep.equal([]);
    expect(policy.state).to.equal('open');
  });

  it('given half-open, when a probe fails, then it opens again and waits a full open time', () => {
    const clock = new VirtualClock();
    const policy = new StepBreakerPolicy(settings);
    feed(policy, clock, 'failure', 10);
    clock.advance(settings.openMs);
    policy.tick(clock.now().getTime());
    expect(feed(policy, clock, 'failure', 1)).to.deep.equal([{ to: 'open' }]);
    clock.advance(settings.openMs - 10);
    expect(policy.tick(clock.now().getTime())).to.equal(undefined);
  });

  it('given half-open, when every probe succeeds, then it releases the backlog', () => {
    const clock = new VirtualClock();
    const policy = new StepBreakerPolicy(settings);
    feed(policy, clock, 'failure', 10);
    clock.advance(settings.openMs);
    policy.tick(clock.now().getTime());
    expect(feed(policy, clock, 'success', 2)).to.deep.equal([]);
    expect(feed(policy, clock, 'success', 1)).to.deep.equal([{ to: 'releasing' }]);
  });

  it('given an operator paused it, then neither failures nor time move it', () => {
    const clock = new VirtualClock();
    const policy = new StepBreakerPolicy(settings);
    policy.adopt('paused', clock.now().getTime());
    feed(policy, clock, 'success', 20);
    clock.advance(settings.openMs * 10);
    expect(policy.tick(clock.now().getTime())).to.equal(undefined);
    expect(policy.state).to.equal('paused');
  });

  it('given it reopened after closing, then the failures of the old outage are forgotten', () => {
    const clock = new VirtualClock();
    const policy = new StepBreakerPolicy(settings);
    feed(policy, clock, 'failure', 10);
    policy.adopt('closed', clock.now().getTime());
    expect(feed(policy, clock, 'failure', 9)).to.deep.equal([]);
  });
});

describe('outcome window', () => {
  it('given outcomes across the window, then only those within it count', () => {
    const window = new OutcomeWindow(1_000);
    window.add('failure', 0);
    window.add('success', 500);
    window.add('failure', 999);
    expect(window.totals(999)).to.deep.equal({ failures: 2, total: 3 });
    expect(window.totals(1_050)).to.deep.equal({ failures: 1, total: 2 });
  });
});

describe('step breaker outcomes', () => {
  const failure = { code: 'PROCESSING_FAILED', message: 'provider down' };
  it('a retry notice is a failure of its command step; a business refusal is a success', () => {
    expect(
      outcomeOf({
        type: 'command.retry_scheduled',
        data: { command_id: 'c', command: 'payment.void', retry: 1, delay_ms: 5, ...failure },
      }),
    ).to.deep.equal({ step: 'payment', outcome: 'failure' });
    expect(
      outcomeOf({
        type: 'inventory.rejected',
        data: { command_id: 'c', code: 'OUT_OF_STOCK', message: 'none' },
      } as never),
    ).to.deep.equal({ step: 'inventory', outcome: 'success' });
  });

  it('a poison dead letter says nothing about its step', () => {
    expect(
      outcomeOf({
        type: 'command.dead_lettered',
        data: {
          command_id: 'c',
          command: 'payment.authorize',
          attempts: 1,
          code: 'POISON',
          message: 'x',
        },
      }),
    ).to.equal(undefined);
  });

  it('a dead letter of a held step is replayed behind the breaker; of a closed step it is not', () => {
    const notice = (
      sagaId: string,
      command: 'payment.authorize' | 'shipping.create',
    ): SagaEvent => ({
      sagaId,
      messageId: `dead-letter:${sagaId}:3`,
      event: {
        type: 'command.dead_lettered',
        data: { command_id: `${sagaId}/${command}`, command, attempts: 3, ...failure },
      },
    });
    const replays = parkedReplays(
      [
        notice('a', 'payment.authorize'),
        notice('b', 'shipping.create'),
        notice('c', 'payment.authorize'),
      ],
      ['applied', 'applied', 'ignored'],
      (step) => step === 'payment',
    );
    expect(replays.map((r) => [r.sagaId, r.event.type, r.messageId])).to.deep.equal([
      ['a', 'operator.replay', 'breaker-replay:dead-letter:a:3'],
    ]);
    expect(replays[0]!.annotations?.[0]).to.include({ type: 'STEP_PAUSED', step: 'payment' });
  });
});
