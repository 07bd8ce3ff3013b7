/**
 * Reading metric catalogues: the families a `/metrics` answer declares, the table in
 * docs/metrics.md, and the series a dashboard or rules file queries.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Family {
  type: string;
  /** Label names seen on its samples, `service` and histogram `le` left out. */
  labels: Set<string>;
}

const implicitLabels = new Set(['service', 'le', 'quantile']);

/** Families from `# TYPE` lines (present even before a first sample) and their samples' labels. */
export function familiesOf(exposition: string): Map<string, Family> {
  const families = new Map<string, Family>();
  for (const line of exposition.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) families.set(type[1]!, { type: type[2]!, labels: new Set() });
  }
  for (const line of exposition.split('\n')) {
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (!sample) continue;
    const family = families.get(familyName(sample[1]!, families));
    for (const label of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) {
      if (!implicitLabels.has(label[1]!)) family?.labels.add(label[1]!);
    }
  }
  return families;
}

/** The family a sample name belongs to: a histogram's `_bucket`, `_sum` and `_count` are its own. */
export function familyName(name: string, families: ReadonlyMap<string, unknown>): string {
  if (families.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return families.has(base) ? base : name;
}

export interface DocumentedSeries {
  name: string;
  type: string;
  labels: string[];
  exportedBy: string;
}

/** The rows of the series table in docs/metrics.md. */
export function documentedSeries(root: string): DocumentedSeries[] {
  const text = readFileSync(path.join(root, 'docs/metrics.md'), 'utf8');
  return text.split('\n').flatMap((line) => {
    const cells = line.split('|').map((cell) => cell.trim());
    const name = /^`(order_saga_[a-z0-9_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!name || cells.length < 7) return [];
    const labels = [...cells[3]!.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
    return [{ name, type: cells[2]!, labels, exportedBy: cells[4]! }];
  });
}

/** Every `order_saga_` series a file (a dashboard, a rules file) names. */
export function seriesNamedIn(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...new Set([...text.matchAll(/\border_saga_[a-z0-9_]+/g)].map((m) => m[0]))];
}
