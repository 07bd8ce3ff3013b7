import { expect } from 'chai';
import type { TimelineEvent } from '../../console/src/api/types';
import { layoutTimeline } from '../../console/src/timeline/layout';
import { attemptsOf, laneOf, summarize, toneOf } from '../../console/src/timeline/model';

const at = (ms: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, 0, ms)).toISOString();
let seq = 0;
const event = (ms: number, type: string, fields: Partial<TimelineEvent> = {}): TimelineEvent => ({
  seq: ++seq,
  at: at(ms),
  type,
  ...fields,
});
const sent = (ms: number, command: string, attempt = 1) =>
  event(ms, 'COMMAND_SENT', {
    step: command.split('.')[0],
    command,
    command_id: `saga-1/${command}`,
    attempt,
  });
const reply = (ms: number, type: string, command: string) =>
  event(ms, 'REPLY_RECEIVED', {
    step: type.split('.')[0],
    reply: type,
    command_id: `saga-1/${command}`,
  });

describe('console timeline', () => {
  beforeEach(() => {
    seq = 0;
  });

  it('console timeline, given a completed saga, when modelled, then each step has one succeeded send in its own lane', () => {
    const events = [
      event(0, 'SAGA_STARTED', { state: 'authorizingPayment' }),
      sent(0, 'payment.authorize'),
      reply(20, 'payment.authorized', 'payment.authorize'),
      event(20, 'STEP_SUCCEEDED', { step: 'payment' }),
      sent(20, 'inventory.reserve'),
      reply(35, 'inventory.reserved', 'inventory.reserve'),
      sent(35, 'shipping.create'),
      reply(60, 'shipping.ready', 'shipping.create'),
      event(60, 'SAGA_COMPLETED', { state: 'completed' }),
    ];

    const attempts = attemptsOf(events);

    expect(attempts.map((a) => [a.lane, a.command, a.outcome])).to.deep.equal([
      ['payment', 'payment.authorize', 'succeeded'],
      ['inventory', 'inventory.reserve', 'succeeded'],
      ['shipping', 'shipping.create', 'succeeded'],
    ]);
    expect(events.map(laneOf)).to.deep.equal([
      'saga',
      'payment',
      'payment',
      'payment',
      'inventory',
      'inventory',
      'shipping',
      'shipping',
      'saga',
    ]);
    expect(toneOf(events[8]!)).to.equal('success');
  });

  it('console timeline, given worker retries, a dead letter and an operator replay, when modelled, then the retries stay on their send and the replay is a new send', () => {
    const events = [
      event(0, 'SAGA_STARTED'),
      sent(0, 'payment.authorize'),
      event(10, 'RETRY_SCHEDULED', {
        step: 'payment',
        command_id: 'saga-1/payment.authorize',
        attempt: 1,
        delay_ms: 100,
        code: 'PROVIDER_DOWN',
        message: '503',
      }),
      event(150, 'DEAD_LETTERED', {
        step: 'payment',
        command: 'payment.authorize',
        command_id: 'saga-1/payment.authorize',
        attempt: 2,
      }),
      event(150, 'SAGA_STUCK', {
        reason: { step: 'payment', code: 'PROVIDER_DOWN', message: '503' },
      }),
      event(5_000, 'ADMIN_REPLAY', { actor: 'ops', reason: 'provider fixed' }),
      sent(5_000, 'payment.authorize', 3),
      reply(5_020, 'payment.authorized', 'payment.authorize'),
    ];

    const attempts = attemptsOf(events);

    expect(attempts.map((a) => [a.attempt, a.retries, a.outcome])).to.deep.equal([
      [1, 1, 'dead-lettered'],
      [3, 0, 'succeeded'],
    ]);
    expect(laneOf(events[5]!)).to.equal('operator');
    expect(summarize(events[5]!)).to.equal('replay by ops: provider fixed');
    expect(toneOf(events[3]!)).to.equal('danger');
  });

  it('console timeline, given a step timeout and a late reply, when modelled, then the timeout ends the first send and the late reply ends nothing', () => {
    const events = [
      sent(0, 'payment.authorize'),
      event(3_000, 'STEP_TIMED_OUT', { step: 'payment', command: 'payment.authorize', attempt: 1 }),
      sent(3_000, 'payment.authorize', 2),
      { ...reply(3_100, 'payment.authorized', 'payment.authorize'), late: true },
    ];

    expect(attemptsOf(events).map((a) => a.outcome)).to.deep.equal(['timed-out', 'open']);
  });

  it('console timeline, given a step timeout, when summarized, then it names the command and no attempt (the recorded one is the re-send to come)', () => {
    const timedOut = event(3_000, 'STEP_TIMED_OUT', {
      step: 'payment',
      command: 'payment.authorize',
      attempt: 2,
    });

    expect(summarize(timedOut)).to.equal('no reply to payment.authorize in time');
  });

  it('console timeline, given a wait for an absent worker, when modelled, then it is a warning that keeps the send open and says no worker consumes', () => {
    const events = [
      sent(0, 'inventory.reserve'),
      event(3_000, 'WAITING_FOR_WORKER', {
        step: 'inventory',
        command: 'inventory.reserve',
        attempt: 1,
        consumers: 0,
        ready: 12,
      }),
    ];

    expect(toneOf(events[1]!)).to.equal('warning');
    expect(summarize(events[1]!)).to.equal(
      'inventory.reserve still queued: no inventory worker is consuming',
    );
    expect(attemptsOf(events).map((a) => a.outcome)).to.deep.equal(['open']);
  });

  it('console timeline, given a compensation, when modelled, then its commands and replies read as compensation', () => {
    const events = [
      sent(0, 'payment.void'),
      reply(5, 'payment.voided', 'payment.void'),
      reply(6, 'inventory.rejected', 'inventory.reserve'),
    ];

    expect(events.map(toneOf)).to.deep.equal(['compensation', 'compensation', 'danger']);
    expect(attemptsOf(events)[0]).to.include({ compensation: true, outcome: 'succeeded' });
  });

  it('console timeline layout, given the time scale, when laid out, then distance follows elapsed time and coincident events in a lane are stacked', () => {
    const events = [
      sent(0, 'payment.authorize'),
      reply(100, 'payment.authorized', 'payment.authorize'),
      event(100, 'STEP_SUCCEEDED', { step: 'payment' }),
      sent(100, 'inventory.reserve'),
      reply(400, 'inventory.reserved', 'inventory.reserve'),
    ];

    const layout = layoutTimeline(events, { width: 420, scale: 'time', padding: 10 });

    expect(layout.markers.map((m) => Math.round(m.x))).to.deep.equal([10, 110, 110, 110, 410]);
    expect(layout.markers.map((m) => m.row)).to.deep.equal([0, 0, 1, 0, 0]);
    expect(layout.lanes).to.deep.equal(['saga', 'payment', 'inventory', 'shipping']);
    expect(layout.attempts.map((a) => [Math.round(a.x1), Math.round(a.x2)])).to.deep.equal([
      [10, 110],
      [110, 410],
    ]);
    expect(layout.ticks[0]).to.deep.equal({ x: 10, label: '0' });
    expect(layout.ticks.at(-1)?.label).to.equal('+400 ms');
  });

  it('console timeline layout, given the order scale and an operator event, when laid out, then events are evenly spaced and the operator lane appears', () => {
    const events = [
      event(0, 'SAGA_STARTED'),
      event(3_600_000, 'ADMIN_CANCEL', { actor: 'ops', reason: 'customer asked' }),
      event(3_600_010, 'SAGA_CANCELLED'),
    ];

    const layout = layoutTimeline(events, { width: 220, scale: 'order', padding: 10 });

    expect(layout.markers.map((m) => m.x)).to.deep.equal([10, 110, 210]);
    expect(layout.lanes).to.include('operator');
    expect(layout.ticks).to.deep.equal([]);
  });

  it('console timeline layout, given a send still waiting, when laid out with the current time, then its bar reaches now', () => {
    const events = [sent(0, 'payment.authorize')];

    const layout = layoutTimeline(events, {
      width: 220,
      scale: 'time',
      padding: 10,
      now: new Date(at(1_000)).getTime(),
    });

    expect(layout.attempts[0]).to.include({ x1: 10, x2: 210 });
  });
});
