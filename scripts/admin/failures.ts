/** The one-line error an operator sees when the API refuses a request or cannot be reached. */
import { truncate } from './table';

/** RFC 9457 problem details, as the coordinator answers every error. */
interface Problem {
  title: string;
  status?: number;
  detail?: string;
  errors?: string[];
}

function isProblem(body: unknown): body is Problem {
  return (
    typeof body === 'object' && body !== null && typeof Reflect.get(body, 'title') === 'string'
  );
}

/** `error: <status> <title>: <detail>`, plus any validation error the detail does not repeat. */
export function formatFailure(answer: {
  status: number;
  statusText: string;
  body: unknown;
}): string {
  const { status, statusText, body } = answer;
  const problem = isProblem(body) ? body : undefined;
  const title = problem?.title ?? statusText;
  const detail = problem ? problem.detail : typeof body === 'string' ? truncate(body, 200) : '';
  const head = `error: ${status} ${title}${detail ? `: ${detail}` : ''}`;
  const extra = (problem?.errors ?? []).filter((e) => !detail?.includes(e)).map((e) => `  - ${e}`);
  return [head, ...extra].join('\n');
}

/** fetch only says "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND…) is on its cause. */
export function describeFetchError(url: string, error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return `error: no answer from ${url} in time`;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null ? Reflect.get(cause, 'code') : undefined;
  const reason =
    typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
  return `error: cannot reach ${url} (${reason}); is the coordinator running?`;
}
