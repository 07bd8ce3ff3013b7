/**
 * Argument parsing for `npm run admin`. Pure: nothing here touches the network or the process,
 * so every rule of the CLI is unit tested without a running coordinator.
 */
import { buildCommand } from './builders';
import { CliEnv, ParseResult, Settings } from './commands';
import { OptionReader } from './option-reader';
import { checkApplicable, resolveCommand, tokenize } from './tokens';
import { UsageError } from './usage';

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
