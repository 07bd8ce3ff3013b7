import { expect } from 'chai';
import { ratesBetween, ratesSinceStart, readSnapshot } from '../../console/src/metrics/overview';
import { histogramQuantile, parsePrometheus } from '../../console/src/metrics/prometheus';

/** What prom-client answers on the coordinator's /metrics, trimmed to what the overview reads. */
const exposition = (
  completed: number,
  started: number,
) => `# HELP order_saga_sagas_ended_total Sagas ended, by status
# TYPE order_saga_sagas_ended_total counter
order_saga_sagas_ended_total{status="COMPLETED",service="coordinator"} ${completed}
order_saga_sagas_ended_total{status="CANCELLED",service="coordinator"} 2

# TYPE order_saga_sagas_started_total counter
order_saga_sagas_started_total{service="coordinator"} ${started}
# TYPE order_saga_end_to_end_duration_seconds histogram
order_saga_end_to_end_duration_seconds_bucket{le="0.05",status="COMPLETED",service="coordinator"} 50
order_saga_end_to_end_duration_seconds_bucket{le="0.1",status="COMPLETED",service="coordinator"} 90
order_saga_end_to_end_duration_seconds_bucket{le="0.25",status="COMPLETED",service="coordinator"} 100
order_saga_end_to_end_duration_seconds_bucket{le="+Inf",status="COMPLETED",service="coordinator"} 100
order_saga_end_to_end_duration_seconds_sum{status="COMPLETED",service="coordinator"} 6.1
order_saga_end_to_end_duration_seconds_count{status="COMPLETED",service="coordinator"} 100
order_saga_end_to_end_duration_seconds_bucket{le="0.05",status="CANCELLED",service="coordinator"} 0
order_saga_end_to_end_duration_seconds_bucket{le="+Inf",status="CANCELLED",service="coordinator"} 2
order_saga_retries_total{step="payment",cause="error",service="coordinator"} 3
order_saga_dlq_messages{queue="payment.commands.dlq",service="coordinator"} 1
order_saga_queue_messages{queue="payment.commands",service="coordinator"} 4
order_saga_queue_messages{queue="payment.commands.dlq",service="coordinator"} 1
order_saga_waiting_clients{service="coordinator"} 0
order_saga_process_start_time_seconds{service="coordinator"} 5
order_saga_process_cpu_seconds_total{service="coordinator"} 1.5e+1
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
      histogramQuantile(samples, 'order_saga_end_to_end_duration_seconds', q, {
        status: 'COMPLETED',
      });

    expect(at(0.5)).to.be.closeTo(0.05, 1e-9);
    expect(at(0.7)).to.be.closeTo(0.075, 1e-9);
    expect(at(0.95)).to.be.closeTo(0.175, 1e-9);
    expect(
      histogramQuantile(samples, 'order_saga_end_to_end_duration_seconds', 0.5, {
        status: 'STUCK',
      }),
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
