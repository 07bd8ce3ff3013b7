/** Maps each Command onto the admin API call that carries it out (SPEC §4 `/admin/*`). */
import { ActionArgs, Command, StuckFilterArgs } from './commands';
import { defined } from './defined';

export type JsonBody = Record<string, string | number | boolean | string[]>;

export interface ApiRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: JsonBody;
}

export function buildRequest(command: Command): ApiRequest {
  switch (command.kind) {
    case 'stuck':
      return { method: 'GET', path: withQuery('/admin/sagas', stuckQuery(command)) };
    case 'replay':
    case 'cancel':
      return actionRequest(`/admin/sagas/${segment(command.sagaId)}/${command.kind}`, command, {});
    case 'replay-all':
      return actionRequest('/admin/sagas/replay', command, filterBody(command));
    case 'dlq':
      return { method: 'GET', path: '/admin/dlq' };
    case 'dlq-replay':
      return dlqReplayRequest(command.queue, command.messageIds);
    case 'dlq-purge':
      return { method: 'DELETE', path: `/admin/dlq/${segment(command.queue)}` };
    case 'faults':
      return { method: 'GET', path: '/admin/faults' };
    case 'faults-add':
      return { method: 'POST', path: '/admin/faults', body: { ...command.rule } };
    case 'faults-clear':
      return { method: 'DELETE', path: withQuery('/admin/faults', { id: command.id }) };
  }
}

const segment = (value: string): string => encodeURIComponent(value);

function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

function stuckQuery(command: StuckFilterArgs & { limit?: number }) {
  return {
    status: 'STUCK',
    step: command.step,
    code: command.code,
    min_age_seconds: command.minAgeSeconds,
    limit: command.limit,
  };
}

function filterBody(command: StuckFilterArgs): JsonBody {
  return defined({
    step: command.step,
    code: command.code,
    min_age_seconds: command.minAgeSeconds,
  }) as JsonBody;
}

function actionRequest(path: string, command: ActionArgs, body: JsonBody): ApiRequest {
  const who = defined({ reason: command.reason, actor: command.actor }) as JsonBody;
  const query = command.dryRun ? { dry_run: 'true' } : {};
  return { method: 'POST', path: withQuery(path, query), body: { ...body, ...who } };
}

function dlqReplayRequest(queue: string, messageIds: string[]): ApiRequest {
  // An empty body means "every message"; an empty id list would mean "none".
  const body: JsonBody = messageIds.length > 0 ? { message_ids: messageIds } : {};
  return { method: 'POST', path: `/admin/dlq/${segment(queue)}/replay`, body };
}
