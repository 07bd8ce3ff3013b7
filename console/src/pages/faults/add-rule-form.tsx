/** The form for one fault rule; the API validates it and answers each problem by name. */
import { useState } from 'preact/hooks';
import { steps } from '../../../../sagas/contracts/envelope';
import { ruleModes } from '../../../../sagas/contracts/fault-rules';
import type { AdminApi } from '../../api/admin';
import type { FaultRule, FaultRuleRequest } from '../../api/types';
import { forgetRefusedToken } from '../../components/admin-gate';
import { ErrorNotice } from '../../components/notice';

interface Draft {
  target: string;
  mode: string;
  probability: string;
  latency_ms: string;
  count: string;
  ttl_seconds: string;
}

const initialDraft: Draft = {
  target: 'payment',
  mode: 'error',
  probability: '0.2',
  latency_ms: '500',
  count: '',
  ttl_seconds: '300',
};

export function AddRuleForm({
  api,
  disabled,
  onAdded,
}: {
  api: AdminApi;
  disabled: boolean;
  onAdded: () => void;
}) {
  const [draft, setDraft] = useState(initialDraft);
  const [error, setError] = useState<Error | undefined>();
  const [added, setAdded] = useState<FaultRule | undefined>();
  const set = (field: keyof Draft) => (e: Event) =>
    setDraft({
      ...draft,
      [field]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value,
    });

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
    const rule = {
      target: draft.target,
      mode: draft.mode,
      probability: Number(draft.probability),
      latency_ms: draft.mode === 'latency' ? number(draft.latency_ms) : undefined,
      count: number(draft.count),
      ttl_seconds: number(draft.ttl_seconds),
    } as FaultRuleRequest;
    try {
      setAdded(await api.addFault(rule));
      onAdded();
    } catch (failure) {
      forgetRefusedToken(failure);
      setError(failure as Error);
    }
  };

  return (
    <form class="card filters" aria-labelledby="add-rule-title" onSubmit={submit}>
      <h2 id="add-rule-title" class="form-title">
        Add a rule
      </h2>
      <fieldset disabled={disabled} class="fields">
        <div class="field">
          <label for="rule-target">Target</label>
          <select id="rule-target" value={draft.target} onChange={set('target')}>
            {steps.map((step) => (
              <option key={step} value={step}>
                {step}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="rule-mode">Mode</label>
          <select id="rule-mode" value={draft.mode} onChange={set('mode')}>
            {ruleModes.map((mode) => (
              <option key={mode} value={mode}>
                {mode}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="rule-probability">Probability (0–1)</label>
          <input
            id="rule-probability"
            type="number"
            min={0}
            max={1}
            step={0.01}
            required
            value={draft.probability}
            onInput={set('probability')}
          />
        </div>
        {draft.mode === 'latency' && (
          <div class="field">
            <label for="rule-latency">Latency (ms)</label>
            <input
              id="rule-latency"
              type="number"
              min={0}
              max={600000}
              step={1}
              required
              value={draft.latency_ms}
              onInput={set('latency_ms')}
            />
          </div>
        )}
        <div class="field">
          <label for="rule-count">At most (times)</label>
          <input
            id="rule-count"
            type="number"
            min={1}
            step={1}
            placeholder="no limit"
            value={draft.count}
            onInput={set('count')}
          />
        </div>
        <div class="field">
          <label for="rule-ttl">Expires after (s)</label>
          <input
            id="rule-ttl"
            type="number"
            min={1}
            max={86400}
            step="any"
            placeholder="never"
            value={draft.ttl_seconds}
            onInput={set('ttl_seconds')}
          />
        </div>
        <button type="submit" class="primary">
          Add rule
        </button>
      </fieldset>
      <ErrorNotice error={error} action="add the rule" />
      {added && !error && (
        <p class="notice notice-success" role="status">
          Added: {added.mode} on {added.target}, probability {added.probability}.
        </p>
      )}
    </form>
  );
}
