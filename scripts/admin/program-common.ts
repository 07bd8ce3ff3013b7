/** What every command of the CLI shares: how it hands over its result, how a usage error ends. */
import { Command as Program } from 'commander';
import { Command } from './commands';

/** Called by a command's action with what it parsed; `leaf` is the commander command. */
export type Choose = (leaf: Program, command: Command) => void;

/** Exit code of a usage error, apart from 1 (the API said no) so scripts can tell them apart. */
export const USAGE = 2;

/** A command that runs; the options every command shares are on the program itself. */
export function leaf(
  parent: Program,
  name: string,
  description: string,
  options: { isDefault?: boolean } = {},
): Program {
  return parent.command(name, options).description(description);
}

/** Refuses the command line; commander prints `error: <message>`. */
export function refuse(leaf: Program, message: string): never {
  return leaf.error(`error: ${message}`, { exitCode: USAGE, code: 'admin.usage' });
}
