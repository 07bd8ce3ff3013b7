/** `steps`, `steps pause <step>` and `steps resume <step>`: the circuit breaker of each step. */
import { Argument, Command as Program } from 'commander';
import { Step, steps } from '../../sagas/contracts/envelope';
import { defined } from './defined';
import { text } from './options';
import { Choose, leaf } from './program-common';

export function addStepCommands(program: Program, choose: Choose): void {
  const group = program
    .command('steps')
    .description("each step's circuit breaker: list, pause, resume");

  leaf(group, 'list', 'list the steps and their breakers', { isDefault: true }).action(
    (_options: unknown, command: Program) => choose(command, { kind: 'steps' }),
  );

  for (const action of ['pause', 'resume'] as const) {
    const description =
      action === 'pause'
        ? "hold a step's commands until it is resumed"
        : "release a step's held commands gradually";
    leaf(group, action, description)
      .addArgument(new Argument('<step>', 'the step').choices(steps))
      .option('--reason <text>', 'why, for the record', text)
      .option('--actor <name>', 'who, for the record', text)
      .action((step: Step, o: { reason?: string; actor?: string }, command: Program) =>
        choose(
          command,
          defined({ kind: `steps-${action}` as const, step, reason: o.reason, actor: o.actor }),
        ),
      );
  }
}
