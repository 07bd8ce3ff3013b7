/**
 * Reads the Prometheus text exposition format (what `GET /metrics` answers): samples with their
 * labels. Comments, HELP and TYPE lines are skipped; a malformed line is skipped, not fatal.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = sampleLine.exec(line);
    if (!match) continue;
    const labels = parseLabels(match[2] ?? '');
    const value = parseValue(match[3]!);
    if (labels && value !== undefined) samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

function parseLabels(text: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  labelPair.lastIndex = 0;
  let consumed = 0;
  for (let match = labelPair.exec(text); match; match = labelPair.exec(text)) {
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    consumed = labelPair.lastIndex;
  }
  return consumed === text.length ? labels : undefined;
}

function parseValue(text: string): number | undefined {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const value = Number(text);
  return Number.isNaN(value) && text !== 'NaN' ? undefined : value;
}

/** The samples of one metric, optionally only those whose labels include `match`. */
export function samplesOf(
  samples: readonly Sample[],
  name: string,
  match: Record<string, string> = {},
): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v),
  );
}

export const sumOf = (samples: readonly Sample[]): number =>
  samples.reduce((total, s) => total + s.value, 0);

/**
 * A quantile (0–1) of a histogram from its cumulative `_bucket` samples, interpolating within
 * the bucket as Prometheus' histogram_quantile does. Undefined without observations.
 */
export function histogramQuantile(
  samples: readonly Sample[],
  name: string,
  quantile: number,
  match: Record<string, string> = {},
): number | undefined {
  const byBound = new Map<number, number>();
  for (const s of samplesOf(samples, `${name}_bucket`, match)) {
    const bound = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    byBound.set(bound, (byBound.get(bound) ?? 0) + s.value);
  }
  const buckets = [...byBound.entries()].sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return undefined;
  const rank = quantile * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      // Past the last finite bound, the best answer is that bound.
      if (bound === Infinity) return lowerBound;
      const inBucket = count - lowerCount;
      return inBucket === 0
        ? bound
        : lowerBound + (bound - lowerBound) * ((rank - lowerCount) / inBucket);
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}
