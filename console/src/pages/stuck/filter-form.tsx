/** Which STUCK sagas to list (and to replay all at once): by step, reason code and age. */
import { useState } from 'preact/hooks';
import type { StuckFilter } from '../../api/admin';
import { formatAge } from '../../format';

export function describeFilter(filter: StuckFilter): string {
  const parts = [
    filter.step && `at ${filter.step}`,
    filter.code && `with code ${filter.code}`,
    filter.min_age_seconds !== undefined && `stuck ${formatAge(filter.min_age_seconds)} or more`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : '(no filter: all of them)';
}

export function FilterForm({
  onApply,
  onReplayMatching,
}: {
  onApply: (filter: StuckFilter) => void;
  onReplayMatching: () => void;
}) {
  const [draft, setDraft] = useState<StuckFilter>({});
  return (
    <form
      class="card filters"
      aria-label="Filter stuck sagas"
      onSubmit={(e) => {
        e.preventDefault();
        onApply({ ...draft });
      }}
    >
      <div class="field">
        <label for="stuck-step">Step</label>
        <select
          id="stuck-step"
          value={draft.step ?? ''}
          onChange={(e) => setDraft({ ...draft, step: e.currentTarget.value || undefined })}
        >
          <option value="">any</option>
          <option value="payment">payment</option>
          <option value="inventory">inventory</option>
          <option value="shipping">shipping</option>
        </select>
      </div>
      <div class="field">
        <label for="stuck-code">Reason code</label>
        <input
          id="stuck-code"
          value={draft.code ?? ''}
          maxLength={64}
          placeholder="e.g. SIMULATED_ERROR"
          onInput={(e) => setDraft({ ...draft, code: e.currentTarget.value.trim() || undefined })}
        />
      </div>
      <div class="field">
        <label for="stuck-age">Stuck for at least (minutes)</label>
        <input
          id="stuck-age"
          type="number"
          min={0}
          step="any"
          value={draft.min_age_seconds === undefined ? '' : draft.min_age_seconds / 60}
          onInput={(e) => {
            const minutes = e.currentTarget.valueAsNumber;
            setDraft({
              ...draft,
              min_age_seconds: Number.isFinite(minutes) ? minutes * 60 : undefined,
            });
          }}
        />
      </div>
      <button type="submit">Apply filter</button>
      <div class="spacer" />
      <button type="button" class="primary" onClick={onReplayMatching}>
        Replay all matching…
      </button>
    </form>
  );
}
