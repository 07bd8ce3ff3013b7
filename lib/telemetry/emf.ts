/**
 * CloudWatch Embedded Metric Format: key metrics as JSON log lines on stdout, which the
 * CloudWatch agent (or Lambda / ECS log drivers) turns into metrics with no AWS call and no
 * credentials here. Counts are summed and durations collected between flushes, so the hot path
 * only adds to a number; one line a minute per service carries them all.
 */
const coordinator = ['coordinator'] as const;
const workers = ['payment', 'inventory', 'shipping'] as const;

/** Every metric the services write, its unit, and which services write it. */
export const emfMetrics = {
  SagasStarted: { unit: 'Count', services: coordinator },
  SagasCompleted: { unit: 'Count', services: coordinator },
  SagasCancelled: { unit: 'Count', services: coordinator },
  SagasStuck: { unit: 'Count', services: coordinator },
  SagaDurationMs: { unit: 'Milliseconds', services: coordinator },
  MessagesPublished: { unit: 'Count', services: coordinator },
  CommandsProcessed: { unit: 'Count', services: workers },
  CommandRetries: { unit: 'Count', services: workers },
  StepLatencyMs: { unit: 'Milliseconds', services: workers },
} as const;

export type EmfMetricName = keyof typeof emfMetrics;

/** CloudWatch takes at most 100 values of one metric in one line. */
const MAX_VALUES = 100;

export interface EmfSettings {
  namespace: string;
  region: string;
  service: string;
  /** Where lines go: stdout by default, one JSON object per line. */
  write?: (line: string) => void;
  now?: () => number;
}

export class EmfRecorder {
  private counts = new Map<EmfMetricName, number>();
  private durations = new Map<EmfMetricName, number[]>();
  private readonly write: (line: string) => void;
  private readonly now: () => number;

  constructor(private readonly settings: EmfSettings) {
    this.write = settings.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.now = settings.now ?? Date.now;
  }

  count(name: EmfMetricName, amount = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + amount);
  }

  duration(name: EmfMetricName, ms: number): void {
    const values = this.durations.get(name);
    if (values) values.push(ms);
    else this.durations.set(name, [ms]);
  }

  /** Writes what was recorded since the last flush (nothing when nothing was) and resets. */
  flush(): void {
    const counts = this.counts;
    const durations = this.durations;
    this.counts = new Map();
    this.durations = new Map();
    const longest = Math.max(0, ...[...durations.values()].map((v) => v.length));
    const lines = Math.max(counts.size > 0 ? 1 : 0, Math.ceil(longest / MAX_VALUES));
    for (let line = 0; line < lines; line += 1) {
      const values: Array<[EmfMetricName, number | number[]]> = line === 0 ? [...counts] : [];
      for (const [name, all] of durations) {
        const part = all.slice(line * MAX_VALUES, (line + 1) * MAX_VALUES);
        if (part.length > 0) values.push([name, part]);
      }
      this.write(JSON.stringify(this.document(values)));
    }
  }

  private document(values: Array<[EmfMetricName, number | number[]]>): Record<string, unknown> {
    const { namespace, region, service } = this.settings;
    return {
      _aws: {
        Timestamp: this.now(),
        CloudWatchMetrics: [
          {
            Namespace: namespace,
            Dimensions: [['Service']],
            Metrics: values.map(([name]) => ({ Name: name, Unit: emfMetrics[name].unit })),
          },
        ],
      },
      Service: service,
      Region: region,
      ...Object.fromEntries(values),
    };
  }
}

/** Flushes a recorder every `intervalMs`; `stop` writes what is left. */
export class EmfReporter {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly recorder: EmfRecorder,
    private readonly intervalMs = 60_000,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  runOnce(): void {
    this.recorder.flush();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.runOnce();
  }
}
