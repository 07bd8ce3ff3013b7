import { expect } from 'chai';
import nock from 'nock';
import { runCli } from '../../scripts/admin/cli';
import { CliEnv, CliIo } from '../../scripts/admin/io';
import { freePort } from '../helpers/ports';

/**
 * The admin CLI run as `npm run admin` runs it, against a coordinator faked with nock: each
 * test states the requests the CLI must make (anything else fails it) and what it prints.
 */

const coordinator = 'http://coordinator.test';
const sagaId = '6f1c2a9e-0d4b-4c59-9a53-2b8e1f0c7d11';
const otherSagaId = '0b7d7f0e-8a57-4a3c-9a3e-5c3b6f1d2e44';
const ESC = '\u001b[';

interface FakeIo extends CliIo {
  stdout: string[];
  stderr: string[];
  questions: string[];
}

function fakeIo(overrides: Partial<CliIo> & { answer?: string } = {}): FakeIo {
  const io: FakeIo = {
    env: { ADMIN_TOKEN: 'secret' },
    stdout: [],
    stderr: [],
    questions: [],
    out: (text) => io.stdout.push(...text.split('\n')),
    err: (text) => io.stderr.push(...text.split('\n')),
    stdoutIsTTY: false,
    stdinIsTTY: false,
    ask: async (question) => {
      io.questions.push(question);
      return overrides.answer ?? '';
    },
    ...overrides,
  };
  return io;
}

/** Runs the CLI with --url pointing at the fake coordinator; returns what an operator sees. */
async function run(argv: string[], io: FakeIo = fakeIo()) {
  const code = await runCli([...argv, '--url', coordinator], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n'), io };
}

/** The admin API, expecting the admin token on every request. */
const api = () => nock(coordinator, { reqheaders: { authorization: 'Bearer secret' } });

const stuckSaga = (overrides: Record<string, unknown> = {}) => ({
  saga_id: sagaId,
  order_id: 'cli-1',
  step: 'payment',
  reason: { step: 'payment', code: 'DECLINED', message: 'card refused' },
  stuck_since: '2024-01-01T00:00:00.000Z',
  age_seconds: 192,
  diagnosis: 'dead-lettered command: DECLINED',
  ...overrides,
});

const actionResult = (overrides: Record<string, unknown> = {}) => ({
  saga_id: sagaId,
  order_id: 'cli-1',
  result: 'applied',
  status: 'STUCK',
  commands: [{ command: 'payment.authorize', command_id: 'c1', step: 'payment', attempt: 2 }],
  ...overrides,
});

const deadLetter = (id: string, obsolete: boolean) => ({
  message_id: id,
  saga_id: sagaId,
  order_id: 'cli-1',
  step: 'payment',
  command: 'payment.authorize',
  reason: 'PROVIDER_UNAVAILABLE',
  attempts: 4,
  dead_lettered_at: '2024-01-01T00:00:00.000Z',
  obsolete,
});

const dlqListing = (messages: ReturnType<typeof deadLetter>[], count = messages.length) => ({
  queues: [
    { queue: 'payment.commands.dlq', count, messages },
    { queue: 'shipping.commands.dlq', count: 0, messages: [] },
  ],
});

describe('admin CLI', () => {
  before(() => {
    nock.disableNetConnect();
  });

  afterEach(function () {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    if (this.currentTest?.state === 'passed' && pending.length > 0) {
      throw new Error(`requests the CLI never made: ${pending.join(', ')}`);
    }
  });

  after(() => {
    nock.enableNetConnect();
  });

  describe('stuck', () => {
    it('given every filter, when listing, then it queries STUCK sagas with them and prints a table', async () => {
      // Arrange
      api()
        .get('/admin/sagas')
        .query({
          status: 'STUCK',
          step: 'payment',
          code: 'A B&C',
          min_age_seconds: '5',
          limit: '2',
        })
        .reply(200, {
          sagas: [
            stuckSaga(),
            stuckSaga({
              saga_id: 'b',
              order_id: 'o-2',
              step: null,
              reason: null,
              age_seconds: 7_530,
              diagnosis: 'no reply past its deadline',
            }),
          ],
          next_cursor: null,
        });

      // Act
      const { code, out } = await run([
        'stuck',
        '--step',
        'payment',
        '--code',
        'A B&C',
        '--min-age',
        '5',
        '--limit=2',
      ]);

      // Assert
      expect(code).to.equal(0);
      const lines = out.split('\n');
      expect(lines[0]).to.match(/^SAGA\s+ORDER\s+STEP\s+CODE\s+AGE\s+DIAGNOSIS$/);
      expect(lines[1]).to.match(
        /^6f1c2a9e\S+\s+cli-1\s+payment\s+DECLINED\s+3m12s\s+dead-lettered command: DECLINED$/,
      );
      expect(lines[2]).to.match(/^b\s+o-2\s+-\s+-\s+2h5m\s+no reply past its deadline$/);
      expect(lines[1]!.indexOf('3m12s') + 5).to.equal(lines[2]!.indexOf('2h5m') + 4);
    });

    it('given a long diagnosis on a narrow terminal, when listing, then it is wrapped to the width and shown whole', async () => {
      // Arrange
      const diagnosis = `dead-lettered command: DECLINED — ${'card refused '.repeat(12).trim()}`;
      api()
        .get('/admin/sagas')
        .query(true)
        .reply(200, { sagas: [stuckSaga({ diagnosis })], next_cursor: null });
      const io = fakeIo({
        stdoutIsTTY: true,
        columns: 100,
        env: { ADMIN_TOKEN: 'secret', NO_COLOR: '1' },
      });

      // Act
      const { out } = await run(['stuck'], io);

      // Assert
      const lines = out.split('\n');
      expect(lines.length).to.be.greaterThan(2);
      expect(
        lines.every((line) => line.length <= 100),
        out,
      ).to.equal(true);
      const column = lines[0]!.indexOf('DIAGNOSIS');
      const text = lines
        .slice(1)
        .map((line) => line.slice(column).trim())
        .join(' ');
      expect(text).to.equal(diagnosis);
    });

    it('given --wide on a terminal, or output to a pipe, when listing, then the diagnosis stays whole on one line', async () => {
      // Arrange
      const diagnosis = `dead-lettered command: DECLINED — ${'card refused '.repeat(12).trim()}`;
      const answer = { sagas: [stuckSaga({ diagnosis })], next_cursor: null };
      api().get('/admin/sagas').query(true).times(2).reply(200, answer);
      const terminal = fakeIo({
        stdoutIsTTY: true,
        columns: 80,
        env: { ADMIN_TOKEN: 'secret', NO_COLOR: '1' },
      });

      // Act
      const wide = await run(['stuck', '--wide'], terminal);
      const piped = await run(['stuck']);

      // Assert
      for (const { out } of [wide, piped]) {
        expect(out.split('\n')).to.have.length(2);
        expect(out.split('\n')[1]).to.match(new RegExp(`${diagnosis}$`));
      }
    });

    it('given a terminal, when listing, then the output is coloured unless NO_COLOR is set, and never in a pipe', async () => {
      // Arrange
      api()
        .get('/admin/sagas')
        .query(true)
        .times(3)
        .reply(200, { sagas: [stuckSaga()], next_cursor: null });

      // Act
      const terminal = await run(['stuck'], fakeIo({ stdoutIsTTY: true, columns: 200 }));
      const noColor = await run(
        ['stuck'],
        fakeIo({ stdoutIsTTY: true, columns: 200, env: { ADMIN_TOKEN: 'secret', NO_COLOR: '1' } }),
      );
      const piped = await run(['stuck']);

      // Assert
      expect(terminal.out).to.include(ESC);
      expect(noColor.out).not.to.include(ESC);
      expect(piped.out).not.to.include(ESC);
    });

    it('given --json, when listing, then the answer is printed as JSON', async () => {
      // Arrange
      const answer = { sagas: [stuckSaga()], next_cursor: 'abc' };
      api().get('/admin/sagas').query({ status: 'STUCK' }).reply(200, answer);

      // Act
      const { code, out } = await run(['stuck', '--json']);

      // Assert
      expect(code).to.equal(0);
      expect(JSON.parse(out)).to.deep.equal(answer);
    });

    it('given no stuck saga, or more than fit the limit, when listing, then it says so', async () => {
      // Arrange
      api().get('/admin/sagas').query(true).reply(200, { sagas: [], next_cursor: null });
      api()
        .get('/admin/sagas')
        .query(true)
        .reply(200, { sagas: [stuckSaga()], next_cursor: 'c' });

      // Act
      const none = await run(['stuck']);
      const more = await run(['stuck']);

      // Assert
      expect(none.out).to.equal('no stuck sagas');
      expect(more.out.split('\n').at(-1)).to.equal('(more: raise --limit or narrow the filter)');
    });
  });

  describe('replay and cancel of one saga', () => {
    it('given a saga id with reason and actor, when replayed, then both are posted and the result names the commands sent', async () => {
      // Arrange
      api()
        .post(`/admin/sagas/${sagaId}/replay`, { reason: 'provider back', actor: 'ana' })
        .reply(200, actionResult());

      // Act
      const { code, out } = await run([
        'replay',
        sagaId,
        '--reason',
        'provider back',
        '--actor',
        'ana',
      ]);

      // Assert
      expect(code).to.equal(0);
      expect(out).to.equal(
        `replay applied to saga ${sagaId} (order cli-1): sends payment.authorize (attempt 2); saga was STUCK`,
      );
    });

    it('given an order id, when replayed, then its saga is found through the order API and replayed', async () => {
      // Arrange
      api()
        .get('/orders/order-42')
        .reply(200, { order_id: 'order-42', saga_id: otherSagaId, status: 'STUCK' });
      api()
        .post(`/admin/sagas/${otherSagaId}/replay`, {})
        .reply(200, actionResult({ saga_id: otherSagaId, order_id: 'order-42' }));

      // Act
      const { code, out } = await run(['replay', 'order-42']);

      // Assert
      expect(code).to.equal(0);
      expect(out).to.include(`saga ${otherSagaId} (order order-42)`);
    });

    it('given an order id and --dry-run, when cancelled, then the dry run is asked of its saga and what would be sent is printed', async () => {
      // Arrange
      api().get('/orders/order-7').reply(200, { order_id: 'order-7', saga_id: otherSagaId });
      api()
        .post(`/admin/sagas/${otherSagaId}/cancel`, { reason: 'customer asked' })
        .query({ dry_run: 'true' })
        .reply(200, actionResult({ saga_id: otherSagaId, order_id: 'order-7', result: 'dry_run' }));

      // Act
      const { code, out } = await run([
        'cancel',
        'order-7',
        '--dry-run',
        '--reason=customer asked',
      ]);

      // Assert
      expect(code).to.equal(0);
      expect(out).to.equal(
        `cancel dry run on saga ${otherSagaId} (order order-7): would send payment.authorize (attempt 2); saga is STUCK`,
      );
    });

    it('given an order id shaped like a uuid, when no saga has that id, then it is looked up as an order', async () => {
      // Arrange
      api()
        .post(`/admin/sagas/${sagaId}/cancel`)
        .reply(404, { title: 'Not Found', detail: `no saga ${sagaId}` });
      api().get(`/orders/${sagaId}`).reply(200, { order_id: sagaId, saga_id: otherSagaId });
      api()
        .post(`/admin/sagas/${otherSagaId}/cancel`)
        .reply(200, actionResult({ saga_id: otherSagaId, order_id: sagaId }));

      // Act
      const { code, out } = await run(['cancel', sagaId]);

      // Assert
      expect(code).to.equal(0);
      expect(out).to.include(`cancel applied to saga ${otherSagaId} (order ${sagaId})`);
    });

    it('given an order the coordinator does not know, when cancelled, then it says so and cancels nothing', async () => {
      // Arrange
      api().get('/orders/nope-1').reply(404, { title: 'Not Found', detail: 'no order nope-1' });

      // Act
      const { code, err } = await run(['cancel', 'nope-1']);

      // Assert
      expect(code).to.equal(1);
      expect(err).to.equal('error: no order nope-1');
    });

    it('given an argument that can be neither a saga id nor an order id, when replayed, then it is a usage error', async () => {
      // Act
      const { code, err } = await run(['replay', 'a/b?c']);

      // Assert
      expect(code).to.equal(2);
      expect(err).to.include('must be a saga id (a uuid) or an order id');
    });

    it('given a saga the coordinator refuses to cancel, when cancelled, then the problem is printed and it exits 1', async () => {
      // Arrange
      api().post(`/admin/sagas/${sagaId}/cancel`).reply(409, {
        type: 'about:blank',
        title: 'Conflict',
        status: 409,
        detail: 'cannot cancel saga (COMPLETED)',
      });

      // Act
      const { code, out, err } = await run(['cancel', sagaId]);

      // Assert
      expect(code).to.equal(1);
      expect(out).to.equal('');
      expect(err).to.equal('error: 409 Conflict: cannot cancel saga (COMPLETED)');
    });

    it('given replay without a saga, or a filter without --all, when run, then it is a usage error and nothing is sent', async () => {
      // Act
      const none = await run(['replay']);
      const filter = await run(['replay', sagaId, '--step', 'payment']);

      // Assert
      expect([none.code, filter.code]).to.deep.equal([2, 2]);
      expect(none.err).to.include('replay needs a <saga_or_order_id>, or --all');
      expect(filter.err).to.include('--step only applies to replay --all');
    });
  });

  describe('replay --all', () => {
    it('given no --yes and no terminal to ask on, when run, then it refuses and replays nothing', async () => {
      // Act
      const { code, err } = await run(['replay', '--all', '--step', 'payment']);

      // Assert
      expect(code).to.equal(2);
      expect(err).to.include('add --yes to confirm, or --dry-run');
    });

    it('given --yes and filters, when run, then the filtered bulk replay is posted at once', async () => {
      // Arrange
      api()
        .post('/admin/sagas/replay', {
          step: 'shipping',
          code: 'TIMEOUT',
          min_age_seconds: 60,
          actor: 'ops',
        })
        .reply(200, {
          dry_run: false,
          count: 1,
          sagas: [
            actionResult(),
            actionResult({ saga_id: 'x', result: 'rejected', commands: [], detail: 'not STUCK' }),
          ],
        });

      // Act
      const { code, out } = await run([
        'replay',
        '--all',
        '--yes',
        '--step',
        'shipping',
        '--code',
        'TIMEOUT',
        '--min-age',
        '60',
        '--actor',
        'ops',
      ]);

      // Assert
      expect(code).to.equal(0);
      const lines = out.split('\n');
      expect(lines[0]).to.equal('replayed 1 saga');
      expect(lines[1]).to.match(/^SAGA\s+ORDER\s+RESULT\s+COMMANDS$/);
      expect(lines[2]).to.match(/applied\s+payment\.authorize \(attempt 2\)$/);
      expect(lines[3]).to.match(/^x\s+cli-1\s+rejected\s+not STUCK$/);
    });

    it('given --dry-run, when run, then it needs no confirmation and only asks for a dry run', async () => {
      // Arrange
      api()
        .post('/admin/sagas/replay', {})
        .query({ dry_run: 'true' })
        .reply(200, { dry_run: true, count: 1, sagas: [actionResult({ result: 'dry_run' })] });

      // Act
      const { code, out } = await run(['replay', '--all', '--dry-run']);

      // Assert
      expect(code).to.equal(0);
      expect(out.split('\n')[0]).to.equal('would replay 1 saga');
    });

    it('given a terminal and the answer yes, when run, then it shows the dry run, asks, and replays', async () => {
      // Arrange
      const dryRun = {
        dry_run: true,
        count: 2,
        sagas: [
          actionResult({ result: 'dry_run' }),
          actionResult({ saga_id: 'y', result: 'dry_run' }),
        ],
      };
      api()
        .post('/admin/sagas/replay', { step: 'payment' })
        .query({ dry_run: 'true' })
        .reply(200, dryRun);
      api()
        .post('/admin/sagas/replay', { step: 'payment' })
        .reply(200, { dry_run: false, count: 2, sagas: [] });
      const io = fakeIo({ stdinIsTTY: true, stdoutIsTTY: true, columns: 120, answer: 'y' });

      // Act
      const { code, out, err } = await run(['replay', '--all', '--step', 'payment'], io);

      // Assert
      expect(code).to.equal(0);
      expect(io.questions).to.deep.equal(['replay 2 sagas? [y/N] ']);
      expect(err).to.include('would replay 2 sagas');
      expect(out).to.include('replayed 2 sagas');
    });

    it('given a terminal and any answer but yes, when run, then only the dry run is sent and it exits 1', async () => {
      // Arrange
      api()
        .post('/admin/sagas/replay')
        .query({ dry_run: 'true' })
        .reply(200, { dry_run: true, count: 1, sagas: [actionResult({ result: 'dry_run' })] });
      const io = fakeIo({ stdinIsTTY: true, answer: 'n' });

      // Act
      const { code, out, err } = await run(['replay', '--all'], io);

      // Assert
      expect(code).to.equal(1);
      expect(out).to.equal('');
      expect(err.split('\n').at(-1)).to.equal('nothing replayed');
    });

    it('given a terminal and nothing stuck, when run, then it asks nothing', async () => {
      // Arrange
      api()
        .post('/admin/sagas/replay')
        .query({ dry_run: 'true' })
        .reply(200, { dry_run: true, count: 0, sagas: [] });
      const io = fakeIo({ stdinIsTTY: true, answer: 'y' });

      // Act
      const { code, out } = await run(['replay', '--all'], io);

      // Assert
      expect(code).to.equal(0);
      expect(io.questions).to.deep.equal([]);
      expect(out).to.equal('would replay 0 sagas (none matched)');
    });
  });

  describe('dead letters', () => {
    it('given dead-letter queues, when listed, then each queue is followed by its indented messages', async () => {
      // Arrange
      api()
        .get('/admin/dlq')
        .reply(200, dlqListing([deadLetter('m1', false)], 2));

      // Act
      const { code, out } = await run(['dlq']);

      // Assert
      expect(code).to.equal(0);
      expect(out.split('\n')).to.deep.equal([
        'QUEUE                  COUNT',
        'payment.commands.dlq       2',
        '    MESSAGE  ORDER  COMMAND            ATTEMPTS  OBSOLETE  REASON',
        '    m1       cli-1  payment.authorize         4  no        PROVIDER_UNAVAILABLE',
        '    … 1 more message',
        'shipping.commands.dlq      0',
      ]);
    });

    it('given obsolete dead letters, when replayed, then only the others are sent by id and the skipped ones are named', async () => {
      // Arrange
      api()
        .get('/admin/dlq')
        .reply(
          200,
          dlqListing([deadLetter('m1', false), deadLetter('m2', true), deadLetter('m3', false)]),
        );
      api()
        .post('/admin/dlq/payment.commands.dlq/replay', { message_ids: ['m1', 'm3'] })
        .reply(200, {
          queue: 'payment.commands.dlq',
          replayed: 2,
          messages: [],
          resumed_sagas: [sagaId],
        });

      // Act
      const { code, out } = await run(['dlq', 'replay', 'payment.commands.dlq']);

      // Assert
      expect(code).to.equal(0);
      expect(out.split('\n')).to.deep.equal([
        `replayed 2 messages from payment.commands.dlq; resumed 1 saga: ${sagaId}`,
        'skipped 1 obsolete dead letter (m2): their sagas are no longer STUCK; --include-obsolete replays them too',
      ]);
    });

    it('given only obsolete dead letters, when replayed, then nothing is posted', async () => {
      // Arrange
      api()
        .get('/admin/dlq')
        .reply(200, dlqListing([deadLetter('m2', true)]));

      // Act
      const { code, out } = await run(['dlq', 'replay', 'payment.commands.dlq', '--json']);

      // Assert
      expect(code).to.equal(0);
      expect(JSON.parse(out)).to.deep.equal({
        queue: 'payment.commands.dlq',
        replayed: 0,
        messages: [],
        resumed_sagas: [],
        skipped_obsolete: ['m2'],
      });
    });

    it('given --include-obsolete, when replayed, then the whole queue is replayed without looking first', async () => {
      // Arrange
      api().post('/admin/dlq/payment.commands.dlq/replay', {}).reply(200, {
        queue: 'payment.commands.dlq',
        replayed: 3,
        messages: [],
        resumed_sagas: [],
      });

      // Act
      const { code, out } = await run([
        'dlq',
        'replay',
        'payment.commands.dlq',
        '--include-obsolete',
      ]);

      // Assert
      expect(code).to.equal(0);
      expect(out).to.equal('replayed 3 messages from payment.commands.dlq; resumed no saga');
    });

    it('given repeated --message ids, when replayed, then the listed, live ones among them are sent and the rest named', async () => {
      // Arrange
      api()
        .get('/admin/dlq')
        .reply(
          200,
          dlqListing([deadLetter('m1', false), deadLetter('m2', true), deadLetter('m3', false)], 9),
        );
      api()
        .post('/admin/dlq/payment.commands.dlq/replay', { message_ids: ['m1'] })
        .reply(200, {
          queue: 'payment.commands.dlq',
          replayed: 1,
          messages: [],
          resumed_sagas: [],
        });

      // Act
      const { code, err } = await run([
        'dlq',
        'replay',
        'payment.commands.dlq',
        '--message',
        'm1',
        '--message=m2',
        '--message',
        'm9',
      ]);

      // Assert
      expect(code).to.equal(0);
      expect(err).to.equal('m9: not listed in payment.commands.dlq; skipped');
    });

    it('given a queue the coordinator does not have, when replayed, then the known queues are named', async () => {
      // Arrange
      api().get('/admin/dlq').reply(200, dlqListing([]));

      // Act
      const { code, err } = await run(['dlq', 'replay', 'billing.dlq']);

      // Assert
      expect(code).to.equal(1);
      expect(err).to.equal(
        'error: no dead-letter queue billing.dlq (known: payment.commands.dlq, shipping.commands.dlq)',
      );
    });

    it('given purge with --yes, when run, then the queue is deleted; without it, nothing is', async () => {
      // Arrange
      api()
        .delete('/admin/dlq/payment.commands.dlq')
        .reply(200, { queue: 'payment.commands.dlq', purged: 3 });

      // Act
      const refused = await run(['dlq', 'purge', 'payment.commands.dlq']);
      const purged = await run(['dlq', 'purge', 'payment.commands.dlq', '--yes']);

      // Assert
      expect(refused.code).to.equal(2);
      expect(refused.err).to.include(
        'deletes every message in payment.commands.dlq for good; add --yes',
      );
      expect(purged.code).to.equal(0);
      expect(purged.out).to.equal('purged 3 messages from payment.commands.dlq');
    });
  });

  describe('step breakers', () => {
    const step = (overrides: Record<string, unknown> = {}) => ({
      step: 'payment',
      state: 'closed',
      failure_rate: null,
      actor: null,
      reason: null,
      changed_at: null,
      held_commands: 0,
      ...overrides,
    });

    it('given a paused step, when the steps are listed, then each shows its state and held commands', async () => {
      // Arrange
      api()
        .get('/admin/steps')
        .reply(200, {
          steps: [
            step({
              state: 'open',
              failure_rate: 0.75,
              actor: 'circuit-breaker',
              reason: 'failure rate 75 %',
              changed_at: '2024-01-01T00:00:00.000Z',
              held_commands: 12,
            }),
            step({ step: 'inventory' }),
          ],
        });

      // Act
      const { code, out } = await run(['steps']);

      // Assert
      expect(code).to.equal(0);
      expect(out.split('\n')[0]).to.match(/^STEP +STATE +FAILURE RATE +HELD +BY +REASON +SINCE$/);
      expect(out).to.match(/payment +open +75 % +12 +circuit-breaker +failure rate 75 %/);
      expect(out).to.match(/inventory +closed +- +0 +- +- +-/);
    });

    it('given a reason and an actor, when a step is paused, then they are posted and the new state shown', async () => {
      // Arrange
      api()
        .post('/admin/steps/payment/pause', { reason: 'provider maintenance', actor: 'ops' })
        .reply(200, step({ state: 'paused', actor: 'ops', reason: 'provider maintenance' }));

      // Act
      const { code, out } = await run([
        'steps',
        'pause',
        'payment',
        '--reason',
        'provider maintenance',
        '--actor',
        'ops',
      ]);

      // Assert
      expect(code).to.equal(0);
      expect(out).to.match(/payment +paused/);
    });

    it('given an unknown step, when it is resumed, then it is a usage error and nothing is sent', async () => {
      const { code, err } = await run(['steps', 'resume', 'billing']);

      expect(code).to.equal(2);
      expect(err).to.include('billing');
    });
  });

  describe('fault rules', () => {
    it('given every option, when a rule is added, then it is posted with the API field names and shown', async () => {
      // Arrange
      const rule = {
        target: 'payment',
        mode: 'latency',
        probability: 0.5,
        latency_ms: 250,
        count: 3,
        ttl_seconds: 60,
      };
      api()
        .post('/admin/faults', rule)
        .reply(201, {
          id: 'r1',
          ...rule,
          created_at: '2024-01-01T00:00:00.000Z',
          expires_at: '2024-01-01T00:01:00.000Z',
        });

      // Act
      const { code, out } = await run([
        'faults',
        'add',
        '--target',
        'payment',
        '--mode',
        'latency',
        '--probability',
        '0.5',
        '--latency-ms',
        '250',
        '--count',
        '3',
        '--ttl',
        '60',
      ]);

      // Assert
      expect(code).to.equal(0);
      expect(out.split('\n')).to.deep.equal([
        'added fault rule r1',
        'ID  TARGET   MODE     PROBABILITY  LATENCY  COUNT  EXPIRES',
        'r1  payment  latency          0.5    250ms      3  2024-01-01T00:01:00.000Z',
      ]);
    });

    it('given faults and faults list, when run, then both list the rules with dashes and never for what is unset', async () => {
      // Arrange
      const answer = {
        fault_injection: true,
        rules: [
          {
            id: 'r2',
            target: 'shipping',
            mode: 'error',
            probability: 1,
            created_at: '2024-01-01T00:00:00.000Z',
            expires_at: null,
          },
        ],
      };
      api().get('/admin/faults').times(2).reply(200, answer);

      // Act
      const bare = await run(['faults']);
      const list = await run(['faults', 'list']);

      // Assert
      expect(bare.out).to.equal(list.out);
      expect(bare.out.split('\n')).to.deep.equal([
        'fault injection: on',
        'ID  TARGET    MODE   PROBABILITY  LATENCY  COUNT  EXPIRES',
        'r2  shipping  error            1        -      -  never',
      ]);
    });

    it('given faults clear with and without --id, when run, then one rule or all are deleted', async () => {
      // Arrange
      api().delete('/admin/faults').query({ id: 'a&b' }).reply(200, { removed: 1 });
      api().delete('/admin/faults').reply(200, { removed: 0 });

      // Act
      const one = await run(['faults', 'clear', '--id', 'a&b']);
      const all = await run(['faults', 'clear']);

      // Assert
      expect(one.out).to.equal('removed 1 fault rule');
      expect(all.out).to.equal('removed 0 fault rules');
    });

    it('given a bad mode, probability, ttl or a latency rule without its latency, when added, then each is a usage error naming the option', async () => {
      // Arrange
      const base = ['faults', 'add', '--target', 'payment'];

      // Act
      const results = await Promise.all([
        run([...base, '--mode', 'explode', '--probability', '1']),
        run([...base, '--mode', 'error', '--probability', '1.5']),
        run([...base, '--mode', 'error', '--probability', '1', '--ttl', '0']),
        run([...base, '--mode', 'latency', '--probability', '1']),
        run([...base, '--mode', 'error']),
      ]);

      // Assert
      expect(results.map((r) => r.code)).to.deep.equal([2, 2, 2, 2, 2]);
      expect(results.map((r) => r.err)).to.satisfy((errors: string[]) =>
        [
          /--mode <mode>.*explode.*error, decline, timeout, crash, latency/,
          /--probability <p>.*must be a number ≥ 0 and ≤ 1/,
          /--ttl <seconds>.*must be a number > 0 and ≤ 86400/,
          /--mode latency needs --latency-ms/,
          /--probability <p>' not specified/,
        ].every((pattern, i) => pattern.test(errors[i]!)),
      );
    });
  });

  describe('usage and failures', () => {
    it('given --help, help or no command, when run, then the usage lists the commands and needs no token', async () => {
      // Arrange
      const io = () => fakeIo({ env: {} });

      // Act
      const help = await runCli(['--help'], io());
      const helpCommand = await runCli(['help'], io());
      const none = io();
      const noCommand = await runCli([], none);

      // Assert
      expect([help, helpCommand, noCommand]).to.deep.equal([0, 0, 2]);
      expect(none.stderr.join('\n')).to.match(
        /stuck[\s\S]*replay[\s\S]*cancel[\s\S]*dlq[\s\S]*faults/,
      );
    });

    it('given an unknown command or option, or a bad value, when run, then it is a usage error', async () => {
      // Act
      const results = await Promise.all([
        run(['retry']),
        run(['stuck', '--verbose']),
        run(['stuck', '--yes']),
        run(['stuck', '--limit', '501']),
        run(['stuck', '--step', 'billing']),
      ]);

      // Assert
      expect(results.map((r) => r.code)).to.deep.equal([2, 2, 2, 2, 2]);
      expect(results.map((r) => r.err.split('\n')[0])).to.deep.equal([
        "error: unknown command 'retry'",
        "error: unknown option '--verbose'",
        "error: unknown option '--yes'",
        "error: option '--limit <n>' argument '501' is invalid. It must be an integer ≥ 1 and ≤ 500.",
        "error: option '--step <step>' argument 'billing' is invalid. Allowed choices are risk, payment, inventory, shipping.",
      ]);
    });

    it('given no token in options or environment, when run, then it is a usage error naming ADMIN_TOKEN', async () => {
      // Act
      const missing = await run(['dlq'], fakeIo({ env: {} }));
      const empty = await run(['dlq'], fakeIo({ env: { ADMIN_TOKEN: '' } }));

      // Assert
      expect([missing.code, empty.code]).to.deep.equal([2, 2]);
      expect(missing.err).to.equal(
        'error: no admin token: pass --token or set ADMIN_TOKEN (or put it in .env)',
      );
    });

    it('given --token, when run, then it is sent instead of the environment', async () => {
      // Arrange
      nock(coordinator, { reqheaders: { authorization: 'Bearer other' } })
        .get('/admin/dlq')
        .reply(200, { queues: [] });

      // Act
      const { code } = await run(['dlq', '--token', 'other']);

      // Assert
      expect(code).to.equal(0);
    });

    it('given the shared options before the command, when run, then they apply as after it', async () => {
      // Arrange
      const answer = { queues: [] };
      api().get('/admin/dlq').reply(200, answer);
      const io = fakeIo();

      // Act
      const code = await runCli(['--json', '--url', coordinator, 'dlq'], io);

      // Assert
      expect(code).to.equal(0);
      expect(JSON.parse(io.stdout.join('\n'))).to.deep.equal(answer);
    });

    it('given no --url, when run, then the coordinator is on 127.0.0.1 at ORDER_SERVICE_PORT', async () => {
      // Arrange
      nock('http://127.0.0.1:8100').get('/admin/dlq').reply(200, { queues: [] });
      const env: CliEnv = { ADMIN_TOKEN: 'secret', ORDER_SERVICE_PORT: '8100' };

      // Act
      const code = await runCli(['dlq'], fakeIo({ env }));

      // Assert
      expect(code).to.equal(0);
    });

    it('given a --url that is not http(s), when run, then it is a usage error', async () => {
      // Act
      const code = await runCli(['dlq', '--url', 'localhost:8000'], fakeIo());

      // Assert
      expect(code).to.equal(2);
    });

    it('given a problem with validation errors the detail lacks, when it answers, then they are listed', async () => {
      // Arrange
      api()
        .get('/admin/sagas')
        .query(true)
        .reply(400, {
          title: 'Bad Request',
          detail: 'invalid',
          errors: ['invalid', 'limit: too big'],
        });

      // Act
      const { code, err } = await run(['stuck']);

      // Assert
      expect(code).to.equal(1);
      expect(err).to.equal('error: 400 Bad Request: invalid\n  - limit: too big');
    });

    it('given a server that is not the coordinator, when it answers, then the operator is asked about --url', async () => {
      // Arrange
      api().get('/admin/dlq').reply(200, '<html>hello</html>');
      api().get('/admin/faults').reply(502, '<html>\nbad gateway</html>');

      // Act
      const html = await run(['dlq']);
      const gateway = await run(['faults']);

      // Assert
      expect(html.code).to.equal(1);
      expect(html.err).to.equal(
        `error: the answer of ${coordinator} is not JSON; is --url the coordinator?`,
      );
      expect(gateway.err).to.equal('error: 502 Bad Gateway: <html> bad gateway</html>');
    });

    it('given no coordinator listening, when run, then it names the address and the cause', async () => {
      // Arrange
      const url = `http://127.0.0.1:${await freePort()}`;
      nock.enableNetConnect('127.0.0.1');

      // Act
      const io = fakeIo();
      const code = await runCli(['dlq', '--url', url], io);

      // Assert
      expect(code).to.equal(1);
      expect(io.stderr).to.deep.equal([
        `error: cannot reach ${url} (ECONNREFUSED); is the coordinator running?`,
      ]);
    });
  });
});
