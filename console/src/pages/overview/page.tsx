/**
 * The pipeline at a glance, from the coordinator's own metrics (scraped every few seconds while
 * the page is open): throughput, end-to-end latency, outcomes, retries, dead letters, and the
 * oldest STUCK saga (from the admin API, for a signed-in operator).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { adminApi } from '../../api/admin';
import { requestText } from '../../api/http';
import { getCounts } from '../../api/orders';
import { useAdminToken } from '../../auth/token';
import { consolePath } from '../../components/links';
import { ErrorNotice } from '../../components/notice';
import { Sparkline } from '../../components/sparkline';
import { formatAge, formatCount, formatDuration } from '../../format';
import { useLoad, useTitle } from '../../hooks';
import {
  MetricsSnapshot,
  Rates,
  ratesBetween,
  ratesSinceStart,
  readSnapshot,
} from '../../metrics/overview';
import { parsePrometheus } from '../../metrics/prometheus';
import { Big, Outcomes, Retries, Tile } from './tiles';

const SCRAPE_MS = 5_000;
const HISTORY = 60;
const inFlight = ['PENDING', 'PAYMENT_AUTHORIZED', 'INVENTORY_RESERVED', 'COMPENSATING'];

export function OverviewPage() {
  useTitle('Overview');
  const token = useAdminToken();
  const scrape = useLoad(
    async (signal) =>
      readSnapshot(parsePrometheus(await requestText('/metrics', signal)), Date.now()),
    [],
    SCRAPE_MS,
  );
  const counts = useLoad((signal) => getCounts(signal), [], SCRAPE_MS);
  const oldestStuck = useLoad(
    async () =>
      token ? ((await adminApi(token).stuck({ limit: 1 })).sagas[0] ?? null) : undefined,
    [token],
    SCRAPE_MS,
  );
  const history = useHistory(scrape.data);
  const latest = scrape.data;
  const recent = history.at(-1);
  const rates = recent ?? (latest ? ratesSinceStart(latest) : undefined);

  return (
    <>
      <div class="page-head">
        <h1>Overview</h1>
        <p class="hint">
          From the coordinator's metrics, read every {SCRAPE_MS / 1000} s while this page is open.
          Totals count since the coordinator started.
        </p>
      </div>
      <ErrorNotice error={scrape.error} action="read the metrics" />
      <div class="tiles">
        <Tile title="Throughput" id="tile-throughput">
          <Big value={rates ? rates.endedPerSecond.toFixed(1) : '…'} unit="sagas ended / s" />
          <p class="hint">
            {rates ? `${rates.startedPerSecond.toFixed(1)} started / s · ` : ''}
            {recent
              ? `over the last ${SCRAPE_MS / 1000} s`
              : 'average since the coordinator started'}
          </p>
          <Sparkline
            values={history.map((r) => r.endedPerSecond)}
            label="Sagas ended per second, recent readings"
          />
        </Tile>
        <Tile title="Latency, order to completion" id="tile-latency">
          {latest?.latency ? (
            <dl class="quantiles">
              {(['p50', 'p95', 'p99'] as const).map((q) => (
                <div key={q}>
                  <dt>{q}</dt>
                  <dd>{formatDuration(latest.latency![q] * 1000)}</dd>
                </div>
              ))}
            </dl>
          ) : (
            <p class="empty">No completed order yet.</p>
          )}
        </Tile>
        <Tile title="Outcomes" id="tile-outcomes">
          <Outcomes latest={latest} counts={counts.data?.counts} />
        </Tile>
        <Tile title="Retries" id="tile-retries">
          <Retries latest={latest} />
        </Tile>
        <Tile title="Dead letters" id="tile-dead-letters">
          <Big
            value={latest ? formatCount(latest.deadLetters.reduce((n, d) => n + d.depth, 0)) : '…'}
            unit="messages"
          />
          <ul class="depths">
            {latest?.deadLetters.map((d) => (
              <li key={d.queue} class={d.depth > 0 ? 'warn' : ''}>
                <span class="mono">{d.queue}</span> <strong>{formatCount(d.depth)}</strong>
              </li>
            ))}
          </ul>
          <a href={consolePath('/dead-letters')}>Open the dead letters</a>
        </Tile>
        <Tile title="Oldest stuck saga" id="tile-oldest-stuck">
          {!token ? (
            <p class="hint">
              <a href={consolePath('/stuck')}>Sign in</a> with the admin token to see it.
            </p>
          ) : oldestStuck.data === null ? (
            <Big value="none" unit="nothing is stuck" />
          ) : oldestStuck.data ? (
            <>
              <Big value={formatAge(oldestStuck.data.age_seconds)} unit="stuck" />
              <p class="hint">
                <a
                  href={consolePath(`/orders/${encodeURIComponent(oldestStuck.data.order_id)}`)}
                  class="mono"
                >
                  {oldestStuck.data.order_id}
                </a>{' '}
                at {oldestStuck.data.step ?? '?'} — {oldestStuck.data.diagnosis}
              </p>
              <a href={consolePath('/stuck')}>Open the stuck sagas</a>
            </>
          ) : (
            <p class="hint">…</p>
          )}
        </Tile>
        <Tile title="Queues" id="tile-queues">
          <ul class="depths">
            {latest?.queues.map((d) => (
              <li key={d.queue}>
                <span class="mono">{d.queue}</span> <strong>{formatCount(d.depth)}</strong>
              </li>
            ))}
          </ul>
          <p class="hint">
            {latest ? `${latest.waitingClients} clients waiting on an outcome` : ''}
          </p>
        </Tile>
      </div>
      {counts.data && (
        <p class="hint">
          In flight now:{' '}
          {formatCount(inFlight.reduce((n, s) => n + (counts.data!.counts[s] ?? 0), 0))} ·{' '}
          <a href={consolePath('/orders')}>all orders</a>
        </p>
      )}
    </>
  );
}

/** Rates between consecutive readings, the last HISTORY of them. */
function useHistory(latest: MetricsSnapshot | undefined): Rates[] {
  const previous = useRef<MetricsSnapshot | undefined>(undefined);
  const [rates, setRates] = useState<Rates[]>([]);
  useEffect(() => {
    if (!latest || latest === previous.current) return;
    const before = previous.current;
    previous.current = latest;
    const rate = before ? ratesBetween(before, latest) : undefined;
    if (rate) setRates((list) => [...list.slice(-(HISTORY - 1)), rate]);
  }, [latest]);
  return rates;
}
