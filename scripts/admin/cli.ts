/**
 * The admin CLI as a function: argv and the process's streams in, an exit code out. Exit
 * codes: 0 done; 1 the API refused, could not be reached, or a question was answered no; 2
 * usage error (unknown command or option, bad value, missing token or confirmation).
 */
import { AdminClient } from './client';
import { Command } from './commands';
import { CliIo } from './io';
import { parseCommandLine } from './program';
import { renderAnswer } from './render';
import { SimpleCommand, simpleRequest } from './requests';
import { runDlqReplay } from './run-dlq';
import { runBulkReplay, runSagaAction } from './run-sagas';
import { CliRun, call, show } from './cli-run';
import { viewFor } from './view';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = await parseCommandLine(argv, io);
  if (parsed.kind === 'exit') return parsed.code;
  const { command, settings } = parsed;
  const run: CliRun = {
    client: new AdminClient(settings.url, settings.token),
    io,
    view: viewFor(io, settings.wide),
    json: settings.json,
  };
  return execute(run, command);
}

function execute(run: CliRun, command: Command): Promise<number> {
  switch (command.kind) {
    case 'replay':
    case 'cancel':
      return runSagaAction(run, command);
    case 'replay-all':
      return runBulkReplay(run, command);
    case 'dlq-replay':
      return runDlqReplay(run, command);
    default:
      return runSimple(run, command);
  }
}

async function runSimple(run: CliRun, command: SimpleCommand): Promise<number> {
  const body = await call<unknown>(run, simpleRequest(command));
  if (body === undefined) return 1;
  show(run, body, (b) => renderAnswer(command, b, run.view));
  return 0;
}
