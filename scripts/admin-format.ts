/**
 * The pure half of `npm run admin`: argument parsing, request building and output formatting.
 * Nothing here touches the network or the process, so every rule of the CLI is unit tested
 * without a running coordinator (see test/unit/admin-cli.test.ts).
 */

export const steps = ['payment', 'inventory', 'shipping'] as const;
export type Step = (typeof steps)[number];
export const faultModes = ['error', 'decline', 'timeout', 'crash', 'latency'] as const;
export type FaultMode = (typeof faultModes)[number];

interface StuckFilterArgs {
  step?: Step;
  code?: string;
  minAgeSeconds?: number;
}

interface ActionArgs {
  dryRun: boolean;
  reason?: string;
  actor?: string;
}

/** Field names follow the API body, so the rule is sent as it is. */
export interface FaultRuleInput {
  target: Step;
  mode: FaultMode;
  probability: number;
  latency_ms?: number;
  count?: number;
  ttl_seconds?: number;
}

export type Command =
  | ({ kind: 'stuck'; limit?: number } & StuckFilterArgs)
  | ({ kind: 'replay' | 'cancel'; sagaId: string } & ActionArgs)
  | ({ kind: 'replay-all' } & StuckFilterArgs & ActionArgs)
  | { kind: 'dlq' }
  | { kind: 'dlq-replay'; queue: string; messageIds: string[] }
  | { kind: 'dlq-purge'; queue: string }
  | { kind: 'faults' }
  | { kind: 'faults-add'; rule: FaultRuleInput }
  | { kind: 'faults-clear'; id?: string };

export interface Settings {
  url: string;
  token: string;
  json: boolean;
}

export type ParseResult =
  | { kind: 'help' }
  | { kind: 'run'; command: Command; settings: Settings }
  | { kind: 'refuse'; message: string; showUsage: boolean };

export interface CliEnv {
  ADMIN_TOKEN?: string;
  ORDER_SERVICE_PORT?: string;
}

export const usage = `usage: npm run admin -- <command> [options]

commands:
  stuck [--step S] [--code CODE] [--min-age SECONDS] [--limit N]
                                  list STUCK sagas with their diagnosis
  replay <saga_id> [--dry-run] [--reason TEXT] [--actor NAME]
                                  re-send the command a STUCK saga is waiting on
  replay --all [--step S] [--code CODE] [--min-age SECONDS] [--dry-run] [--reason] [--actor]
                                  replay every STUCK saga matching the filter
  cancel <saga_id> [--dry-run] [--reason TEXT] [--actor NAME]
                                  compensate a saga and end it
  dlq                             list the dead-letter queues and their messages
  dlq replay <queue> [--message ID ...]
                                  re-publish dead letters (all, or the given ids)
  dlq purge <queue> --yes         delete every message of a dead-letter queue
  faults                          list the runtime fault rules
  faults add --target S --mode M --probability P [--latency-ms N] [--count N] [--ttl SECONDS]
                                  add a fault rule (modes: ${faultModes.join(', ')})
  faults clear [--id ID]          remove one fault rule, or all of them
  help                            print this text

S is one of ${steps.join(', ')}.

options of every command:
  --url URL       coordinator base URL (default http://127.0.0.1:$ORDER_SERVICE_PORT, port 8000)
  --token TOKEN   admin token (default $ADMIN_TOKEN, also read from .env)
  --json          print the JSON answer instead of a table`;

// ---------------------------------------------------------------------------------------------
// Argument parsing

/** Thrown while parsing and turned into a `refuse` result, so parsing code stays linear. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
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
const filterOptions = ['step', 'code', 'min-age'];
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

interface Tokens {
  positionals: string[];
  options: Map<string, string[]>;
}

export function parseArgs(argv: readonly string[], env: CliEnv): ParseResult {
  try {
    const tokens = tokenize(argv);
    if (tokens.options.has('help')) return { kind: 'help' };
    const { name, args } = resolveCommand(tokens.positionals);
    if (name === 'help') return { kind: 'help' };
    checkApplicable(name, tokens.options);
    const options = new OptionReader(tokens.options);
    const command = buildCommand(name, args, options);
    return { kind: 'run', command, settings: readSettings(options, env) };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { kind: 'refuse', message: error.message, showUsage: error.showUsage };
  }
}

function tokenize(argv: readonly string[]): Tokens {
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

function resolveCommand(positionals: string[]): { name: string; args: string[] } {
  const [first, second] = positionals;
  if (first === undefined) throw new UsageError('no command given');
  const pair = `${first} ${second}`;
  if (second !== undefined && commandOptions.has(pair)) {
    return { name: pair, args: positionals.slice(2) };
  }
  if (commandOptions.has(first)) return { name: first, args: positionals.slice(1) };
  throw new UsageError(`unknown command ${first}`);
}

function checkApplicable(name: string, options: ReadonlyMap<string, string[]>): void {
  const allowed = [...globalOptions, ...(commandOptions.get(name) ?? [])];
  for (const option of options.keys()) {
    if (!allowed.includes(option)) throw new UsageError(`--${option} does not apply to ${name}`);
  }
}

interface NumberRule {
  min: number;
  max?: number;
  integer?: boolean;
  /** The minimum itself is not allowed (a TTL of 0 would expire at once). */
  above?: boolean;
}

class OptionReader {
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

function required<T>(name: string, value: T | undefined): T {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

/** Drops undefined fields, so commands and bodies hold only what was given. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function expectArgs(name: string, args: string[], wanted: string[]): string[] {
  if (args.length < wanted.length) {
    throw new UsageError(`${name} needs ${wanted.slice(args.length).join(' ')}`);
  }
  if (args.length > wanted.length)
    throw new UsageError(`unexpected argument ${args[wanted.length]}`);
  return args;
}

type Builder = (args: string[], options: OptionReader) => Command;

const noArgs =
  (name: string, command: Command): Builder =>
  (args) => {
    expectArgs(name, args, []);
    return command;
  };

const builders = new Map<string, Builder>([
  ['stuck', buildStuck],
  ['replay', buildReplay],
  ['cancel', (args, o) => ({ kind: 'cancel', sagaId: sagaIdOf('cancel', args), ...action(o) })],
  ['dlq', noArgs('dlq', { kind: 'dlq' })],
  ['dlq replay', buildDlqReplay],
  ['dlq purge', buildDlqPurge],
  ['faults', noArgs('faults', { kind: 'faults' })],
  ['faults add', buildFaultsAdd],
  ['faults clear', buildFaultsClear],
]);

function buildCommand(name: string, args: string[], options: OptionReader): Command {
  const builder = builders.get(name);
  if (!builder) throw new UsageError(`unknown command ${name}`);
  return builder(args, options);
}

function filter(o: OptionReader): StuckFilterArgs {
  return defined({
    step: o.choice('step', steps),
    code: o.text('code'),
    minAgeSeconds: o.number('min-age', { min: 0 }),
  });
}

function action(o: OptionReader): ActionArgs {
  return defined({ dryRun: o.has('dry-run'), reason: o.text('reason'), actor: o.text('actor') });
}

function sagaIdOf(name: string, args: string[]): string {
  return expectArgs(name, args, ['<saga_id>'])[0]!;
}

function buildStuck(args: string[], o: OptionReader): Command {
  expectArgs('stuck', args, []);
  const limit = o.number('limit', { min: 1, max: 500, integer: true });
  return defined({ kind: 'stuck', ...filter(o), limit });
}

function buildReplay(args: string[], o: OptionReader): Command {
  if (o.has('all')) {
    expectArgs('replay --all', args, []);
    return { kind: 'replay-all', ...filter(o), ...action(o) };
  }
  const misplaced = filterOptions.find((name) => o.has(name));
  if (misplaced) throw new UsageError(`--${misplaced} only applies to replay --all`);
  return { kind: 'replay', sagaId: sagaIdOf('replay', args), ...action(o) };
}

function buildDlqReplay(args: string[], o: OptionReader): Command {
  const [queue] = expectArgs('dlq replay', args, ['<queue>']);
  return { kind: 'dlq-replay', queue: queue!, messageIds: o.list('message') };
}

function buildDlqPurge(args: string[], o: OptionReader): Command {
  const [queue] = expectArgs('dlq purge', args, ['<queue>']);
  if (!o.has('yes')) {
    throw new UsageError(
      `dlq purge deletes every message in ${queue} for good; add --yes to confirm`,
      false,
    );
  }
  return { kind: 'dlq-purge', queue: queue! };
}

function buildFaultsAdd(args: string[], o: OptionReader): Command {
  expectArgs('faults add', args, []);
  const rule: FaultRuleInput = defined({
    target: required('target', o.choice('target', steps)),
    mode: required('mode', o.choice('mode', faultModes)),
    probability: required('probability', o.number('probability', { min: 0, max: 1 })),
    latency_ms: o.number('latency-ms', { min: 0, max: 600_000, integer: true }),
    count: o.number('count', { min: 1, integer: true }),
    ttl_seconds: o.number('ttl', { min: 0, max: 86_400, above: true }),
  });
  // The API would answer 400 too; checking here names the CLI option instead of the JSON field.
  if (rule.mode === 'latency' && rule.latency_ms === undefined) {
    throw new UsageError('--mode latency needs --latency-ms');
  }
  return { kind: 'faults-add', rule };
}

function buildFaultsClear(args: string[], o: OptionReader): Command {
  expectArgs('faults clear', args, []);
  return defined({ kind: 'faults-clear', id: o.text('id') });
}

function readSettings(o: OptionReader, env: CliEnv): Settings {
  const url = o.text('url') ?? `http://127.0.0.1:${env.ORDER_SERVICE_PORT || 8000}`;
  if (!/^https?:\/\/[^/]/i.test(url)) throw new UsageError(`--url must be an http(s) URL: ${url}`);
  const token = o.text('token') || env.ADMIN_TOKEN;
  if (!token) {
    throw new UsageError(
      'no admin token: pass --token or set ADMIN_TOKEN (or put it in .env)',
      false,
    );
  }
  return { url: url.replace(/\/+$/, ''), token, json: o.has('json') };
}

// ---------------------------------------------------------------------------------------------
// Request building

export type JsonBody = Record<string, string | number | boolean | string[]>;

export interface ApiRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: JsonBody;
}

export function buildRequest(command: Command): ApiRequest {
  switch (command.kind) {
    case 'stuck':
      return { method: 'GET', path: withQuery('/admin/sagas', stuckQuery(command)) };
    case 'replay':
    case 'cancel':
      return actionRequest(`/admin/sagas/${segment(command.sagaId)}/${command.kind}`, command, {});
    case 'replay-all':
      return actionRequest('/admin/sagas/replay', command, filterBody(command));
    case 'dlq':
      return { method: 'GET', path: '/admin/dlq' };
    case 'dlq-replay':
      return dlqReplayRequest(command.queue, command.messageIds);
    case 'dlq-purge':
      return { method: 'DELETE', path: `/admin/dlq/${segment(command.queue)}` };
    case 'faults':
      return { method: 'GET', path: '/admin/faults' };
    case 'faults-add':
      return { method: 'POST', path: '/admin/faults', body: { ...command.rule } };
    case 'faults-clear':
      return { method: 'DELETE', path: withQuery('/admin/faults', { id: command.id }) };
  }
}

const segment = (value: string): string => encodeURIComponent(value);

function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

function stuckQuery(command: StuckFilterArgs & { limit?: number }) {
  return {
    status: 'STUCK',
    step: command.step,
    code: command.code,
    min_age_seconds: command.minAgeSeconds,
    limit: command.limit,
  };
}

function filterBody(command: StuckFilterArgs): JsonBody {
  return defined({
    step: command.step,
    code: command.code,
    min_age_seconds: command.minAgeSeconds,
  }) as JsonBody;
}

function actionRequest(path: string, command: ActionArgs, body: JsonBody): ApiRequest {
  const who = defined({ reason: command.reason, actor: command.actor }) as JsonBody;
  const query = command.dryRun ? { dry_run: 'true' } : {};
  return { method: 'POST', path: withQuery(path, query), body: { ...body, ...who } };
}

function dlqReplayRequest(queue: string, messageIds: string[]): ApiRequest {
  // An empty body means "every message"; an empty id list would mean "none".
  const body: JsonBody = messageIds.length > 0 ? { message_ids: messageIds } : {};
  return { method: 'POST', path: `/admin/dlq/${segment(queue)}/replay`, body };
}

// ---------------------------------------------------------------------------------------------
// Tables and values

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** Lines of a table: every column as wide as its widest cell, two spaces between columns. */
export function renderTable(columns: readonly Column[], rows: readonly string[][]): string[] {
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    columns
      .map((column, i) => pad(cells[i] ?? '', widths[i]!, column.align))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...rows.map(line)];
}

function pad(text: string, width: number, align: Column['align']): string {
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}

/** One line of at most `max` characters: a multi-line diagnosis would break the table. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** 45s, 3m12s, 2h5m, 3d4h: two units are precise enough for how long a saga has been stuck. */
export function formatAge(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h${Math.floor((s % 3_600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3_600)}h`;
}

const orDash = (value: string | number | null | undefined): string =>
  value === null || value === undefined || value === '' ? '-' : String(value);

// ---------------------------------------------------------------------------------------------
// Answers of the admin API

export interface StuckSaga {
  saga_id: string;
  order_id: string;
  step: string | null;
  reason: { step: string; code: string; message: string } | null;
  stuck_since: string;
  age_seconds: number;
  diagnosis: string;
}

export interface ActionResult {
  saga_id: string;
  order_id: string;
  result: 'applied' | 'dry_run' | 'rejected';
  status: string;
  commands: Array<{ command: string; command_id: string; step: string; attempt: number }>;
  detail?: string;
}

export interface DeadLetter {
  message_id: string;
  saga_id: string | null;
  order_id: string | null;
  step: string | null;
  command: string | null;
  reason: string | null;
  attempts: number | null;
  dead_lettered_at: string | null;
  obsolete: boolean;
}

export interface FaultRule extends FaultRuleInput {
  id: string;
  created_at: string;
  expires_at: string | null;
}

interface StuckAnswer {
  sagas: StuckSaga[];
  next_cursor: string | null;
}
interface BulkAnswer {
  dry_run: boolean;
  count: number;
  sagas: ActionResult[];
}
interface DlqAnswer {
  queues: Array<{ queue: string; count: number; messages: DeadLetter[] }>;
}
interface DlqReplayAnswer {
  queue: string;
  replayed: number;
  resumed_sagas: string[];
}
interface FaultsAnswer {
  fault_injection: boolean;
  rules: FaultRule[];
}

const DIAGNOSIS_WIDTH = 60;

/**
 * Human output for a successful answer. The body is trusted to have the documented shape: it
 * comes from the coordinator this CLI is written against, and `--json` shows it unformatted.
 */
export function renderAnswer(command: Command, body: unknown): string {
  switch (command.kind) {
    case 'stuck':
      return renderStuck(body as StuckAnswer);
    case 'replay':
    case 'cancel':
      return describeAction(command.kind, body as ActionResult);
    case 'replay-all':
      return renderBulk(body as BulkAnswer);
    case 'dlq':
      return renderDlq(body as DlqAnswer);
    case 'dlq-replay':
      return describeDlqReplay(body as DlqReplayAnswer);
    case 'dlq-purge':
      return describePurge(body as { queue: string; purged: number });
    case 'faults':
      return renderFaults(body as FaultsAnswer);
    case 'faults-add':
      return [
        `added fault rule ${(body as FaultRule).id}`,
        ...faultTable([body as FaultRule]),
      ].join('\n');
    case 'faults-clear':
      return `removed ${plural((body as { removed: number }).removed, 'fault rule')}`;
  }
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function renderStuck(answer: StuckAnswer): string {
  if (answer.sagas.length === 0) return 'no stuck sagas';
  const columns: Column[] = [
    { header: 'SAGA' },
    { header: 'ORDER' },
    { header: 'STEP' },
    { header: 'CODE' },
    { header: 'AGE', align: 'right' },
    { header: 'DIAGNOSIS' },
  ];
  const rows = answer.sagas.map((s) => [
    s.saga_id,
    s.order_id,
    orDash(s.step),
    orDash(s.reason?.code),
    formatAge(s.age_seconds),
    truncate(s.diagnosis, DIAGNOSIS_WIDTH),
  ]);
  const more = answer.next_cursor ? ['(more: raise --limit or narrow the filter)'] : [];
  return [...renderTable(columns, rows), ...more].join('\n');
}

export function describeCommands(result: ActionResult): string {
  if (result.result === 'rejected') return truncate(result.detail ?? 'rejected', DIAGNOSIS_WIDTH);
  if (result.commands.length === 0) return 'nothing';
  return result.commands.map((c) => `${c.command} (attempt ${c.attempt})`).join(', ');
}

/** `status` is the saga's status when the request came, before the action took effect. */
export function describeAction(action: 'replay' | 'cancel', result: ActionResult): string {
  const target = `saga ${result.saga_id} (order ${result.order_id})`;
  const sent = describeCommands(result);
  if (result.result === 'dry_run') {
    return `${action} dry run on ${target}: would send ${sent}; saga is ${result.status}`;
  }
  if (result.result === 'rejected') return `${action} rejected for ${target}: ${sent}`;
  return `${action} applied to ${target}: sends ${sent}; saga was ${result.status}`;
}

export function renderBulk(answer: BulkAnswer): string {
  const verb = answer.dry_run ? 'would replay' : 'replayed';
  const head = `${verb} ${plural(answer.count, 'saga')}`;
  if (answer.sagas.length === 0) return `${head} (none matched)`;
  const columns = ['SAGA', 'ORDER', 'RESULT', 'COMMANDS'].map((header) => ({ header }));
  const rows = answer.sagas.map((r) => [r.saga_id, r.order_id, r.result, describeCommands(r)]);
  return [head, ...renderTable(columns, rows)].join('\n');
}

const queueColumns: Column[] = [{ header: 'QUEUE' }, { header: 'COUNT', align: 'right' }];
const messageColumns: Column[] = [
  { header: 'MESSAGE' },
  { header: 'ORDER' },
  { header: 'COMMAND' },
  { header: 'ATTEMPTS', align: 'right' },
  { header: 'REASON' },
  { header: 'OBSOLETE' },
];
const MESSAGE_INDENT = '    ';

/** Queue rows, each followed by its messages; message columns line up across all queues. */
export function renderDlq(answer: DlqAnswer): string {
  const [queueHeader, ...queueLines] = renderTable(
    queueColumns,
    answer.queues.map((q) => [q.queue, String(q.count)]),
  );
  const all = answer.queues.flatMap((q) => q.messages);
  const [messageHeader, ...messageLines] = renderTable(messageColumns, all.map(messageRow));
  const lines = [queueHeader!];
  let next = 0;
  answer.queues.forEach((queue, i) => {
    lines.push(queueLines[i]!);
    if (queue.messages.length === 0) return;
    const own = messageLines.slice(next, (next += queue.messages.length));
    lines.push(...[messageHeader!, ...own].map((line) => MESSAGE_INDENT + line));
    const unseen = queue.count - queue.messages.length;
    if (unseen > 0) lines.push(`${MESSAGE_INDENT}… ${plural(unseen, 'more message')}`);
  });
  return lines.join('\n');
}

function messageRow(m: DeadLetter): string[] {
  return [
    m.message_id,
    orDash(m.order_id),
    orDash(m.command),
    orDash(m.attempts),
    truncate(orDash(m.reason), DIAGNOSIS_WIDTH),
    m.obsolete ? 'yes' : 'no',
  ];
}

function describeDlqReplay(answer: DlqReplayAnswer): string {
  const resumed =
    answer.resumed_sagas.length > 0
      ? `resumed ${plural(answer.resumed_sagas.length, 'saga')}: ${answer.resumed_sagas.join(', ')}`
      : 'resumed no saga';
  return `replayed ${plural(answer.replayed, 'message')} from ${answer.queue}; ${resumed}`;
}

function describePurge(answer: { queue: string; purged: number }): string {
  return `purged ${plural(answer.purged, 'message')} from ${answer.queue}`;
}

export function renderFaults(answer: FaultsAnswer): string {
  const head = `fault injection: ${answer.fault_injection ? 'on' : 'off'}`;
  if (answer.rules.length === 0) return `${head}\nno fault rules`;
  return [head, ...faultTable(answer.rules)].join('\n');
}

function faultTable(rules: readonly FaultRule[]): string[] {
  const columns: Column[] = [
    { header: 'ID' },
    { header: 'TARGET' },
    { header: 'MODE' },
    { header: 'PROBABILITY', align: 'right' },
    { header: 'LATENCY', align: 'right' },
    { header: 'COUNT', align: 'right' },
    { header: 'EXPIRES' },
  ];
  const rows = rules.map((r) => [
    r.id,
    r.target,
    r.mode,
    String(r.probability),
    r.latency_ms === undefined || r.latency_ms === null ? '-' : `${r.latency_ms}ms`,
    orDash(r.count),
    r.expires_at ?? 'never',
  ]);
  return renderTable(columns, rows);
}

// ---------------------------------------------------------------------------------------------
// Failures

interface Problem {
  title: string;
  status?: number;
  detail?: string;
  errors?: string[];
}

function isProblem(body: unknown): body is Problem {
  return (
    typeof body === 'object' && body !== null && typeof Reflect.get(body, 'title') === 'string'
  );
}

/** `error: <status> <title>: <detail>`, plus any validation error the detail does not repeat. */
export function formatFailure(answer: {
  status: number;
  statusText: string;
  body: unknown;
}): string {
  const { status, statusText, body } = answer;
  const problem = isProblem(body) ? body : undefined;
  const title = problem?.title ?? statusText;
  const detail = problem ? problem.detail : typeof body === 'string' ? truncate(body, 200) : '';
  const head = `error: ${status} ${title}${detail ? `: ${detail}` : ''}`;
  const extra = (problem?.errors ?? []).filter((e) => !detail?.includes(e)).map((e) => `  - ${e}`);
  return [head, ...extra].join('\n');
}

/** fetch only says "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND…) is on its cause. */
export function describeFetchError(url: string, error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return `error: no answer from ${url} in time`;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null ? Reflect.get(cause, 'code') : undefined;
  const reason =
    typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
  return `error: cannot reach ${url} (${reason}); is the coordinator running?`;
}
