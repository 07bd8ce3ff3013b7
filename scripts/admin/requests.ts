/** The admin API calls that carry out each command (the coordinator's `/admin/*` routes). */
import { ActionArgs, Command, StuckFilterArgs } from './commands';
import { defined } from './defined';

export type JsonBody = Record<string, string | number | boolean | string[]>;

export interface ApiRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: JsonBody;
}

/** The commands that are one request and its answer; the others are composed in run-*.ts. */
export type SimpleCommand = Extract<
  Command,
  {
    kind:
      | 'stuck'
      | 'dlq'
      | 'dlq-purge'
      | 'faults'
      | 'faults-add'
      | 'faults-clear'
      | 'steps'
      | 'steps-pause'
      | 'steps-resume';
  }
>;

export function simpleRequest(command: SimpleCommand): ApiRequest {
  switch (command.kind) {
    case 'stuck':
      return { method: 'GET', path: withQuery('/admin/sagas', stuckQuery(command)) };
    case 'dlq':
      return dlqListRequest();
    case 'dlq-purge':
      return { method: 'DELETE', path: `/admin/dlq/${segment(command.queue)}` };
    case 'faults':
      return { method: 'GET', path: '/admin/faults' };
    case 'faults-add':
      return { method: 'POST', path: '/admin/faults', body: { ...command.rule } };
    case 'faults-clear':
      return { method: 'DELETE', path: withQuery('/admin/faults', { id: command.id }) };
    case 'steps':
      return { method: 'GET', path: '/admin/steps' };
    case 'steps-pause':
    case 'steps-resume': {
      const action = command.kind === 'steps-pause' ? 'pause' : 'resume';
      const who = defined({ reason: command.reason, actor: command.actor }) as JsonBody;
      return { method: 'POST', path: `/admin/steps/${segment(command.step)}/${action}`, body: who };
    }
  }
}

export const orderRequest = (orderId: string): ApiRequest => ({
  method: 'GET',
  path: `/orders/${segment(orderId)}`,
});

export function sagaActionRequest(
  action: 'replay' | 'cancel',
  sagaId: string,
  args: ActionArgs,
): ApiRequest {
  return actionRequest(`/admin/sagas/${segment(sagaId)}/${action}`, args, {});
}

export function bulkReplayRequest(filter: StuckFilterArgs, args: ActionArgs): ApiRequest {
  const body = defined({
    step: filter.step,
    code: filter.code,
    min_age_seconds: filter.minAgeSeconds,
  }) as JsonBody;
  return actionRequest('/admin/sagas/replay', args, body);
}

export const dlqListRequest = (): ApiRequest => ({ method: 'GET', path: '/admin/dlq' });

/** Without ids every message of the queue is replayed; with ids only those. */
export function dlqReplayRequest(queue: string, messageIds?: readonly string[]): ApiRequest {
  const body: JsonBody = messageIds ? { message_ids: [...messageIds] } : {};
  return { method: 'POST', path: `/admin/dlq/${segment(queue)}/replay`, body };
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

function actionRequest(path: string, args: ActionArgs, body: JsonBody): ApiRequest {
  const who = defined({ reason: args.reason, actor: args.actor }) as JsonBody;
  const query = args.dryRun ? { dry_run: 'true' } : {};
  return { method: 'POST', path: withQuery(path, query), body: { ...body, ...who } };
}
