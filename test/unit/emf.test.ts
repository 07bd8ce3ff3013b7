import { expect } from 'chai';
import { EmfRecorder, EmfReporter, emfMetrics } from '../../lib/telemetry/emf';
import { loadConfig } from '../../lib/config';

type EmfLine = {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: Array<{
      Namespace: string;
      Dimensions: string[][];
      Metrics: Array<{ Name: string; Unit: string }>;
    }>;
  };
} & Record<string, unknown>;

function recorder(): { emf: EmfRecorder; lines: EmfLine[] } {
  const lines: EmfLine[] = [];
  const emf = new EmfRecorder({
    namespace: 'OrderSaga',
    region: 'eu-west-1',
    service: 'coordinator',
    write: (line) => lines.push(JSON.parse(line) as EmfLine),
    now: () => 1_700_000_000_000,
  });
  return { emf, lines };
}

describe('EMF recorder — CloudWatch Embedded Metric Format lines', () => {
  it('given counts and durations, when flushed, then one line declares each metric with its unit and carries its value under its name', () => {
    const { emf, lines } = recorder();
    emf.count('SagasStarted', 3);
    emf.count('SagasCompleted');
    emf.count('SagasCompleted');
    emf.duration('SagaDurationMs', 120);
    emf.duration('SagaDurationMs', 80);

    emf.flush();

    expect(lines).to.have.length(1);
    const [line] = lines;
    expect(line!._aws).to.deep.equal({
      Timestamp: 1_700_000_000_000,
      CloudWatchMetrics: [
        {
          Namespace: 'OrderSaga',
          Dimensions: [['Service']],
          Metrics: [
            { Name: 'SagasStarted', Unit: 'Count' },
            { Name: 'SagasCompleted', Unit: 'Count' },
            { Name: 'SagaDurationMs', Unit: 'Milliseconds' },
          ],
        },
      ],
    });
    expect(line).to.include({ Service: 'coordinator', SagasStarted: 3, SagasCompleted: 2 });
    expect(line!.SagaDurationMs).to.deep.equal([120, 80]);
  });

  it('given nothing recorded since the last flush, when flushed, then no line is written', () => {
    const { emf, lines } = recorder();
    emf.count('CommandsProcessed');
    emf.flush();
    emf.flush();
    expect(lines).to.have.length(1);
  });

  it('given more than 100 durations, when flushed, then they are split over lines of at most 100 values and none is lost', () => {
    const { emf, lines } = recorder();
    for (let i = 0; i < 250; i += 1) emf.duration('StepLatencyMs', i);
    emf.count('CommandsProcessed', 250);

    emf.flush();

    expect(lines.map((l) => (l.StepLatencyMs as number[]).length)).to.deep.equal([100, 100, 50]);
    expect(lines.flatMap((l) => l.StepLatencyMs as number[])).to.have.length(250);
    expect(lines.map((l) => l.CommandsProcessed)).to.deep.equal([250, undefined, undefined]);
    for (const line of lines) {
      const declared = line._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name);
      expect(
        declared.every((name) => name in line),
        JSON.stringify(declared),
      ).to.equal(true);
    }
  });

  it('given a reporter, when stopped, then what was recorded since its last flush is written', async () => {
    const { emf, lines } = recorder();
    const reporter = new EmfReporter(emf, 60_000);
    reporter.start();
    emf.count('CommandRetries');
    await reporter.stop();
    expect(lines.map((l) => l.CommandRetries)).to.deep.equal([1]);
  });

  it('given every metric name, then each has a CloudWatch unit', () => {
    for (const { unit } of Object.values(emfMetrics)) {
      expect(['Count', 'Milliseconds']).to.include(unit);
    }
  });
});

describe('config — CloudWatch and tracing settings', () => {
  it('given CLOUDWATCH_NAMESPACE without AWS_REGION, when loaded, then it fails naming AWS_REGION', () => {
    expect(() => loadConfig({ CLOUDWATCH_NAMESPACE: 'OrderSaga' })).to.throw(/AWS_REGION/);
  });

  it('given neither set, when loaded, then tracing and CloudWatch are off', () => {
    const { telemetry } = loadConfig({});
    expect(telemetry).to.deep.equal({ otlpEndpoint: '', serviceName: '', cloudwatch: null });
  });

  it('given both CloudWatch settings and an OTLP endpoint, when loaded, then both are on', () => {
    const { telemetry } = loadConfig({
      CLOUDWATCH_NAMESPACE: 'OrderSaga',
      AWS_REGION: 'eu-west-1',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    });
    expect(telemetry.cloudwatch).to.deep.equal({ namespace: 'OrderSaga', region: 'eu-west-1' });
    expect(telemetry.otlpEndpoint).to.equal('http://collector:4318');
  });
});
