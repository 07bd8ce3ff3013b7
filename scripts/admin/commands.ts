/**
 * What the command line asks for: the command, typed and checked, and the settings to send it
 * with. Parsing, running and rendering all meet on these types.
 */
import { Step } from '../../sagas/contracts/envelope';
import { FaultRuleRequest } from '../../sagas/contracts/fault-rules';

export interface StuckFilterArgs {
  step?: Step;
  code?: string;
  minAgeSeconds?: number;
}

export interface ActionArgs {
  dryRun: boolean;
  reason?: string;
  actor?: string;
}

export type Command =
  | ({ kind: 'stuck'; limit?: number } & StuckFilterArgs)
  /** `target` is a saga id or an order id; which one is settled against the API. */
  | ({ kind: 'replay' | 'cancel'; target: string } & ActionArgs)
  /** `confirmed`: --yes was given, so no question is asked. */
  | ({ kind: 'replay-all'; confirmed: boolean } & StuckFilterArgs & ActionArgs)
  | { kind: 'dlq' }
  | { kind: 'dlq-replay'; queue: string; messageIds: string[]; includeObsolete: boolean }
  | { kind: 'dlq-purge'; queue: string }
  | { kind: 'faults' }
  // The rule keeps the API's field names, so it is sent as it is.
  | { kind: 'faults-add'; rule: FaultRuleRequest }
  | { kind: 'faults-clear'; id?: string }
  | { kind: 'steps' }
  | { kind: 'steps-pause' | 'steps-resume'; step: Step; reason?: string; actor?: string };

export interface Settings {
  url: string;
  token: string;
  json: boolean;
  /** Free text whole on one line instead of wrapped to the terminal. */
  wide: boolean;
}
