/** The one-line error an operator sees when the API refuses a request or cannot be reached. */
import { oneLine } from './table';

const MAX_BODY_SHOWN = 200;

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
  const detail = problem ? problem.detail : typeof body === 'string' ? shorten(body) : '';
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

/** A non-JSON error body (an HTML page from a proxy, say) is shown as its start, on one line. */
function shorten(text: string): string {
  const flat = oneLine(text);
  return flat.length <= MAX_BODY_SHOWN ? flat : `${flat.slice(0, MAX_BODY_SHOWN - 1)}…`;
}
