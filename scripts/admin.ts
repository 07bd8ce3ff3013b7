/**
 * `npm run admin -- <command> [options]`: the operator's CLI over the coordinator's admin API
 * (stuck sagas, replay, cancel, dead letters, fault rules). Run `npm run admin -- help`.
 *
 * Exit codes: 0 done, 1 the API answered with an error or could not be reached, 2 usage error
 * (unknown command or option, missing token, purge without --yes).
 *
 * Parsing, request building and formatting live under admin/ and are pure; this file only does
 * the I/O. It reads .env itself instead of lib/config.ts, which would demand the whole service
 * configuration.
 */
import { config } from 'dotenv';
import { parseArgs } from './admin/args';
import { Settings } from './admin/commands';
import { describeFetchError, formatFailure } from './admin/failures';
import { renderAnswer } from './admin/render';
import { ApiRequest, buildRequest } from './admin/requests';
import { usage } from './admin/usage';

config({ quiet: true });

const REQUEST_TIMEOUT_MS = 30_000;

interface Answer {
  ok: boolean;
  status: number;
  statusText: string;
  /** The parsed JSON, or the raw text when the answer is not JSON. */
  body: unknown;
  json: boolean;
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs(argv, process.env);
  if (parsed.kind === 'help') {
    console.log(usage);
    return 0;
  }
  if (parsed.kind === 'refuse') {
    console.error(`error: ${parsed.message}`);
    if (parsed.showUsage) console.error(`\n${usage}`);
    return 2;
  }
  const { command, settings } = parsed;
  const answer = await send(settings, buildRequest(command));
  if (typeof answer === 'string' || !answer.ok) {
    console.error(typeof answer === 'string' ? answer : formatFailure(answer));
    return 1;
  }
  if (!answer.json) {
    // A success that is not JSON came from some other server than the coordinator.
    console.error(`error: the answer of ${settings.url} is not JSON; is --url the coordinator?`);
    return 1;
  }
  console.log(
    settings.json ? JSON.stringify(answer.body, null, 2) : renderAnswer(command, answer.body),
  );
  return 0;
}

/** The answer, or the error line when no answer came. */
async function send(settings: Settings, request: ApiRequest): Promise<Answer | string> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${settings.token}`,
    accept: 'application/json',
  };
  if (request.body) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(`${settings.url}${request.path}`, {
      method: request.method,
      headers,
      ...(request.body ? { body: JSON.stringify(request.body) } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const { ok, status, statusText } = response;
    return { ok, status, statusText, ...parseBody(await response.text()) };
  } catch (error) {
    return describeFetchError(settings.url, error);
  }
}

function parseBody(text: string): { body: unknown; json: boolean } {
  try {
    return { body: JSON.parse(text) as unknown, json: true };
  } catch {
    return { body: text, json: false };
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
