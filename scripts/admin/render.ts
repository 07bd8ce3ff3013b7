/**
 * Human output for a successful answer, chosen by the command that asked for it. The body is
 * trusted to have the documented shape: it comes from the coordinator this CLI is written
 * against, and `--json` shows it unformatted.
 */
import { FaultRule } from '../../sagas/contracts/fault-rules';
import { Command } from './commands';
import {
  DlqAnswer,
  DlqPurgeAnswer,
  DlqReplayAnswer,
  describeDlqReplay,
  describePurge,
  renderDlq,
} from './render-dlq';
import {
  FaultsAnswer,
  FaultsClearAnswer,
  describeAddedRule,
  describeCleared,
  renderFaults,
} from './render-faults';
import {
  ActionResult,
  BulkAnswer,
  StuckAnswer,
  describeAction,
  renderBulk,
  renderStuck,
} from './render-sagas';

export function renderAnswer(command: Command, body: unknown): string {
  switch (command.kind) {
    case 'stuck':
      return renderStuck(body as StuckAnswer);
    case 'replay':
    case 'cancel':
      return describeAction(command.kind, body as ActionResult);
    case 'replay-all':
      return renderBulk(body as BulkAnswer);
    case 'dlq':
      return renderDlq(body as DlqAnswer);
    case 'dlq-replay':
      return describeDlqReplay(body as DlqReplayAnswer);
    case 'dlq-purge':
      return describePurge(body as DlqPurgeAnswer);
    case 'faults':
      return renderFaults(body as FaultsAnswer);
    case 'faults-add':
      return describeAddedRule(body as FaultRule);
    case 'faults-clear':
      return describeCleared(body as FaultsClearAnswer);
  }
}
