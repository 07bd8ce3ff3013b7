/**
 * Typed access to the option values of one command line. Every check names the CLI option,
 * so the operator learns which flag to fix rather than which JSON field the API rejected.
 */
import { UsageError } from './usage';

export interface NumberRule {
  min: number;
  max?: number;
  integer?: boolean;
  /** The minimum itself is not allowed (a TTL of 0 would expire at once). */
  above?: boolean;
}

export class OptionReader {
  constructor(private readonly values: ReadonlyMap<string, readonly string[]>) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  text(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  list(name: string): string[] {
    return [...(this.values.get(name) ?? [])];
  }

  number(name: string, rule: NumberRule): number | undefined {
    const text = this.text(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!fitsRule(value, rule)) throw new UsageError(`--${name} must be ${describeRule(rule)}`);
    return value;
  }

  choice<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.text(name);
    if (value === undefined) return undefined;
    const found = allowed.find((candidate) => candidate === value);
    if (!found) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
    return found;
  }
}

function fitsRule(value: number, rule: NumberRule): boolean {
  if (!Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) return false;
  if (rule.above ? value <= rule.min : value < rule.min) return false;
  return rule.max === undefined || value <= rule.max;
}

function describeRule(rule: NumberRule): string {
  const kind = rule.integer ? 'an integer' : 'a number';
  const low = `${rule.above ? '>' : '≥'} ${rule.min}`;
  return rule.max === undefined ? `${kind} ${low}` : `${kind} ${low} and ≤ ${rule.max}`;
}

export function required<T>(name: string, value: T | undefined): T {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}
