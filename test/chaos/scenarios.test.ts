import { expect } from 'chai';
import { formatReport, runScenario } from './run';
import { scenarios } from './scenarios';

/** The short version of every chaos scenario; `npm run chaos` runs them at full length. */
describe('chaos scenarios, short (all four services as processes)', function () {
  this.timeout(240_000);

  for (const scenario of scenarios) {
    it(`given ${scenario.description}, when the load settles, then every invariant holds`, async () => {
      const report = await runScenario(scenario, { orders: 120, concurrency: 16, faultMs: 2_000 });

      expect(report.violations, formatReport(report)).to.deep.equal([]);
      expect(report.by_status.COMPLETED, formatReport(report)).to.equal(report.orders);
    });
  }
});
