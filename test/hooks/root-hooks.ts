/**
 * Mocha root hooks. What a run created in PostgreSQL and RabbitMQ is dropped at its end only
 * when every test and hook passed; after a failure it is kept for inspection, and the run says
 * where (pg-boss keeps a failed test's schema the same way).
 */
import { createdNamespaces, dropNamespaces, namespaceServers } from '../helpers/namespace';

const hookKinds = ['beforeAll', 'beforeEach', 'afterEach', 'afterAll'] as const;

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    const root = this.test?.parent;
    if (root && failedIn(root)) {
      reportKept();
      return;
    }
    await dropNamespaces();
  },
};

/** A failed test, or a failed hook (whose tests never ran), anywhere under `suite`. */
function failedIn(suite: Mocha.Suite): boolean {
  if (suite.tests.some((test) => test.state === 'failed')) return true;
  const withHooks = suite as unknown as { getHooks?(kind: string): Mocha.Hook[] };
  const hooks = hookKinds.flatMap((kind) => withHooks.getHooks?.(kind) ?? []);
  if (hooks.some((hook) => hook.state === 'failed')) return true;
  return suite.suites.some(failedIn);
}

function reportKept(): void {
  const kept = createdNamespaces();
  if (kept.length === 0) return;
  const lines = kept.map(
    ({ databases, vhost }) => `  vhost ${vhost}: databases ${databases.join(', ')}`,
  );
  process.stdout.write(
    [
      '',
      'A test failed: its databases and vhosts are kept for inspection',
      `(PostgreSQL ${namespaceServers.postgres}, RabbitMQ ${namespaceServers.rabbitmq}):`,
      ...lines,
      'Drop them by hand (DROP DATABASE …; rabbitmqctl delete_vhost …) when done.',
      '',
    ].join('\n'),
  );
}
