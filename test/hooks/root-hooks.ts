/**
 * Mocha root hooks. What a test file created in PostgreSQL and RabbitMQ is dropped as soon as
 * its suite is over, when every test and hook of it passed; after a failure it is kept for
 * inspection, and the run says where at its end (pg-boss keeps a failed test's schema the same
 * way).
 */
import {
  createdNamespaces,
  dropNamespaces,
  droppedDatabasesStillThere,
  keepPendingNamespaces,
  namespaceServers,
} from '../helpers/namespace';

const hookKinds = ['beforeAll', 'beforeEach', 'afterEach', 'afterAll'] as const;

export const mochaHooks = {
  beforeAll(this: Mocha.Context): void {
    // Suites run one after another, so what is pending when one ends is that suite's.
    for (const suite of this.test?.parent?.suites ?? []) {
      suite.afterAll('drop the namespaces of a suite that passed', async function () {
        this.timeout(60_000);
        if (failedIn(suite)) keepPendingNamespaces();
        else await dropNamespaces();
      });
    }
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    const root = this.test?.parent;
    if (root && failedIn(root)) {
      keepPendingNamespaces();
      reportKept();
      return;
    }
    await dropNamespaces();
    const outlived = await droppedDatabasesStillThere();
    if (outlived.length > 0) {
      throw new Error(
        `databases dropped by this run exist again (drop them by hand): ${outlived.join(', ')}`,
      );
    }
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
