import { expect } from 'chai';
import { parseArgs } from '../../scripts/admin/args';
import { CliEnv, Command, ParseResult } from '../../scripts/admin/commands';
import { describeFetchError, formatFailure } from '../../scripts/admin/failures';
import { renderAnswer } from '../../scripts/admin/render';
import { renderDlq } from '../../scripts/admin/render-dlq';
import { renderFaults } from '../../scripts/admin/render-faults';
import {
  ActionResult,
  describeAction,
  renderBulk,
  renderStuck,
} from '../../scripts/admin/render-sagas';
import { buildRequest } from '../../scripts/admin/requests';
import { formatAge, renderTable, truncate } from '../../scripts/admin/table';

const env: CliEnv = { ADMIN_TOKEN: 'secret' };
const sagaId = '6f1c2a9e-0d4b-4c59-9a53-2b8e1f0c7d11';

function command(argv: string[]): Command {
  const result = parseArgs(argv, env);
  if (result.kind !== 'run') throw new Error(`expected a command, got ${JSON.stringify(result)}`);
  return result.command;
}

function refusal(argv: string[], environment = env): Extract<ParseResult, { kind: 'refuse' }> {
  const result = parseArgs(argv, environment);
  if (result.kind !== 'refuse')
    throw new Error(`expected a refusal, got ${JSON.stringify(result)}`);
  return result;
}

const action = (overrides: Partial<ActionResult> = {}): ActionResult => ({
  saga_id: sagaId,
  order_id: 'cli-1',
  result: 'applied',
  status: 'STUCK',
  commands: [{ command: 'payment.authorize', command_id: 'c1', step: 'payment', attempt: 2 }],
  ...overrides,
});

describe('admin CLI', () => {
  describe('parseArgs', () => {
    it('given stuck with every filter, when parsed, then the command holds typed filters', () => {
      // Act
      const parsed = command([
        'stuck',
        '--step',
        'payment',
        '--code',
        'DECLINED',
        '--min-age',
        '30',
        '--limit=10',
      ]);

      // Assert
      expect(parsed).to.deep.equal({
        kind: 'stuck',
        step: 'payment',
        code: 'DECLINED',
        minAgeSeconds: 30,
        limit: 10,
      });
    });

    it('given stuck without options, when parsed, then the command has no filter fields', () => {
      // Act
      const parsed = command(['stuck']);

      // Assert
      expect(parsed).to.deep.equal({ kind: 'stuck' });
    });

    it('given an unknown step, when parsed, then it is refused with the allowed steps', () => {
      // Act
      const result = refusal(['stuck', '--step', 'billing']);

      // Assert
      expect(result.message).to.equal('--step must be one of payment, inventory, shipping');
      expect(result.showUsage).to.equal(true);
    });

    it('given a limit out of range or not an integer, when parsed, then it is refused', () => {
      // Act
      const tooBig = refusal(['stuck', '--limit', '501']);
      const fraction = refusal(['stuck', '--limit', '1.5']);
      const negativeAge = refusal(['stuck', '--min-age', '-1']);

      // Assert
      expect(tooBig.message).to.equal('--limit must be an integer ≥ 1 and ≤ 500');
      expect(fraction.message).to.equal('--limit must be an integer ≥ 1 and ≤ 500');
      expect(negativeAge.message).to.equal('--min-age must be a number ≥ 0');
    });

    it('given replay of one saga with reason and actor, when parsed, then it is a replay command', () => {
      // Act
      const parsed = command(['replay', sagaId, '--reason', 'provider back', '--actor', 'ana']);

      // Assert
      expect(parsed).to.deep.equal({
        kind: 'replay',
        sagaId,
        dryRun: false,
        reason: 'provider back',
        actor: 'ana',
      });
    });

    it('given replay --dry-run before the saga id, when parsed, then options may precede positionals', () => {
      // Act
      const parsed = command(['replay', '--dry-run', sagaId]);

      // Assert
      expect(parsed).to.deep.equal({ kind: 'replay', sagaId, dryRun: true });
    });

    it('given replay without a saga id or --all, when parsed, then it is refused', () => {
      // Act
      const result = refusal(['replay']);

      // Assert
      expect(result.message).to.equal('replay needs <saga_id>');
    });

    it('given replay of one saga with a filter option, when parsed, then the filter is refused as --all only', () => {
      // Act
      const result = refusal(['replay', sagaId, '--step', 'payment']);

      // Assert
      expect(result.message).to.equal('--step only applies to replay --all');
    });

    it('given replay --all with filters, when parsed, then it is a bulk replay', () => {
      // Act
      const parsed = command([
        'replay',
        '--all',
        '--step',
        'shipping',
        '--code',
        'TIMEOUT',
        '--min-age',
        '60',
        '--dry-run',
        '--actor',
        'ops',
      ]);

      // Assert
      expect(parsed).to.deep.equal({
        kind: 'replay-all',
        step: 'shipping',
        code: 'TIMEOUT',
        minAgeSeconds: 60,
        dryRun: true,
        actor: 'ops',
      });
    });

    it('given replay --all with a saga id, when parsed, then the extra argument is refused', () => {
      // Act
      const result = refusal(['replay', '--all', sagaId]);

      // Assert
      expect(result.message).to.equal(`unexpected argument ${sagaId}`);
    });

    it('given cancel with --dry-run and a reason, when parsed, then it is a cancel command', () => {
      // Act
      const parsed = command(['cancel', sagaId, '--dry-run', '--reason=customer asked']);

      // Assert
      expect(parsed).to.deep.equal({
        kind: 'cancel',
        sagaId,
        dryRun: true,
        reason: 'customer asked',
      });
    });

    it('given dlq, when parsed, then it lists the queues', () => {
      // Act
      const parsed = command(['dlq']);

      // Assert
      expect(parsed).to.deep.equal({ kind: 'dlq' });
    });

    it('given dlq replay with repeated --message, when parsed, then every id is kept in order', () => {
      // Act
      const parsed = command([
        'dlq',
        'replay',
        'payment.commands.dlq',
        '--message',
        'm1',
        '--message=m2',
        '--message',
        'm3',
      ]);

      // Assert
      expect(parsed).to.deep.equal({
        kind: 'dlq-replay',
        queue: 'payment.commands.dlq',
        messageIds: ['m1', 'm2', 'm3'],
      });
    });

    it('given dlq replay without a queue, when parsed, then it is refused', () => {
      // Act
      const result = refusal(['dlq', 'replay']);

      // Assert
      expect(result.message).to.equal('dlq replay needs <queue>');
    });

    it('given dlq purge with --yes, when parsed, then it is a purge command', () => {
      // Act
      const parsed = command(['dlq', 'purge', 'payment.commands.dlq', '--yes']);

      // Assert
      expect(parsed).to.deep.equal({ kind: 'dlq-purge', queue: 'payment.commands.dlq' });
    });

    it('given dlq purge without --yes, when parsed, then it is refused saying it deletes messages', () => {
      // Act
      const result = refusal(['dlq', 'purge', 'payment.commands.dlq']);

      // Assert
      expect(result.message).to.include('deletes every message in payment.commands.dlq');
      expect(result.message).to.include('--yes');
      expect(result.showUsage).to.equal(false);
    });

    it('given faults, when parsed, then it lists the rules', () => {
      // Act
      const parsed = command(['faults']);

      // Assert
      expect(parsed).to.deep.equal({ kind: 'faults' });
    });

    it('given faults add with every option, when parsed, then the rule uses the API field names', () => {
      // Act
      const parsed = command([
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
      expect(parsed).to.deep.equal({
        kind: 'faults-add',
        rule: {
          target: 'payment',
          mode: 'latency',
          probability: 0.5,
          latency_ms: 250,
          count: 3,
          ttl_seconds: 60,
        },
      });
    });

    it('given faults add without a required option, when parsed, then the missing option is named', () => {
      // Act
      const result = refusal(['faults', 'add', '--target', 'payment', '--mode', 'error']);

      // Assert
      expect(result.message).to.equal('--probability is required');
    });

    it('given faults add with a bad mode, probability or ttl, when parsed, then each is refused', () => {
      // Arrange
      const base = ['faults', 'add', '--target', 'payment'];

      // Act
      const mode = refusal([...base, '--mode', 'explode', '--probability', '1']);
      const probability = refusal([...base, '--mode', 'error', '--probability', '1.5']);
      const ttl = refusal([...base, '--mode', 'error', '--probability', '1', '--ttl', '0']);

      // Assert
      expect(mode.message).to.equal(
        '--mode must be one of error, decline, timeout, crash, latency',
      );
      expect(probability.message).to.equal('--probability must be a number ≥ 0 and ≤ 1');
      expect(ttl.message).to.equal('--ttl must be a number > 0 and ≤ 86400');
    });

    it('given faults add --mode latency without --latency-ms, when parsed, then it is refused', () => {
      // Act
      const result = refusal([
        'faults',
        'add',
        '--target',
        'inventory',
        '--mode',
        'latency',
        '--probability',
        '1',
      ]);

      // Assert
      expect(result.message).to.equal('--mode latency needs --latency-ms');
    });

    it('given faults clear with and without --id, when parsed, then the id is optional', () => {
      // Act
      const one = command(['faults', 'clear', '--id', 'r1']);
      const all = command(['faults', 'clear']);

      // Assert
      expect(one).to.deep.equal({ kind: 'faults-clear', id: 'r1' });
      expect(all).to.deep.equal({ kind: 'faults-clear' });
    });

    it('given help, --help or -h, when parsed, then help is asked for without a token', () => {
      // Act
      const results = [['help'], ['--help'], ['stuck', '-h']].map((argv) => parseArgs(argv, {}));

      // Assert
      expect(results).to.deep.equal([{ kind: 'help' }, { kind: 'help' }, { kind: 'help' }]);
    });

    it('given an unknown option, when parsed, then it is refused with usage', () => {
      // Act
      const result = refusal(['stuck', '--verbose']);

      // Assert
      expect(result).to.deep.equal({
        kind: 'refuse',
        message: 'unknown option --verbose',
        showUsage: true,
      });
    });

    it('given an option named like an Object property, when parsed, then it is still unknown', () => {
      // Act
      const result = refusal(['stuck', '--constructor', 'x']);

      // Assert
      expect(result.message).to.equal('unknown option --constructor');
    });

    it('given an option of another command, when parsed, then it is refused as not applicable', () => {
      // Act
      const result = refusal(['stuck', '--yes']);

      // Assert
      expect(result.message).to.equal('--yes does not apply to stuck');
    });

    it('given an unknown command or none, when parsed, then it is refused with usage', () => {
      // Act
      const unknown = refusal(['retry']);
      const none = refusal([]);

      // Assert
      expect(unknown).to.deep.equal({
        kind: 'refuse',
        message: 'unknown command retry',
        showUsage: true,
      });
      expect(none.message).to.equal('no command given');
    });

    it('given a value option without a value or twice, when parsed, then it is refused', () => {
      // Act
      const missing = refusal(['stuck', '--code']);
      const followedByOption = refusal(['stuck', '--code', '--json']);
      const twice = refusal(['stuck', '--code', 'A', '--code', 'B']);
      const flagWithValue = refusal(['stuck', '--json=yes']);
      const blank = refusal(['stuck', '--min-age', ' ']);

      // Assert
      expect(missing.message).to.equal('--code needs a value');
      expect(followedByOption.message).to.equal('--code needs a value');
      expect(twice.message).to.equal('--code given twice');
      expect(flagWithValue.message).to.equal('--json takes no value');
      expect(blank.message).to.equal('--min-age must not be empty');
    });

    it('given no token in options or environment, when parsed, then it is refused without usage', () => {
      // Act
      const result = refusal(['stuck'], {});

      // Assert
      expect(result.message).to.include('no admin token');
      expect(result.message).to.include('ADMIN_TOKEN');
      expect(result.showUsage).to.equal(false);
    });

    it('given an empty ADMIN_TOKEN, when parsed, then it counts as missing', () => {
      // Act
      const result = refusal(['dlq'], { ADMIN_TOKEN: '' });

      // Assert
      expect(result.message).to.include('no admin token');
    });

    it('given --token, --url and --json, when parsed, then the settings use them over the environment', () => {
      // Act
      const result = parseArgs(
        ['dlq', '--token', 'other', '--url', 'http://coordinator:9000/', '--json'],
        { ADMIN_TOKEN: 'secret', ORDER_SERVICE_PORT: '8100' },
      );

      // Assert
      expect(result).to.deep.equal({
        kind: 'run',
        command: { kind: 'dlq' },
        settings: { url: 'http://coordinator:9000', token: 'other', json: true },
      });
    });

    it('given no --url, when parsed, then the URL comes from ORDER_SERVICE_PORT or 8000', () => {
      // Act
      const custom = parseArgs(['dlq'], { ADMIN_TOKEN: 't', ORDER_SERVICE_PORT: '8100' });
      const fallback = parseArgs(['dlq'], { ADMIN_TOKEN: 't', ORDER_SERVICE_PORT: '' });

      // Assert
      expect(custom).to.have.nested.property('settings.url', 'http://127.0.0.1:8100');
      expect(fallback).to.have.nested.property('settings.url', 'http://127.0.0.1:8000');
    });

    it('given a --url that is not http(s), when parsed, then it is refused', () => {
      // Act
      const result = refusal(['dlq', '--url', 'localhost:8000']);

      // Assert
      expect(result.message).to.equal('--url must be an http(s) URL: localhost:8000');
    });
  });

  describe('buildRequest', () => {
    it('given stuck with filters, when built, then it is a GET with the STUCK query', () => {
      // Act
      const request = buildRequest(
        command([
          'stuck',
          '--step',
          'payment',
          '--code',
          'A B&C',
          '--min-age',
          '5',
          '--limit',
          '2',
        ]),
      );

      // Assert
      expect(request).to.deep.equal({
        method: 'GET',
        path: '/admin/sagas?status=STUCK&step=payment&code=A+B%26C&min_age_seconds=5&limit=2',
      });
    });

    it('given stuck without filters, when built, then only the status is queried', () => {
      // Act
      const request = buildRequest(command(['stuck']));

      // Assert
      expect(request).to.deep.equal({ method: 'GET', path: '/admin/sagas?status=STUCK' });
    });

    it('given replay with reason and actor, when built, then both go in the body', () => {
      // Act
      const request = buildRequest(command(['replay', sagaId, '--reason', 'r', '--actor', 'a']));

      // Assert
      expect(request).to.deep.equal({
        method: 'POST',
        path: `/admin/sagas/${sagaId}/replay`,
        body: { reason: 'r', actor: 'a' },
      });
    });

    it('given replay --dry-run of an id with reserved characters, when built, then the id is encoded and dry_run queried', () => {
      // Act
      const request = buildRequest(command(['replay', 'a/b?c', '--dry-run']));

      // Assert
      expect(request).to.deep.equal({
        method: 'POST',
        path: '/admin/sagas/a%2Fb%3Fc/replay?dry_run=true',
        body: {},
      });
    });

    it('given replay --all with filters, when built, then the filters use the API names', () => {
      // Act
      const request = buildRequest(
        command([
          'replay',
          '--all',
          '--step',
          'payment',
          '--min-age',
          '0',
          '--dry-run',
          '--reason',
          'r',
        ]),
      );

      // Assert
      expect(request).to.deep.equal({
        method: 'POST',
        path: '/admin/sagas/replay?dry_run=true',
        body: { step: 'payment', min_age_seconds: 0, reason: 'r' },
      });
    });

    it('given cancel, when built, then it posts to the cancel route', () => {
      // Act
      const request = buildRequest(command(['cancel', sagaId, '--actor', 'ana']));

      // Assert
      expect(request).to.deep.equal({
        method: 'POST',
        path: `/admin/sagas/${sagaId}/cancel`,
        body: { actor: 'ana' },
      });
    });

    it('given dlq, when built, then it is a GET of the queues', () => {
      // Act
      const request = buildRequest(command(['dlq']));

      // Assert
      expect(request).to.deep.equal({ method: 'GET', path: '/admin/dlq' });
    });

    it('given dlq replay with message ids, when built, then the ids go in the body', () => {
      // Act
      const request = buildRequest(
        command(['dlq', 'replay', 'payment.commands.dlq', '--message', 'm1', '--message', 'm2']),
      );

      // Assert
      expect(request).to.deep.equal({
        method: 'POST',
        path: '/admin/dlq/payment.commands.dlq/replay',
        body: { message_ids: ['m1', 'm2'] },
      });
    });

    it('given dlq replay without message ids, when built, then the body is empty to replay all', () => {
      // Act
      const request = buildRequest(command(['dlq', 'replay', 'q/1']));

      // Assert
      expect(request).to.deep.equal({ method: 'POST', path: '/admin/dlq/q%2F1/replay', body: {} });
    });

    it('given dlq purge, when built, then it is a DELETE of the queue', () => {
      // Act
      const request = buildRequest(command(['dlq', 'purge', 'payment.commands.dlq', '--yes']));

      // Assert
      expect(request).to.deep.equal({ method: 'DELETE', path: '/admin/dlq/payment.commands.dlq' });
    });

    it('given faults and faults add, when built, then the rule is posted as given', () => {
      // Act
      const list = buildRequest(command(['faults']));
      const add = buildRequest(
        command([
          'faults',
          'add',
          '--target',
          'payment',
          '--mode',
          'error',
          '--probability',
          '0.25',
        ]),
      );

      // Assert
      expect(list).to.deep.equal({ method: 'GET', path: '/admin/faults' });
      expect(add).to.deep.equal({
        method: 'POST',
        path: '/admin/faults',
        body: { target: 'payment', mode: 'error', probability: 0.25 },
      });
    });

    it('given faults clear with and without --id, when built, then the id is a query parameter', () => {
      // Act
      const one = buildRequest(command(['faults', 'clear', '--id', 'a&b']));
      const all = buildRequest(command(['faults', 'clear']));

      // Assert
      expect(one).to.deep.equal({ method: 'DELETE', path: '/admin/faults?id=a%26b' });
      expect(all).to.deep.equal({ method: 'DELETE', path: '/admin/faults' });
    });
  });

  describe('renderTable', () => {
    it('given cells of different widths, when rendered, then columns are padded to the widest cell', () => {
      // Act
      const lines = renderTable(
        [{ header: 'NAME' }, { header: 'N', align: 'right' }, { header: 'NOTE' }],
        [
          ['a', '5', 'x'],
          ['longer', '123', ''],
        ],
      );

      // Assert
      expect(lines).to.deep.equal(['NAME      N  NOTE', 'a         5  x', 'longer  123']);
    });

    it('given no rows, when rendered, then only the header is left', () => {
      // Act
      const lines = renderTable([{ header: 'A' }, { header: 'B' }], []);

      // Assert
      expect(lines).to.deep.equal(['A  B']);
    });
  });

  describe('truncate', () => {
    it('given text longer than the limit, when truncated, then it ends with an ellipsis at the limit', () => {
      // Act
      const text = truncate('x'.repeat(70), 60);

      // Assert
      expect(text).to.have.length(60);
      expect(text.endsWith('…')).to.equal(true);
    });

    it('given short text with line breaks, when truncated, then it is kept on one line', () => {
      // Act
      const text = truncate('line one\n  line two', 60);

      // Assert
      expect(text).to.equal('line one line two');
    });
  });

  describe('formatAge', () => {
    it('given ages across units, when formatted, then two units at most are shown', () => {
      // Act
      const ages = [0, 45, 60, 192, 3_599, 3_600, 7_530, 86_399, 90_000].map(formatAge);

      // Assert
      expect(ages).to.deep.equal([
        '0s',
        '45s',
        '1m0s',
        '3m12s',
        '59m59s',
        '1h0m',
        '2h5m',
        '23h59m',
        '1d1h',
      ]);
    });

    it('given a fractional, negative or missing age, when formatted, then it is floored or a dash', () => {
      // Act
      const ages = [12.9, -1, Number.NaN].map(formatAge);

      // Assert
      expect(ages).to.deep.equal(['12s', '-', '-']);
    });
  });

  describe('rendering answers', () => {
    it('given stuck sagas, when rendered, then the table shows code, human age and a truncated diagnosis', () => {
      // Arrange
      const diagnosis = `dead-lettered command: DECLINED — ${'card refused '.repeat(10)}`;

      // Act
      const text = renderStuck({
        sagas: [
          {
            saga_id: sagaId,
            order_id: 'cli-1',
            step: 'payment',
            reason: { step: 'payment', code: 'DECLINED', message: 'card refused' },
            stuck_since: '2024-01-01T00:00:00.000Z',
            age_seconds: 192,
            diagnosis,
          },
          {
            saga_id: 'b',
            order_id: 'o-2',
            step: null,
            reason: null,
            stuck_since: '2024-01-01T00:00:00.000Z',
            age_seconds: 7_530,
            diagnosis: 'no reply past its deadline',
          },
        ],
        next_cursor: null,
      });

      // Assert
      const lines = text.split('\n');
      expect(lines[0]).to.match(/^SAGA\s+ORDER\s+STEP\s+CODE\s+AGE\s+DIAGNOSIS$/);
      expect(lines[1]).to.include('DECLINED').and.include('3m12s');
      expect(lines[1]).to.include(truncate(diagnosis, 60));
      expect(lines[1]).not.to.include(diagnosis.trim());
      expect(lines[2]).to.match(/^b\s+o-2\s+-\s+-\s+2h5m {2}no reply past its deadline$/);
      expect(lines[1]!.indexOf('3m12s') + 5).to.equal(lines[2]!.indexOf('2h5m') + 4);
    });

    it('given no stuck saga, when rendered, then it says so', () => {
      // Act
      const text = renderStuck({ sagas: [], next_cursor: null });

      // Assert
      expect(text).to.equal('no stuck sagas');
    });

    it('given an applied replay, when described, then the line names saga, order and commands', () => {
      // Act
      const text = describeAction('replay', action());

      // Assert
      expect(text).to.equal(
        `replay applied to saga ${sagaId} (order cli-1): sends payment.authorize (attempt 2); saga was STUCK`,
      );
    });

    it('given a dry-run cancel, when described, then it says what would be sent', () => {
      // Act
      const text = describeAction('cancel', action({ result: 'dry_run', status: 'STUCK' }));

      // Assert
      expect(text).to.equal(
        `cancel dry run on saga ${sagaId} (order cli-1): would send payment.authorize (attempt 2); saga is STUCK`,
      );
    });

    it('given a rejected action, when described, then the reason replaces the commands', () => {
      // Act
      const text = describeAction(
        'cancel',
        action({ result: 'rejected', status: 'COMPLETED', commands: [], detail: 'not possible' }),
      );

      // Assert
      expect(text).to.equal(`cancel rejected for saga ${sagaId} (order cli-1): not possible`);
    });

    it('given a bulk replay with a rejected saga, when rendered, then the rejection detail shows in COMMANDS', () => {
      // Act
      const text = renderBulk({
        dry_run: false,
        count: 1,
        sagas: [
          action(),
          action({ saga_id: 'x', result: 'rejected', commands: [], detail: 'not STUCK' }),
        ],
      });

      // Assert
      const lines = text.split('\n');
      expect(lines[0]).to.equal('replayed 1 saga');
      expect(lines[1]).to.match(/^SAGA\s+ORDER\s+RESULT\s+COMMANDS$/);
      expect(lines[2]).to.match(/applied\s+payment\.authorize \(attempt 2\)$/);
      expect(lines[3]).to.match(/^x\s+cli-1\s+rejected\s+not STUCK$/);
    });

    it('given dead-letter queues, when rendered, then each queue is followed by its indented messages', () => {
      // Act
      const text = renderDlq({
        queues: [
          {
            queue: 'payment.commands.dlq',
            count: 2,
            messages: [
              {
                message_id: 'm1',
                saga_id: sagaId,
                order_id: 'cli-1',
                step: 'payment',
                command: 'payment.authorize',
                reason: 'DECLINED',
                attempts: 4,
                dead_lettered_at: '2024-01-01T00:00:00.000Z',
                obsolete: false,
              },
            ],
          },
          { queue: 'shipping.commands.dlq', count: 0, messages: [] },
        ],
      });

      // Assert
      expect(text.split('\n')).to.deep.equal([
        'QUEUE                  COUNT',
        'payment.commands.dlq       2',
        '    MESSAGE  ORDER  COMMAND            ATTEMPTS  REASON    OBSOLETE',
        '    m1       cli-1  payment.authorize         4  DECLINED  no',
        '    … 1 more message',
        'shipping.commands.dlq      0',
      ]);
    });

    it('given fault rules, when rendered, then latency, count and expiry default to dashes and never', () => {
      // Act
      const text = renderFaults({
        fault_injection: true,
        rules: [
          {
            id: 'r1',
            target: 'payment',
            mode: 'latency',
            probability: 0.5,
            latency_ms: 250,
            count: 3,
            created_at: '2024-01-01T00:00:00.000Z',
            expires_at: '2024-01-01T00:01:00.000Z',
          },
          {
            id: 'r2',
            target: 'shipping',
            mode: 'error',
            probability: 1,
            created_at: '2024-01-01T00:00:00.000Z',
            expires_at: null,
          },
        ],
      });

      // Assert
      expect(text.split('\n')).to.deep.equal([
        'fault injection: on',
        'ID  TARGET    MODE     PROBABILITY  LATENCY  COUNT  EXPIRES',
        'r1  payment   latency          0.5    250ms      3  2024-01-01T00:01:00.000Z',
        'r2  shipping  error              1        -      -  never',
      ]);
    });

    it('given the answers of purge, dlq replay and faults clear, when rendered, then each is one sentence', () => {
      // Act
      const purge = renderAnswer({ kind: 'dlq-purge', queue: 'q' }, { queue: 'q', purged: 3 });
      const replay = renderAnswer(
        { kind: 'dlq-replay', queue: 'q', messageIds: [] },
        { queue: 'q', replayed: 1, messages: [], resumed_sagas: [sagaId] },
      );
      const clear = renderAnswer({ kind: 'faults-clear' }, { removed: 1 });

      // Assert
      expect(purge).to.equal('purged 3 messages from q');
      expect(replay).to.equal(`replayed 1 message from q; resumed 1 saga: ${sagaId}`);
      expect(clear).to.equal('removed 1 fault rule');
    });
  });

  describe('failures', () => {
    it('given a problem answer, when formatted, then it reads error: status title: detail', () => {
      // Act
      const text = formatFailure({
        status: 404,
        statusText: 'Not Found',
        body: { type: 'x', title: 'Not Found', status: 404, detail: 'no saga abc' },
      });

      // Assert
      expect(text).to.equal('error: 404 Not Found: no saga abc');
    });

    it('given a problem with validation errors the detail lacks, when formatted, then they are listed', () => {
      // Act
      const text = formatFailure({
        status: 400,
        statusText: 'Bad Request',
        body: { title: 'Bad Request', detail: 'invalid', errors: ['invalid', 'limit: too big'] },
      });

      // Assert
      expect(text).to.equal('error: 400 Bad Request: invalid\n  - limit: too big');
    });

    it('given a non-JSON error body, when formatted, then the status text and body are shown', () => {
      // Act
      const text = formatFailure({
        status: 502,
        statusText: 'Bad Gateway',
        body: '<html>\nbad</html>',
      });

      // Assert
      expect(text).to.equal('error: 502 Bad Gateway: <html> bad</html>');
    });

    it('given a refused connection, when described, then the cause code and URL are named', () => {
      // Arrange
      const error = new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      });

      // Act
      const text = describeFetchError('http://127.0.0.1:8000', error);

      // Assert
      expect(text).to.equal(
        'error: cannot reach http://127.0.0.1:8000 (ECONNREFUSED); is the coordinator running?',
      );
    });
  });
});
