import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/**
 * How many calls a function takes before V8 has optimized it, in a node of its own: with
 * optimization done on the main thread, the count depends on V8's budget alone.
 */
function callsUntilOptimized(tuned: boolean): number {
  const program = `
    ${tuned ? "require('./lib/v8-tiering').optimizeHotCodeSooner();" : ''}
    const optimized = new Function('f', 'return (%GetOptimizationStatus(f) & 16) !== 0');
    function describe(order) {
      let size = 0;
      for (const key in order) size += String(order[key]).length;
      return size + JSON.stringify(order).length;
    }
    let calls = 0;
    while (calls < 1e6 && !optimized(describe)) describe({ id: calls++, sku: 'Book', lines: [calls] });
    process.stdout.write(String(calls));
  `;
  const output = execFileSync(
    process.execPath,
    ['--allow-natives-syntax', '--no-concurrent-recompilation', '-r', 'tsx/cjs', '-e', program],
    { cwd: root, encoding: 'utf8' },
  );
  return Number(output);
}

describe('V8 tiering of a service', () => {
  it('given the tuning every service applies at start, when a function runs hot, then V8 optimizes it in well under half the calls of its default', function () {
    this.timeout(20_000);

    const byDefault = callsUntilOptimized(false);
    const tuned = callsUntilOptimized(true);

    expect(byDefault).to.be.within(1, 999_999, 'the function is optimized at all by default');
    expect(tuned).to.be.greaterThan(0);
    expect(tuned).to.be.below(byDefault / 2);
  });
});
