import { expect } from 'chai';
import { ratesBetween, ratesSinceStart, readSnapshot } from '../../console/src/metrics/overview';
import { histogramQuantile, parsePrometheus } from '../../console/src/metrics/prometheus';

/** What prom-client answers on the coordinator's /metrics, trimmed to what the overview reads. */
const exposition = (
  completed: number,
  started: number,
) => `# HELP saga_outcomes_total Sagas ended, by status
# TYPE saga_outcomes_total counter
saga_outcomes_total{status="COMPLETED",service="coordinator"} ${completed}
saga_outcomes_total{status="CANCELLED",service="coordinator"} 2

# TYPE saga_started_total counter
saga_started_total{service="coordinator"} ${started}
# TYPE saga_end_to_end_seconds histogram
saga_end_to_end_seconds_bucket{le="0.05",status="COMPLETED",service="coordinator"} 50
saga_end_to_end_seconds_bucket{le="0.1",status="COMPLETED",service="coordinator"} 90
saga_end_to_end_seconds_bucket{le="0.25",status="COMPLETED",service="coordinator"} 100
saga_end_to_end_seconds_bucket{le="+Inf",status="COMPLETED",service="coordinator"} 100
saga_end_to_end_seconds_sum{status="COMPLETED",service="coordinator"} 6.1
saga_end_to_end_seconds_count{status="COMPLETED",service="coordinator"} 100
saga_end_to_end_seconds_bucket{le="0.05",status="CANCELLED",service="coordinator"} 0
saga_end_to_end_seconds_bucket{le="+Inf",status="CANCELLED",service="coordinator"} 2
saga_retries_total{step="payment",cause="error",service="coordinator"} 3
saga_dlq_depth{queue="payment.commands.dlq",service="coordinator"} 1
saga_queue_depth{queue="payment.commands",service="coordinator"} 4
saga_queue_depth{queue="payment.commands.dlq",service="coordinator"} 1
order_saga_waiting_clients{service="coordinator"} 0
process_start_time_seconds{service="coordinator"} 5
process_cpu_seconds_total{service="coordinator"} 1.5e+1
`;

describe('console metrics', () => {
  it('console metrics, given an exposition with escaped labels and exponents, when parsed, then every sample keeps its labels and value', () => {
    const samples = parsePrometheus(
      'a_total{path="/x\\"y",service="c"} 1.5e+1\n# comment\nb 3 1700000000000\nbroken{ 1\n',
    );

    expect(samples).to.deep.equal([
      { name: 'a_total', labels: { path: '/x"y', service: 'c' }, value: 15 },
      { name: 'b', labels: {}, value: 3 },
    ]);
  });

  it('console metrics, given histogram buckets, when a quantile is asked, then it is interpolated within its bucket', () => {
    const samples = parsePrometheus(exposition(100, 110));

    const at = (q: number) =>
      histogramQuantile(samples, 'saga_end_to_end_seconds', q, { status: 'COMPLETED' });

    expect(at(0.5)).to.be.closeTo(0.05, 1e-9);
    expect(at(0.7)).to.be.closeTo(0.075, 1e-9);
    expect(at(0.95)).to.be.closeTo(0.175, 1e-9);
    expect(
      histogramQuantile(samples, 'saga_end_to_end_seconds', 0.5, { status: 'STUCK' }),
    ).to.equal(undefined);
  });

  it('console metrics, given two scrapes, when summarized, then outcomes, retries, depths and per-second rates come out', () => {
    const first = readSnapshot(parsePrometheus(exposition(100, 110)), 10_000);
    const second = readSnapshot(parsePrometheus(exposition(120, 140)), 15_000);

    expect(second.outcomes).to.deep.equal({ COMPLETED: 120, CANCELLED: 2 });
    expect(second.retries).to.deep.equal([{ step: 'payment', cause: 'error', count: 3 }]);
    expect(second.deadLetters).to.deep.equal([{ queue: 'payment.commands.dlq', depth: 1 }]);
    expect(second.queues).to.deep.equal([{ queue: 'payment.commands', depth: 4 }]);
    expect(ratesBetween(first, second)).to.deep.equal({ startedPerSecond: 6, endedPerSecond: 4 });
    expect(ratesBetween(second, first), 'a counter that went back is a restart').to.equal(
      undefined,
    );
    expect(
      ratesSinceStart(first),
      'before a second reading: since the process started',
    ).to.deep.equal({ startedPerSecond: 22, endedPerSecond: 20.4 });
  });
});
