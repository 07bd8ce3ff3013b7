/** `faults`, `faults add` and `faults clear`: the runtime failure-injection rules. */
import { Command as Program, Option } from 'commander';
import { steps } from '../../sagas/contracts/envelope';
import { FaultRuleRequest, ruleModes } from '../../sagas/contracts/fault-rules';
import { defined } from './defined';
import { numberIn, text } from './options';
import { Choose, leaf, refuse } from './program-common';

interface AddOptions {
  target: FaultRuleRequest['target'];
  mode: FaultRuleRequest['mode'];
  probability: number;
  latencyMs?: number;
  count?: number;
  ttl?: number;
}

export function addFaultCommands(program: Program, choose: Choose): void {
  const faults = program.command('faults').description('runtime fault rules: list, add, clear');

  // `faults` alone lists, as `faults list` does.
  leaf(faults, 'list', 'list the runtime fault rules', { isDefault: true }).action(
    (_options: unknown, command: Program) => choose(command, { kind: 'faults' }),
  );

  leaf(faults, 'add', 'add a fault rule for a worker')
    .addOption(new Option('--target <step>', 'the worker').choices(steps).makeOptionMandatory())
    .addOption(new Option('--mode <mode>', 'what happens').choices(ruleModes).makeOptionMandatory())
    .addOption(
      new Option('--probability <p>', 'share of commands hit, 0 to 1')
        .argParser(numberIn({ min: 0, max: 1 }))
        .makeOptionMandatory(),
    )
    .option(
      '--latency-ms <n>',
      'delay of --mode latency',
      numberIn({ min: 0, max: 600_000, integer: true }),
    )
    .option('--count <n>', 'stop after this many hits', numberIn({ min: 1, integer: true }))
    .option('--ttl <seconds>', 'expire after', numberIn({ min: 0, max: 86_400, above: true }))
    .action((o: AddOptions, command: Program) => {
      // The API would answer 400 too; checking here names the option instead of the JSON field.
      if (o.mode === 'latency' && o.latencyMs === undefined) {
        refuse(command, '--mode latency needs --latency-ms');
      }
      const rule: FaultRuleRequest = defined({
        target: o.target,
        mode: o.mode,
        probability: o.probability,
        latency_ms: o.latencyMs,
        count: o.count,
        ttl_seconds: o.ttl,
      });
      choose(command, { kind: 'faults-add', rule });
    });

  leaf(faults, 'clear', 'remove one fault rule, or all of them')
    .option('--id <id>', 'only this rule', text)
    .action((options: { id?: string }, command: Program) =>
      choose(command, defined({ kind: 'faults-clear', id: options.id })),
    );
}
