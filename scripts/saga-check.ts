/**
 * `npm run saga:check`: before deploying a release, lists the sagas in flight per definition
 * version and state and says whether this release can carry each on. Exits 0 when it can carry
 * all of them (and registers SAGA_VERSION), 1 when any would be stranded, 78 on a bad
 * configuration. `--json` prints the report as JSON instead of a table.
 */
import { loadConfig } from '../lib/config';
import { createDatabase } from '../lib/db';
import { exitCodes } from '../lib/exit-codes';
import { checkInFlight, inFlightSagas, renderReport } from '../coordinator/saga-check';
import { loadedOrReported } from './script-config';

async function main(): Promise<number> {
  const config = loadedOrReported(() => loadConfig());
  if (!config) return exitCodes.configuration;
  const db = createDatabase(config.postgres, config.postgres.databases.orders);
  try {
    const report = checkInFlight(await inFlightSagas(db), config.sagaVersion);
    console.log(process.argv.includes('--json') ? JSON.stringify(report) : renderReport(report));
    return report.ok ? 0 : 1;
  } finally {
    await db.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`saga check failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
