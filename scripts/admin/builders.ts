/**
 * One builder per command: checks its positional arguments and turns its option values into
 * a typed Command. Which options a command accepts at all is already settled in tokens.ts.
 */
import { steps } from '../../sagas/contracts/envelope';
import { FaultRuleRequest, ruleModes } from '../../sagas/contracts/fault-rules';
import { ActionArgs, Command, StuckFilterArgs } from './commands';
import { defined } from './defined';
import { OptionReader, required } from './option-reader';
import { filterOptions } from './tokens';
import { UsageError } from './usage';

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

export function buildCommand(name: string, args: string[], options: OptionReader): Command {
  const builder = builders.get(name);
  if (!builder) throw new UsageError(`unknown command ${name}`);
  return builder(args, options);
}

function expectArgs(name: string, args: string[], wanted: string[]): string[] {
  if (args.length < wanted.length) {
    throw new UsageError(`${name} needs ${wanted.slice(args.length).join(' ')}`);
  }
  if (args.length > wanted.length)
    throw new UsageError(`unexpected argument ${args[wanted.length]}`);
  return args;
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
  const rule: FaultRuleRequest = defined({
    target: required('target', o.choice('target', steps)),
    mode: required('mode', o.choice('mode', ruleModes)),
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
