import { expect } from 'chai';
import type { TimelineEvent } from '../../console/src/api/types';
import { layoutTimeline } from '../../console/src/timeline/layout';
import { attemptsOf, laneOf, toneOf } from '../../console/src/timeline/model';

const at = (ms: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, 0, ms)).toISOString();
const events: TimelineEvent[] = [
  { seq: 1, at: at(0), type: 'SAGA_STARTED', state: 'assessingRisk' },
  {
    seq: 2,
    at: at(0),
    type: 'COMMAND_SENT',
    step: 'risk',
    command: 'risk.assess',
    command_id: 's/risk.assess',
    attempt: 1,
  },
  {
    seq: 3,
    at: at(50),
    type: 'REPLY_RECEIVED',
    step: 'risk',
    reply: 'risk.rejected',
    command_id: 's/risk.assess',
  },
  { seq: 4, at: at(50), type: 'STEP_FAILED', step: 'risk' },
  { seq: 5, at: at(50), type: 'SAGA_CANCELLED', state: 'cancelled' },
];

describe('console timeline — fraud check lane', () => {
  it('console timeline, given a version 2 saga rejected by the fraud check, when laid out, then its events are in a risk lane before payment', () => {
    const layout = layoutTimeline(events, { width: 400, scale: 'order', padding: 10 });

    expect(layout.lanes).to.deep.equal(['saga', 'risk', 'payment', 'inventory', 'shipping']);
    expect(events.slice(1, 4).map(laneOf)).to.deep.equal(['risk', 'risk', 'risk']);
    expect(toneOf(events[2]!)).to.equal('danger');
    expect(attemptsOf(events)[0]).to.include({ outcome: 'failed' });
  });
});
