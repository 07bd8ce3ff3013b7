import { expect } from 'chai';
import { preferredWaitSeconds } from '../../coordinator/http/order-wait';
import { OrderWaiters } from '../../coordinator/order-waiters';
import { notificationChunks } from '../../coordinator/repositories/saga-writes';

describe('order wait', () => {
  describe('Prefer header (RFC 7240)', () => {
    const cases: Array<[string | undefined, number | undefined]> = [
      [undefined, undefined],
      ['', undefined],
      ['wait=10', 10],
      ['WAIT = 5', 5],
      ['respond-async, wait=7', 7],
      ['wait=3; foo=bar', 3],
      ['wait="4"', 4],
      ['wait=600', 60],
      ['wait=-1', undefined],
      ['wait=abc', undefined],
      ['return=minimal', undefined],
    ];
    for (const [header, expected] of cases) {
      it(`given Prefer: ${String(header)}, when read, then the wait is ${String(expected)}`, () => {
        expect(preferredWaitSeconds(header)).to.equal(expected);
      });
    }
  });

  describe('settled-order notifications', () => {
    it('given ids longer in all than one payload, when chunked, then every chunk fits and none is lost', () => {
      const ids = Array.from({ length: 300 }, (_, i) => `order-${i}-${'x'.repeat(50)}`);

      const chunks = notificationChunks(ids);

      expect(chunks.length).to.be.greaterThan(1);
      for (const chunk of chunks) expect(Buffer.byteLength(chunk)).to.be.at.most(7_900);
      expect(chunks.flatMap((c) => c.split(','))).to.deep.equal(ids);
    });

    it('given no settled order, when chunked, then nothing is sent', () => {
      expect(notificationChunks([])).to.deep.equal([]);
    });
  });

  describe('waiters in memory', () => {
    it('given waiters on an order, when it settles, then each is woken once and released', async () => {
      const waiters = new OrderWaiters();
      const a = waiters.wait('o1', 5_000).ended;
      const b = waiters.wait('o1', 5_000).ended;
      const other = waiters.wait('o2', 20).ended;

      expect(waiters.size).to.equal(3);
      waiters.settled(['o1']);

      expect(await Promise.all([a, b])).to.deep.equal(['settled', 'settled']);
      expect(await other).to.equal('timeout');
      expect(waiters.size).to.equal(0);
    });

    it('given waiters on orders settled here, when woken, then each holds its order as committed, and one settled elsewhere holds none', async () => {
      const waiters = new OrderWaiters();
      const here = waiters.wait('o1', 5_000);
      const elsewhere = waiters.wait('o2', 5_000);
      const order = {
        saga_id: 's1',
        order_id: 'o1',
        user_id: 'u',
        request_hash: 'h',
        status: 'COMPLETED',
        step: null,
        items: ['Book'],
        total: 20,
        reason: null,
        created_at: new Date(0),
        updated_at: new Date(1),
      };

      waiters.settled(['o1', 'o2'], new Map([['o1', order]]));

      expect(await Promise.all([here.ended, elsewhere.ended])).to.deep.equal([
        'settled',
        'settled',
      ]);
      expect(here.settledAs).to.equal(order);
      expect(elsewhere.settledAs).to.equal(undefined);
    });

    it('given a waiter whose client goes away, when its signal aborts, then it is released at once', async () => {
      const waiters = new OrderWaiters();
      const gone = new AbortController();
      const waiting = waiters.wait('o1', 60_000, gone.signal).ended;

      gone.abort();

      expect(await waiting).to.equal('aborted');
      expect(waiters.size).to.equal(0);
    });

    it('given a waiter whose answer is already known, when released, then it leaves at once', async () => {
      const waiters = new OrderWaiters();
      const wait = waiters.wait('o1', 60_000);

      wait.release();

      expect(await wait.ended).to.equal('released');
      expect(waiters.size).to.equal(0);
    });

    it('given waiters when the coordinator stops, when stopped, then each is answered as it stands', async () => {
      const waiters = new OrderWaiters();
      const waiting = waiters.wait('o1', 60_000).ended;

      await waiters.stop();

      expect(await waiting).to.equal('timeout');
    });
  });
});
