/** `stuck`, `replay` and `cancel`: the commands about sagas. */
import { Command as Program, Option } from 'commander';
import { Step, steps } from '../../sagas/contracts/envelope';
import { ActionArgs, Command, StuckFilterArgs } from './commands';
import { defined } from './defined';
import { numberIn, sagaOrOrderId, text } from './options';
import { Choose, leaf, refuse } from './program-common';

interface FilterOptions {
  step?: Step;
  code?: string;
  minAge?: number;
}

interface ActionOptions {
  dryRun?: boolean;
  reason?: string;
  actor?: string;
}

type ReplayOptions = FilterOptions & ActionOptions & { all?: boolean; yes?: boolean };

export function addSagaCommands(program: Program, choose: Choose): void {
  withFilter(leaf(program, 'stuck', 'list STUCK sagas with their diagnosis'), 'only sagas')
    .option('--limit <n>', 'at most this many', numberIn({ min: 1, max: 500, integer: true }))
    .action((options: FilterOptions & { limit?: number }, command: Program) =>
      choose(command, defined({ kind: 'stuck', ...filterOf(options), limit: options.limit })),
    );

  const replay = leaf(program, 'replay', 're-send the command a STUCK saga is waiting on')
    .argument('[saga_or_order_id]', 'the saga to replay; omit it with --all', sagaOrOrderId)
    .option('--all', 'replay every STUCK saga matching the filter options')
    .option('--yes', 'with --all: replay without asking first');
  withAction(withFilter(replay, 'with --all: only sagas')).action(
    (target: string | undefined, options: ReplayOptions, command: Program) =>
      choose(command, replayCommand(command, target, options)),
  );

  const cancel = leaf(program, 'cancel', 'compensate a saga and end it CANCELLED');
  withAction(cancel.argument('<saga_or_order_id>', 'the saga to cancel', sagaOrOrderId)).action(
    (target: string, options: ActionOptions, command: Program) =>
      choose(command, { kind: 'cancel', target, ...actionOf(options) }),
  );
}

function withFilter(command: Program, scope: string): Program {
  return command
    .addOption(new Option('--step <step>', `${scope} stuck at this step`).choices(steps))
    .option('--code <code>', `${scope} stuck with this reason code`, text)
    .option('--min-age <seconds>', `${scope} stuck at least this long`, numberIn({ min: 0 }));
}

function withAction(command: Program): Program {
  return command
    .option('--dry-run', 'show the commands it would send, and send nothing')
    .option('--reason <text>', 'why, for the timeline', text)
    .option('--actor <name>', 'who, for the timeline', text);
}

function replayCommand(command: Program, target: string | undefined, o: ReplayOptions): Command {
  if (o.all) {
    if (target !== undefined) refuse(command, `replay --all takes no saga id (got ${target})`);
    return { kind: 'replay-all', confirmed: o.yes === true, ...filterOf(o), ...actionOf(o) };
  }
  const misplaced = (['step', 'code', 'minAge', 'yes'] as const).find((k) => o[k] !== undefined);
  if (misplaced) refuse(command, `--${kebab(misplaced)} only applies to replay --all`);
  if (target === undefined) refuse(command, 'replay needs a <saga_or_order_id>, or --all');
  return { kind: 'replay', target, ...actionOf(o) };
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const filterOf = (o: FilterOptions): StuckFilterArgs =>
  defined({ step: o.step, code: o.code, minAgeSeconds: o.minAge });

const actionOf = (o: ActionOptions): ActionArgs =>
  defined({ dryRun: o.dryRun === true, reason: o.reason, actor: o.actor });
