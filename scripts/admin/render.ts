/**
 * Human output for the answer of a one-request command. The body is trusted to have the
 * documented shape: it comes from the coordinator this CLI is written against, and `--json`
 * shows it unformatted.
 */
import { FaultRule } from '../../sagas/contracts/fault-rules';
import { DlqAnswer, DlqPurgeAnswer, describePurge, renderDlq } from './render-dlq';
import {
  FaultsAnswer,
  FaultsClearAnswer,
  describeAddedRule,
  describeCleared,
  renderFaults,
} from './render-faults';
import { StuckAnswer, renderStuck } from './render-sagas';
import { StepAnswer, describeStep, renderSteps } from './render-steps';
import { SimpleCommand } from './requests';
import { View } from './view';

export function renderAnswer(command: SimpleCommand, body: unknown, view: View): string {
  switch (command.kind) {
    case 'stuck':
      return renderStuck(body as StuckAnswer, view);
    case 'dlq':
      return renderDlq(body as DlqAnswer, view);
    case 'dlq-purge':
      return describePurge(body as DlqPurgeAnswer);
    case 'faults':
      return renderFaults(body as FaultsAnswer, view);
    case 'faults-add':
      return describeAddedRule(body as FaultRule, view);
    case 'faults-clear':
      return describeCleared(body as FaultsClearAnswer);
    case 'steps':
      return renderSteps(body as { steps: StepAnswer[] }, view);
    case 'steps-pause':
    case 'steps-resume':
      return describeStep(body as StepAnswer, view);
  }
}
