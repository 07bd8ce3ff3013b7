/**
 * Everything the CLI needs from its process: the environment, the two output streams, whether
 * they are terminals, and a way to ask the operator a question. Tests pass their own.
 */
import readline from 'node:readline/promises';

export interface CliEnv {
  ADMIN_TOKEN?: string;
  ORDER_SERVICE_PORT?: string;
  NO_COLOR?: string;
  FORCE_COLOR?: string;
}

export interface CliIo {
  env: CliEnv;
  /** Writes one or more lines to standard output. */
  out(text: string): void;
  /** Writes one or more lines to standard error. */
  err(text: string): void;
  stdoutIsTTY: boolean;
  /** Standard input is a terminal, so a question can be answered. */
  stdinIsTTY: boolean;
  /** The terminal's width, when standard output is one. */
  columns?: number;
  /** Asks on standard error (standard output may be piped) and returns the answer. */
  ask(question: string): Promise<string>;
}

export function processIo(): CliIo {
  // `npm run admin -- dlq | head` closes the pipe early: that ends the output, not in a crash.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  return {
    env: process.env,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    stdoutIsTTY: process.stdout.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
    async ask(question) {
      const prompt = readline.createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await prompt.question(question);
      } finally {
        prompt.close();
      }
    },
  };
}
