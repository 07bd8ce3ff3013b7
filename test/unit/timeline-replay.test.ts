import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { RecordedSaga, replayTimeline } from '../kit/timeline-replay';

const fixtures = path.join(__dirname, '..', 'kit', 'fixtures');
const recorded = readdirSync(fixtures)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({
    file,
    saga: JSON.parse(readFileSync(path.join(fixtures, file), 'utf8')) as RecordedSaga,
  }));

describe('recorded timelines — replayed through the current order saga definition', () => {
  it('has a fixture for the happy path, every compensation path and every operator path', () => {
    const names = recorded.map(({ file }) => file);
    for (const needed of [
      'happy-path.json',
      'payment-declined.json',
      'inventory-rejected.json',
      'shipping-declined.json',
      'stuck-replayed.json',
      'stuck-cancelled.json',
      'stuck-expired-after-timeouts.json',
    ]) {
      expect(names).to.include(needed);
    }
  });

  for (const { file, saga } of recorded) {
    it(`${file} (${saga.description}): every decision matches the recorded one`, () => {
      const result = replayTimeline(saga);
      expect(result.differences, result.differences.join('\n')).to.deep.equal([]);
      expect(result.finalStatus).to.equal(saga.saga.status);
    });
  }

  describe('a definition that decides differently is caught', () => {
    const base = recorded.find(({ file }) => file === 'stuck-expired-after-timeouts.json');
    if (!base) throw new Error('fixture stuck-expired-after-timeouts.json is missing');

    it('when one more timeout is allowed than the saga ran with', () => {
      const changed: RecordedSaga = {
        ...base.saga,
        saga: { ...base.saga.saga, max_retry_attempts: base.saga.saga.max_retry_attempts + 1 },
      };
      const { differences } = replayTimeline(changed);
      expect(differences).to.have.length.greaterThan(0);
      expect(differences[0]).to.match(
        /step\.timed_out: writes .*COMMAND_SENT.*, recorded .*SAGA_STUCK/,
      );
    });

    it('when a recorded command was not sent by the definition', () => {
      const timeline = base.saga.timeline.map((entry) =>
        entry.type === 'COMMAND_SENT' && entry.command === 'inventory.release'
          ? { ...entry, command: 'shipping.cancel' as const }
          : entry,
      );
      const { differences } = replayTimeline({ ...base.saga, timeline });
      expect(differences.join('\n')).to.match(/inventory\.release/);
    });

    it('when the recorded saga ended otherwise', () => {
      const { differences } = replayTimeline({
        ...base.saga,
        saga: { ...base.saga.saga, status: 'COMPLETED' },
      });
      expect(differences).to.deep.equal(['ends CANCELLED, recorded COMPLETED']);
    });

    it('when the timeline holds an entry no decision writes', () => {
      const [first, ...rest] = base.saga.timeline;
      if (!first) throw new Error('empty fixture');
      const extra = { seq: 0, at: first.at, type: 'STEP_SUCCEEDED', step: 'payment' as const };
      const { differences } = replayTimeline({ ...base.saga, timeline: [first, extra, ...rest] });
      expect(differences.join('\n')).to.match(/STEP_SUCCEEDED/);
    });
  });
});
