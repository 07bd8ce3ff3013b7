/** One run of the CLI against the coordinator: how it calls the API and how it prints. */
import { AdminClient, Outcome } from './client';
import { formatFailure } from './failures';
import { CliIo } from './io';
import { ApiRequest } from './requests';
import { View } from './view';

export interface CliRun {
  client: AdminClient;
  io: CliIo;
  view: View;
  /** Print the API's JSON instead of the human rendering. */
  json: boolean;
}

/** The JSON body of a successful call; otherwise the error is printed and undefined returned. */
export async function call<T>(run: CliRun, request: ApiRequest): Promise<T | undefined> {
  return accept<T>(run, await run.client.send(request));
}

export function accept<T>(run: CliRun, outcome: Outcome): T | undefined {
  if (outcome.kind === 'unreachable') return fail(run, outcome.error);
  const { answer } = outcome;
  if (!answer.ok) return fail(run, formatFailure(answer));
  if (!answer.json) {
    // A success that is not JSON came from some other server than the coordinator.
    const url = run.client.url;
    return fail(run, `error: the answer of ${url} is not JSON; is --url the coordinator?`);
  }
  return answer.body as T;
}

export function fail(run: CliRun, text: string): undefined {
  run.io.err(run.view.colors.red(text));
  return undefined;
}

export function show<T>(run: CliRun, body: T, human: (body: T) => string): void {
  run.io.out(run.json ? JSON.stringify(body, null, 2) : human(body));
}
