/**
 * `npm run chaos -- <scenario|all> [--orders N] [--concurrency C] [--fault-seconds S]`: runs
 * chaos scenarios against a fresh system of their own (never the data of a running
 * `npm start`), prints each report, and exits non-zero if any invariant was violated.
 */
import { formatReport, runScenario } from '../test/chaos/run';
import { scenarios } from '../test/chaos/scenarios';
import { dropNamespaces } from '../test/helpers/namespace';

async function main(): Promise<number> {
  const [which, ...rest] = process.argv.slice(2);
  const scale = { orders: 1_000, concurrency: 32, faultMs: 10_000 };
  for (let i = 0; i < rest.length; i += 2) {
    const value = Number(rest[i + 1]);
    if (rest[i] === '--orders') scale.orders = value;
    else if (rest[i] === '--concurrency') scale.concurrency = value;
    else if (rest[i] === '--fault-seconds') scale.faultMs = value * 1000;
    else return usage(`unknown option ${rest[i]}`);
  }
  const chosen = which === 'all' ? scenarios : scenarios.filter((s) => s.name === which);
  if (!which || chosen.length === 0)
    return usage(which ? `unknown scenario ${which}` : 'name a scenario');
  let failed = 0;
  try {
    for (const scenario of chosen) {
      console.log(`running ${scenario.name}: ${scenario.description}`);
      const report = await runScenario(scenario, scale);
      console.log(formatReport(report));
      if (report.violations.length > 0) failed += 1;
    }
  } finally {
    await dropNamespaces();
  }
  return failed > 0 ? 1 : 0;
}

function usage(problem: string): number {
  console.error(
    `${problem}\nusage: npm run chaos -- <${scenarios.map((s) => s.name).join('|')}|all> [--orders N] [--concurrency C] [--fault-seconds S]`,
  );
  return 2;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
