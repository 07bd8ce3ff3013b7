import { steps } from '../../sagas/contracts/envelope';
import { ruleModes } from '../../sagas/contracts/fault-rules';

export const usage = `usage: npm run admin -- <command> [options]

commands:
  stuck [--step S] [--code CODE] [--min-age SECONDS] [--limit N]
                                  list STUCK sagas with their diagnosis
  replay <saga_id> [--dry-run] [--reason TEXT] [--actor NAME]
                                  re-send the command a STUCK saga is waiting on
  replay --all [--step S] [--code CODE] [--min-age SECONDS] [--dry-run] [--reason] [--actor]
                                  replay every STUCK saga matching the filter
  cancel <saga_id> [--dry-run] [--reason TEXT] [--actor NAME]
                                  compensate a saga and end it
  dlq                             list the dead-letter queues and their messages
  dlq replay <queue> [--message ID ...]
                                  re-publish dead letters (all, or the given ids)
  dlq purge <queue> --yes         delete every message of a dead-letter queue
  faults                          list the runtime fault rules
  faults add --target S --mode M --probability P [--latency-ms N] [--count N] [--ttl SECONDS]
                                  add a fault rule (modes: ${ruleModes.join(', ')})
  faults clear [--id ID]          remove one fault rule, or all of them
  help                            print this text

S is one of ${steps.join(', ')}.

options of every command:
  --url URL       coordinator base URL (default http://127.0.0.1:$ORDER_SERVICE_PORT, port 8000)
  --token TOKEN   admin token (default $ADMIN_TOKEN, also read from .env)
  --json          print the JSON answer instead of a table`;

/** Thrown while parsing and turned into a `refuse` result, so parsing code stays linear. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** False when the message alone says what to do and the usage text would bury it. */
    readonly showUsage = true,
  ) {
    super(message);
  }
}
