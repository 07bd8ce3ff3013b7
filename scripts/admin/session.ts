/** One run of the CLI against the coordinator: how it calls the API and how it prints. */
import { AdminClient, Outcome } from './client';
import { formatFailure } from './failures';
import { CliIo } from './io';
import { ApiRequest } from './requests';
import { View } from './view';

export interface Session {
  client: AdminClient;
  io: CliIo;
  view: View;
  /** Print the API's JSON instead of the human rendering. */
  json: boolean;
}

/** The JSON body of a successful call; otherwise the error is printed and undefined returned. */
export async function call<T>(session: Session, request: ApiRequest): Promise<T | undefined> {
  return accept<T>(session, await session.client.send(request));
}

export function accept<T>(session: Session, outcome: Outcome): T | undefined {
  if (outcome.kind === 'unreachable') return fail(session, outcome.error);
  const { answer } = outcome;
  if (!answer.ok) return fail(session, formatFailure(answer));
  if (!answer.json) {
    // A success that is not JSON came from some other server than the coordinator.
    const url = session.client.url;
    return fail(session, `error: the answer of ${url} is not JSON; is --url the coordinator?`);
  }
  return answer.body as T;
}

export function fail(session: Session, text: string): undefined {
  session.io.err(session.view.colors.red(text));
  return undefined;
}

export function show<T>(session: Session, body: T, human: (body: T) => string): void {
  session.io.out(session.json ? JSON.stringify(body, null, 2) : human(body));
}
