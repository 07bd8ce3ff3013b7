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
import { Session, call, show } from './session';
import { viewFor } from './view';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = await parseCommandLine(argv, io);
  if (parsed.kind === 'exit') return parsed.code;
  const { command, settings } = parsed;
  const session: Session = {
    client: new AdminClient(settings.url, settings.token),
    io,
    view: viewFor(io, settings.wide),
    json: settings.json,
  };
  return execute(session, command);
}

function execute(session: Session, command: Command): Promise<number> {
  switch (command.kind) {
    case 'replay':
    case 'cancel':
      return runSagaAction(session, command);
    case 'replay-all':
      return runBulkReplay(session, command);
    case 'dlq-replay':
      return runDlqReplay(session, command);
    default:
      return runSimple(session, command);
  }
}

async function runSimple(session: Session, command: SimpleCommand): Promise<number> {
  const body = await call<unknown>(session, simpleRequest(command));
  if (body === undefined) return 1;
  show(session, body, (b) => renderAnswer(command, b, session.view));
  return 0;
}
