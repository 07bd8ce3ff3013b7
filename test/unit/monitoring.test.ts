import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const monitoring = path.resolve(__dirname, '../../monitoring');
const promtoolPresent = spawnSync('promtool', ['--version']).status === 0;

interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: Array<{ expr?: string }>;
}

const dashboard = JSON.parse(
  readFileSync(path.join(monitoring, 'grafana-dashboard.json'), 'utf8'),
) as { uid: string; panels: Panel[] };
const dataPanels = dashboard.panels.filter((p) => p.type !== 'row');

/** Runs promtool in the monitoring folder; a failure shows promtool's own words. */
function promtool(...args: string[]): string {
  const run = spawnSync('promtool', args, { cwd: monitoring, encoding: 'utf8' });
  expect(run.status, `promtool ${args.join(' ')}:\n${run.stdout}${run.stderr}`).to.equal(0);
  return run.stdout;
}

describe('monitoring files', () => {
  it('monitoring, given the Grafana dashboard, when its panels are read, then each has a unique id and queries only order_saga_ series or up', () => {
    expect(dataPanels.length).to.be.greaterThan(10);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).to.equal(dashboard.panels.length);
    for (const panel of dataPanels) {
      const exprs = (panel.targets ?? []).map((t) => t.expr ?? '');
      expect(exprs, `${panel.title} queries`).to.have.length.greaterThan(0);
      for (const expr of exprs) expect(expr, panel.title).to.match(/\border_saga_|\bup\{/);
    }
  });

  describe('with promtool', function () {
    before(function () {
      // CI installs promtool (.ci/run); a laptop without it skips these rather than fail.
      if (!promtoolPresent) this.skip();
    });

    it('monitoring, given the alerting rules, when promtool checks them, then they are valid', () => {
      expect(promtool('check', 'rules', 'prometheus-rules.yml')).to.include('SUCCESS');
    });

    it('monitoring, given the rules unit tests, when promtool runs them, then every alert fires as expected', () => {
      expect(promtool('test', 'rules', 'prometheus-rules.test.yml')).to.include('SUCCESS');
    });

    it('monitoring, given the example Prometheus configuration, when promtool checks it, then it is valid', () => {
      expect(promtool('check', 'config', 'prometheus.yml')).to.include('SUCCESS');
    });

    it('monitoring, given every dashboard query, when promtool parses it as a rule, then it is valid PromQL', () => {
      // Grafana's range variables are not PromQL; they stand for durations at query time.
      const exprs = dataPanels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
      const rules = exprs.map((expr, i) => ({
        record: `dashboard:query_${i}`,
        expr: expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '1h'),
      }));
      const dir = mkdtempSync(path.join(os.tmpdir(), 'dashboard-queries-'));
      const file = path.join(dir, 'queries.yml');
      // JSON is YAML: promtool reads the rules file as written.
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
      let out: string;
      try {
        out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect(out).to.include(`SUCCESS: ${rules.length} rules found`);
    });
  });
});
