/**
 * Checks for option and argument values, run by commander as it parses. Each message completes
 * commander's "option '--x <v>' argument 'y' is invalid." so the operator learns which flag to
 * fix rather than which JSON field the API rejected.
 */
import { InvalidArgumentError } from 'commander';
import { isUuid } from '../../lib/http/paging';
import { idPattern } from '../../sagas/contracts/envelope';

export interface NumberRule {
  min: number;
  max?: number;
  integer?: boolean;
  /** The minimum itself is not allowed (a TTL of 0 would expire at once). */
  above?: boolean;
}

export const numberIn =
  (rule: NumberRule) =>
  (text: string): number => {
    const value = text.trim() === '' ? Number.NaN : Number(text);
    if (!fitsRule(value, rule)) throw new InvalidArgumentError(`It must be ${describeRule(rule)}.`);
    return value;
  };

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

export function text(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('It must not be empty.');
  return value;
}

/** For an option given several times: every value, in order. */
export const collect = (value: string, previous: string[] = []): string[] => [
  ...previous,
  text(value),
];

const orderIdPattern = new RegExp(idPattern);

/** A saga id (a uuid) or an order id; anything else could name neither. */
export function sagaOrOrderId(value: string): string {
  if (isUuid(value) || orderIdPattern.test(value)) return value;
  throw new InvalidArgumentError(
    'It must be a saga id (a uuid) or an order id (1–64 of A–Z a–z 0–9 . _ : -).',
  );
}

export function httpUrl(value: string): string {
  if (!/^https?:\/\/[^/]/i.test(value))
    throw new InvalidArgumentError('It must be an http(s) URL.');
  return value.replace(/\/+$/, '');
}
