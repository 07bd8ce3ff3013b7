/** The admin API, each call with the operator's token (see auth/token.ts). */
import { requestJson } from './http';
import type {
  ActionResult,
  BulkActionResult,
  DeadLetterQueue,
  DeadLetterReplay,
  FaultRule,
  FaultRuleList,
  FaultRuleRequest,
  StuckPage,
} from './types';

export type SagaAction = 'replay' | 'cancel';

export interface StuckFilter {
  step?: string;
  code?: string;
  min_age_seconds?: number;
}

export interface ActionWords {
  actor: string;
  reason: string;
}

const dryRun = (preview: boolean) => (preview ? '?dry_run=true' : '');

export function adminApi(token: string) {
  const call = <T>(
    path: string,
    init: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown } = {},
  ) => requestJson<T>(path, { ...init, token });
  return {
    stuck(filter: StuckFilter & { limit?: number; cursor?: string }) {
      const search = new URLSearchParams({ status: 'STUCK' });
      for (const [name, value] of Object.entries(filter)) {
        if (value !== undefined && value !== '') search.set(name, String(value));
      }
      return call<StuckPage>(`/admin/sagas?${search.toString()}`);
    },
    /** A dry run answers with the commands the action would send, and sends nothing. */
    act(sagaId: string, action: SagaAction, words: ActionWords, preview: boolean) {
      return call<ActionResult>(
        `/admin/sagas/${encodeURIComponent(sagaId)}/${action}${dryRun(preview)}`,
        { method: 'POST', body: words },
      );
    },
    replayMatching(filter: StuckFilter, words: ActionWords, preview: boolean) {
      return call<BulkActionResult>(`/admin/sagas/replay${dryRun(preview)}`, {
        method: 'POST',
        body: { ...filter, ...words },
      });
    },
    deadLetters: () => call<{ queues: DeadLetterQueue[] }>('/admin/dlq'),
    replayDeadLetters: (queue: string, messageIds: string[]) =>
      call<DeadLetterReplay>(`/admin/dlq/${encodeURIComponent(queue)}/replay`, {
        method: 'POST',
        body: { message_ids: messageIds },
      }),
    purgeDeadLetters: (queue: string) =>
      call<{ queue: string; purged: number }>(`/admin/dlq/${encodeURIComponent(queue)}`, {
        method: 'DELETE',
      }),
    faults: () => call<FaultRuleList>('/admin/faults'),
    addFault: (rule: FaultRuleRequest) =>
      call<FaultRule>('/admin/faults', { method: 'POST', body: rule }),
    removeFault: (id: string) =>
      call<{ removed: number }>(`/admin/faults?id=${encodeURIComponent(id)}`, {
        method: 'DELETE',
      }),
    clearFaults: () => call<{ removed: number }>('/admin/faults', { method: 'DELETE' }),
  };
}

export type AdminApi = ReturnType<typeof adminApi>;
