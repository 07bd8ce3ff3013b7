/**
 * `npm run admin -- <command> [options]`: the operator's CLI over the coordinator's admin API
 * (stuck sagas, replay, cancel, dead letters, fault rules). Run `npm run admin -- --help`.
 *
 * It reads .env itself instead of lib/config.ts, which would demand the whole service
 * configuration.
 */
import { config } from 'dotenv';
import { runCli } from './admin/cli';
import { processIo } from './admin/io';

config({ quiet: true });

runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
