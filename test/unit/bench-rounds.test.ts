import { expect } from 'chai';
import { BaselineResult } from '../../scripts/bench/baseline';
import { LoopResult } from '../../scripts/bench/closed-loop';
import { median, summarizeRounds } from '../../scripts/bench/rounds';

const ours = (sagasPerS: number, p50: number, cpu: number): LoopResult => ({
  sagas: sagasPerS * 10,
  seconds: 10,
  sagas_per_s: sagasPerS,
  latency_ms: { p50, p95: p50 * 2, p99: p50 * 3 },
  cpu_ms_per_saga: { services: cpu / 2, postgres: cpu / 4, rabbitmq: cpu / 4, total: cpu },
  service_cpu_ms_per_saga: { coordinator: cpu / 4, payment: cpu / 4 },
  saga_version: 2,
  statuses: { COMPLETED: sagasPerS * 10 },
  failures: 0,
  completed_in_all: sagasPerS * 12,
});

const floor = (sagasPerS: number, p50: number): BaselineResult => ({
  sagas: sagasPerS * 10,
  sagas_per_s: sagasPerS,
  latency_ms: { p50, p95: p50 * 2, p99: p50 * 3 },
  cpu_ms_per_saga: { services: 2, postgres: 2, rabbitmq: 2, total: 6 },
});

describe('bench rounds', () => {
  it('given one round, when summed up, then it is reported as it ran, with its ratios', () => {
    const summary = summarizeRounds([{ ours: ours(200, 300, 8), floor: floor(250, 250) }]);

    expect(summary.sagas_per_s).to.equal(200);
    expect(summary.ratio_to_baseline).to.deep.equal({
      sagas_per_s: 0.8,
      latency_p50: 1.2,
      latency_p95: 1.2,
      latency_p99: 1.2,
    });
    expect(summary).not.to.have.property('rounds');
  });

  it('given rounds on a machine whose speed drifts, when summed up, then the ratio is the median of each round’s own ratio, not a ratio of medians', () => {
    // Round 2 ran our system on a slow stretch, round 3 the floor on one.
    const rounds = [
      { ours: ours(200, 320, 8), floor: floor(250, 250) },
      { ours: ours(100, 640, 16), floor: floor(260, 245) },
      { ours: ours(210, 305, 7.6), floor: floor(130, 490) },
    ];

    const summary = summarizeRounds(rounds);

    expect(summary.sagas_per_s).to.equal(200);
    expect(summary.cpu_ms_per_saga.total).to.equal(8);
    expect(summary.baseline?.sagas_per_s).to.equal(250);
    // Each round's throughput ratio: 0.8, 0.38, 1.62; their median is 0.8 (200 ÷ 250).
    expect(summary.ratio_to_baseline?.sagas_per_s).to.equal(0.8);
    expect(summary.ratio_to_baseline?.latency_p50).to.equal(1.28);
    expect(summary.sagas).to.equal(5100);
    expect(summary.statuses).to.deep.equal({ COMPLETED: 5100 });
    expect(summary.completed_in_all).to.equal(6120);
    expect(summary.service_cpu_ms_per_saga).to.deep.equal({ coordinator: 2, payment: 2 });
    expect(summary.rounds?.map((r) => r.ratio_to_baseline?.sagas_per_s)).to.deep.equal([
      0.8, 0.38, 1.62,
    ]);
  });

  it('given rounds without the floor, when summed up, then the medians stand alone', () => {
    const summary = summarizeRounds([{ ours: ours(100, 500, 9) }, { ours: ours(300, 200, 7) }]);

    expect(summary.sagas_per_s).to.equal(200);
    expect(summary.latency_ms.p50).to.equal(350);
    expect(summary).not.to.have.property('baseline');
    expect(summary).not.to.have.property('ratio_to_baseline');
  });

  it('given no round, when summed up, then it says so', () => {
    expect(() => summarizeRounds([])).to.throw('no round was run');
  });

  it('given an odd or even count, when the median is taken, then it is the middle or the mean of the two middles', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
  });
});
