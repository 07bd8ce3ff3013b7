/** The coordinator's HTTP API as the CLI sees it: one request, one answer or one error line. */
import { describeFetchError } from './failures';
import { ApiRequest } from './requests';

const REQUEST_TIMEOUT_MS = 30_000;

export interface Answer {
  ok: boolean;
  status: number;
  statusText: string;
  /** The parsed JSON, or the raw text when the answer is not JSON. */
  body: unknown;
  json: boolean;
}

export type Outcome = { kind: 'answer'; answer: Answer } | { kind: 'unreachable'; error: string };

export class AdminClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async send(request: ApiRequest): Promise<Outcome> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept: 'application/json',
    };
    if (request.body) headers['content-type'] = 'application/json';
    try {
      const response = await fetch(`${this.url}${request.path}`, {
        method: request.method,
        headers,
        ...(request.body ? { body: JSON.stringify(request.body) } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const { ok, status, statusText } = response;
      const answer = { ok, status, statusText, ...parseBody(await response.text()) };
      return { kind: 'answer', answer };
    } catch (error) {
      return { kind: 'unreachable', error: describeFetchError(this.url, error) };
    }
  }
}

function parseBody(text: string): { body: unknown; json: boolean } {
  try {
    return { body: JSON.parse(text) as unknown, json: true };
  } catch {
    return { body: text, json: false };
  }
}
