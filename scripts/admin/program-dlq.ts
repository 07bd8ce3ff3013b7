/** `dlq`, `dlq replay` and `dlq purge`: the commands about dead-letter queues. */
import { Command as Program } from 'commander';
import { collect } from './options';
import { Choose, leaf, refuse } from './program-common';

export function addDlqCommands(program: Program, choose: Choose): void {
  const dlq = program.command('dlq').description('dead-letter queues: list, replay, purge');

  // `dlq` alone lists, as `dlq list` does.
  leaf(dlq, 'list', 'list the dead-letter queues and their messages', { isDefault: true }).action(
    (_options: unknown, command: Program) => choose(command, { kind: 'dlq' }),
  );

  leaf(dlq, 'replay', 're-publish dead letters to the queue they came from')
    .argument('<queue>', 'the dead-letter queue, e.g. payment.commands.dlq')
    .option('--message <id>', 'only this message (repeat for more)', collect)
    .option('--include-obsolete', 'also replay dead letters of sagas no longer STUCK')
    .action(
      (
        queue: string,
        options: { message?: string[]; includeObsolete?: boolean },
        command: Program,
      ) =>
        choose(command, {
          kind: 'dlq-replay',
          queue,
          messageIds: options.message ?? [],
          includeObsolete: options.includeObsolete === true,
        }),
    );

  leaf(dlq, 'purge', 'delete every message of a dead-letter queue')
    .argument('<queue>', 'the dead-letter queue')
    .option('--yes', 'confirm: the messages are gone for good')
    .action((queue: string, options: { yes?: boolean }, command: Program) => {
      if (!options.yes) {
        refuse(command, `dlq purge deletes every message in ${queue} for good; add --yes`);
      }
      choose(command, { kind: 'dlq-purge', queue });
    });
}
