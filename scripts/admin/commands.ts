/**
 * What `parseArgs` produces: the command the operator asked for and the settings to send it
 * with. Parsing, request building and rendering all meet on these types.
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
  | ({ kind: 'replay' | 'cancel'; sagaId: string } & ActionArgs)
  | ({ kind: 'replay-all' } & StuckFilterArgs & ActionArgs)
  | { kind: 'dlq' }
  | { kind: 'dlq-replay'; queue: string; messageIds: string[] }
  | { kind: 'dlq-purge'; queue: string }
  | { kind: 'faults' }
  // The rule keeps the API's field names, so it is sent as it is.
  | { kind: 'faults-add'; rule: FaultRuleRequest }
  | { kind: 'faults-clear'; id?: string };

export interface Settings {
  url: string;
  token: string;
  json: boolean;
}

export type ParseResult =
  | { kind: 'help' }
  | { kind: 'run'; command: Command; settings: Settings }
  | { kind: 'refuse'; message: string; showUsage: boolean };

export interface CliEnv {
  ADMIN_TOKEN?: string;
  ORDER_SERVICE_PORT?: string;
}
