/**
 * Runtime fault rules: failures the workers inject while a rule is active (for drills and
 * tests). Add one with the form, remove one, or clear them all.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AdminApi } from '../../api/admin';
import type { FaultRule } from '../../api/types';
import { AdminGate, forgetRefusedToken } from '../../components/admin-gate';
import { Modal } from '../../components/dialog';
import { Empty, ErrorNotice, Loading } from '../../components/notice';
import { formatAge, formatAgo, formatDateTime } from '../../format';
import { useLoad, useNow, useTitle } from '../../hooks';
import { AddRuleForm } from './add-rule-form';

export function FaultsPage() {
  useTitle('Fault rules');
  return (
    <>
      <div class="page-head">
        <h1>Fault rules</h1>
        <p class="hint">
          While a rule is active, the workers of its target fail that way with its probability — to
          rehearse an outage and watch retries, dead letters and compensations happen.
        </p>
      </div>
      <AdminGate what="Fault injection">{(api) => <FaultRules api={api} />}</AdminGate>
    </>
  );
}

function FaultRules({ api }: { api: AdminApi }) {
  const list = useLoad(() => api.faults(), [api], 5_000);
  const [confirmClear, setConfirmClear] = useState(false);
  const [problem, setProblem] = useState<Error | undefined>();
  const now = useNow(1000);
  useEffect(() => forgetRefusedToken(list.error), [list.error]);
  const rules = list.data?.rules ?? [];
  const enabled = list.data?.fault_injection ?? false;

  const remove = async (rule: FaultRule) => {
    setProblem(undefined);
    try {
      await api.removeFault(rule.id);
    } catch (error) {
      forgetRefusedToken(error);
      setProblem(error as Error);
    }
    list.reload();
  };

  return (
    <>
      {list.data && !enabled && (
        <p class="notice notice-warning" role="status">
          Fault injection is off on this coordinator (<code>FAULT_INJECTION=off</code>): rules
          cannot be added.
        </p>
      )}
      <AddRuleForm api={api} disabled={!enabled} onAdded={list.reload} />
      <section class="card" aria-labelledby="rules-title">
        <div class="section-head">
          <h2 id="rules-title">Active rules</h2>
          <div class="spacer" />
          <button
            type="button"
            class="danger"
            disabled={rules.length === 0}
            onClick={() => setConfirmClear(true)}
          >
            Clear all…
          </button>
        </div>
        <ErrorNotice error={list.error ?? problem} action="manage the fault rules" />
        {!list.data && list.loading && <Loading what="fault rules" />}
        {list.data && rules.length === 0 && (
          <Empty>No rule is active: the workers behave normally.</Empty>
        )}
        {rules.length > 0 && (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Target</th>
                  <th scope="col">Mode</th>
                  <th scope="col" class="num">
                    Probability
                  </th>
                  <th scope="col">Limits</th>
                  <th scope="col">Added</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rules.map((rule) => (
                  <tr key={rule.id} data-rule={rule.id}>
                    <td>{rule.target}</td>
                    <td>
                      {rule.mode}
                      {rule.latency_ms !== undefined && (
                        <span class="hint"> · {rule.latency_ms} ms</span>
                      )}
                    </td>
                    <td class="num">{Math.round(rule.probability * 1000) / 10} %</td>
                    <td>{rule.count !== undefined ? `${rule.count} times at most` : '—'}</td>
                    <td title={formatDateTime(rule.created_at)}>
                      {formatAgo(rule.created_at, now)}
                    </td>
                    <td>
                      {rule.expires_at
                        ? `in ${formatAge((new Date(rule.expires_at).getTime() - now) / 1000)}`
                        : 'never'}
                    </td>
                    <td class="row-actions">
                      <button
                        type="button"
                        onClick={() => void remove(rule)}
                        aria-label={`Remove the ${rule.mode} rule on ${rule.target}`}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {confirmClear && (
        <Modal title="Clear every fault rule" onClose={() => setConfirmClear(false)}>
          <p>
            All {rules.length} rule{rules.length === 1 ? '' : 's'} go; the workers stop injecting
            failures within a couple of seconds.
          </p>
          <div class="buttons">
            <button type="button" onClick={() => setConfirmClear(false)}>
              Keep them
            </button>
            <button
              type="button"
              class="danger"
              onClick={async () => {
                try {
                  await api.clearFaults();
                } catch (error) {
                  forgetRefusedToken(error);
                  setProblem(error as Error);
                }
                setConfirmClear(false);
                list.reload();
              }}
            >
              Clear all rules
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}
