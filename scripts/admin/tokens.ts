/**
 * The CLI's grammar: which options exist, which command takes which, and the split of argv
 * into positionals and option values. What the values mean is left to the command builders.
 */
import { UsageError } from './usage';

export interface Tokens {
  positionals: string[];
  options: Map<string, string[]>;
}

type OptionKind = 'flag' | 'value' | 'list';

// A Map, not an object literal: a lookup of `--constructor` must not find Object.prototype.
const optionKinds: ReadonlyMap<string, OptionKind> = new Map<string, OptionKind>([
  ['url', 'value'],
  ['token', 'value'],
  ['json', 'flag'],
  ['help', 'flag'],
  ['step', 'value'],
  ['code', 'value'],
  ['min-age', 'value'],
  ['limit', 'value'],
  ['all', 'flag'],
  ['dry-run', 'flag'],
  ['reason', 'value'],
  ['actor', 'value'],
  ['message', 'list'],
  ['yes', 'flag'],
  ['target', 'value'],
  ['mode', 'value'],
  ['probability', 'value'],
  ['latency-ms', 'value'],
  ['count', 'value'],
  ['ttl', 'value'],
  ['id', 'value'],
]);

const globalOptions = ['url', 'token', 'json', 'help'];
export const filterOptions = ['step', 'code', 'min-age'];
const actionOptions = ['dry-run', 'reason', 'actor'];

const commandOptions = new Map<string, readonly string[]>([
  ['help', []],
  ['stuck', [...filterOptions, 'limit']],
  ['replay', ['all', ...filterOptions, ...actionOptions]],
  ['cancel', actionOptions],
  ['dlq', []],
  ['dlq replay', ['message']],
  ['dlq purge', ['yes']],
  ['faults', []],
  ['faults add', ['target', 'mode', 'probability', 'latency-ms', 'count', 'ttl']],
  ['faults clear', ['id']],
]);

export function tokenize(argv: readonly string[]): Tokens {
  const tokens: Tokens = { positionals: [], options: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') tokens.options.set('help', []);
    else if (arg.startsWith('-') && arg !== '-') i += readOption(tokens, arg, argv[i + 1]);
    else tokens.positionals.push(arg);
  }
  return tokens;
}

/** Records one option; answers how many extra argv entries it consumed (its value, if apart). */
function readOption(tokens: Tokens, arg: string, next: string | undefined): number {
  const match = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
  const name = match?.[1] ?? arg;
  const kind = optionKinds.get(name);
  if (!match || !kind) throw new UsageError(`unknown option ${arg.replace(/=.*$/s, '')}`);
  const inline = match[2];
  if (kind === 'flag') {
    if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
    tokens.options.set(name, []);
    return 0;
  }
  const value = inline ?? next;
  if (value === undefined || (inline === undefined && value.startsWith('--'))) {
    throw new UsageError(`--${name} needs a value`);
  }
  addValue(tokens.options, name, kind, value);
  return inline === undefined ? 1 : 0;
}

function addValue(options: Map<string, string[]>, name: string, kind: OptionKind, value: string) {
  if (value.trim() === '') throw new UsageError(`--${name} must not be empty`);
  const values = options.get(name) ?? [];
  if (kind === 'value' && values.length > 0) throw new UsageError(`--${name} given twice`);
  options.set(name, [...values, value]);
}

/** The command name, which may be two words (`dlq replay`), and the arguments after it. */
export function resolveCommand(positionals: string[]): { name: string; args: string[] } {
  const [first, second] = positionals;
  if (first === undefined) throw new UsageError('no command given');
  const pair = `${first} ${second}`;
  if (second !== undefined && commandOptions.has(pair)) {
    return { name: pair, args: positionals.slice(2) };
  }
  if (commandOptions.has(first)) return { name: first, args: positionals.slice(1) };
  throw new UsageError(`unknown command ${first}`);
}

export function checkApplicable(name: string, options: ReadonlyMap<string, string[]>): void {
  const allowed = [...globalOptions, ...(commandOptions.get(name) ?? [])];
  for (const option of options.keys()) {
    if (!allowed.includes(option)) throw new UsageError(`--${option} does not apply to ${name}`);
  }
}
