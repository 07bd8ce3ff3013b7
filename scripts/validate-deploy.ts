/**
 * `npm run validate:deploy`: checks the Kubernetes manifests in k8s/ offline, against the
 * Kubernetes API schemas, the operators' resource schemas and the deployment's own rules. Prints
 * each finding on a line and exits 1 when there is any. (The compose files are checked by
 * `docker-compose config` in CI, where docker-compose is installed.)
 */
import path from 'node:path';
import { validateFolder } from './deploy/validate';

async function main(): Promise<number> {
  const folder = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'k8s'));
  const findings = await validateFolder(folder);
  for (const finding of findings) process.stdout.write(`${finding}\n`);
  const where = path.relative(process.cwd(), folder) || '.';
  process.stdout.write(
    findings.length === 0 ? `${where}: valid\n` : `${where}: ${findings.length} problem(s)\n`,
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
