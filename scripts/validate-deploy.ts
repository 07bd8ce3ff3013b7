/**
 * `npm run validate:deploy`: checks the Kubernetes manifests in k8s/ offline, against the
 * Kubernetes API schemas, the operators' resource schemas and the deployment's own rules, and
 * the production compose file against the same rules. Prints each finding on a line and exits
 * 1 when there is any. (The compose files' syntax is checked by `docker-compose config` in CI,
 * where docker-compose is installed.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { composeProblems } from './deploy/compose';
import { parseDocuments } from './deploy/documents';
import { validateFolder } from './deploy/validate';

const root = path.join(__dirname, '..');
const PRODUCTION_COMPOSE = 'docker-compose.prod.yml';

function productionComposeFindings(): string[] {
  const text = readFileSync(path.join(root, PRODUCTION_COMPOSE), 'utf8');
  return parseDocuments(text, PRODUCTION_COMPOSE).flatMap((document) =>
    composeProblems(document.body, PRODUCTION_COMPOSE),
  );
}

async function main(): Promise<number> {
  const folder = path.resolve(process.argv[2] ?? path.join(root, 'k8s'));
  const findings = [...(await validateFolder(folder)), ...productionComposeFindings()];
  for (const finding of findings) process.stdout.write(`${finding}\n`);
  const where = path.relative(process.cwd(), folder) || '.';
  process.stdout.write(
    findings.length === 0
      ? `${where} and ${PRODUCTION_COMPOSE}: valid\n`
      : `${where} and ${PRODUCTION_COMPOSE}: ${findings.length} problem(s)\n`,
  );
  return findings.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
