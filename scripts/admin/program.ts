/**
 * The command line, declared with commander. Parsing ends in a typed Command and the settings
 * to send it with; help and usage errors end in an exit code. Nothing here talks to the
 * coordinator.
 */
import { Command as Program, CommanderError } from 'commander';
import { Command, Settings } from './commands';
import { CliIo } from './io';
import { httpUrl, text } from './options';
import { Choose, USAGE, refuse } from './program-common';
import { addDlqCommands } from './program-dlq';
import { addFaultCommands } from './program-faults';
import { addSagaCommands } from './program-sagas';
import { addStepCommands } from './program-steps';

export type Parsed =
  { kind: 'run'; command: Command; settings: Settings } | { kind: 'exit'; code: number };

interface CommonOptions {
  url?: string;
  token?: string;
  json?: boolean;
  wide?: boolean;
}

const epilogue = `
Arguments named <saga_or_order_id> take a saga id or an order id.
Exit codes: 0 done; 1 the API refused or could not be reached, or a question was answered no;
2 usage error (unknown command or option, bad value, missing token or confirmation).`;

export async function parseCommandLine(argv: readonly string[], io: CliIo): Promise<Parsed> {
  let chosen: { command: Command; settings: Settings } | undefined;
  const program = buildProgram(io, (leaf, command) => {
    chosen = { command, settings: settingsOf(leaf, io) };
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { kind: 'exit', code: error.exitCode === 0 ? 0 : USAGE };
  }
  return chosen ? { kind: 'run', ...chosen } : { kind: 'exit', code: 0 };
}

function buildProgram(io: CliIo, choose: Choose): Program {
  // These settings are inherited by every command added below.
  const program = new Program('npm run admin --')
    .description("The operator's CLI over the coordinator's admin API.")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
    })
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', epilogue);
  // On the program, so they may stand anywhere on the line: before the command or after it.
  program
    .option(
      '--url <url>',
      'coordinator URL (default http://127.0.0.1:$ORDER_SERVICE_PORT)',
      httpUrl,
    )
    .option('--token <token>', 'admin token (default $ADMIN_TOKEN, also read from .env)', text)
    .option('--json', 'print the JSON answer instead of a table')
    .option('--wide', 'keep free text on one line instead of wrapping it to the terminal');
  addSagaCommands(program, choose);
  addDlqCommands(program, choose);
  addFaultCommands(program, choose);
  addStepCommands(program, choose);
  return program;
}

function settingsOf(leaf: Program, io: CliIo): Settings {
  const options = leaf.optsWithGlobals<CommonOptions>();
  const token = options.token ?? io.env.ADMIN_TOKEN;
  if (!token) refuse(leaf, 'no admin token: pass --token or set ADMIN_TOKEN (or put it in .env)');
  return {
    url: options.url ?? `http://127.0.0.1:${io.env.ORDER_SERVICE_PORT || 8000}`,
    token,
    json: options.json === true,
    wide: options.wide === true,
  };
}
