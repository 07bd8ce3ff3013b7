import { expect } from 'chai';
import { PlanRefresh } from '../../lib/plan-refresh';

describe('PlanRefresh, when a connection drops its cached plans', () => {
  it('given a new connection, when it is used over ten minutes, then its plans are dropped after 1, 2, 4, … s of use and then once a minute', () => {
    let now = 0;
    const refresh = new PlanRefresh(() => now);
    const connection = {};

    const dueAt: number[] = [];
    for (now = 0; now <= 600_000; now += 250) if (refresh.isDue(connection)) dueAt.push(now);

    const gaps = dueAt.map((at, index) => at - (dueAt[index - 1] ?? 0));
    expect(gaps).to.deep.equal([
      1_000,
      2_000,
      4_000,
      8_000,
      16_000,
      32_000,
      ...Array(8).fill(60_000),
    ]);
  });

  it('given two connections first used at different times, when time passes, then each keeps its own schedule', () => {
    let now = 0;
    const refresh = new PlanRefresh(() => now);
    const early = {};
    const late = {};

    refresh.isDue(early);
    now = 900;
    refresh.isDue(late);
    now = 1_000;

    expect(refresh.isDue(early)).to.equal(true);
    expect(refresh.isDue(late)).to.equal(false);
    now = 1_900;
    expect(refresh.isDue(late)).to.equal(true);
    expect(refresh.isDue(early)).to.equal(false);
  });
});
