/**
 * Replay and cancel, for one saga or many. Both go through the saga runner like any other
 * event, so they are recorded on the timeline (ADMIN_REPLAY / ADMIN_CANCEL with actor and
 * reason) and their commands leave through the outbox. A dry run decides the same event on the
 * stored snapshot and answers with the commands it would send, writing nothing.
 */
import { randomUUID } from 'node:crypto';
import { Database } from '../../lib/db';
import { OperatorEvent } from '../../sagas/order/machine';
import { StoredSaga, decide } from '../../sagas/order/decide';
import { SagaRunner } from '../saga-runner';
import { StuckFilter, listStuckSagas } from './stuck-sagas';

export type OperatorAction = 'replay' | 'cancel';

export interface ActionRequest {
  actor: string;
  reason: string;
  dryRun: boolean;
}

export interface ActionResult {
  saga_id: string;
  order_id: string;
  result: 'applied' | 'dry_run' | 'rejected';
  status: string;
  commands: Array<{ command: string; command_id: string; step: string; attempt: number }>;
  detail?: string;
}

const MAX_BULK = 1_000;

export class OperatorActions {
  constructor(
    private readonly db: Database,
    private readonly runner: SagaRunner,
  ) {}

  /** Undefined when the saga does not exist. */
  async act(
    sagaId: string,
    action: OperatorAction,
    request: ActionRequest,
  ): Promise<ActionResult | undefined> {
    const [result] = await this.actOnMany([sagaId], action, request);
    return result;
  }

  /** Replays every STUCK saga matching the filter (at most 1,000 per call). */
  async replayStuck(
    filter: Omit<StuckFilter, 'limit' | 'after'>,
    request: ActionRequest,
  ): Promise<ActionResult[]> {
    const { sagas } = await listStuckSagas(this.db, { ...filter, limit: MAX_BULK });
    return this.actOnMany(
      sagas.map((s) => s.saga_id),
      'replay',
      request,
    );
  }

  /** Acts on several sagas in one transaction; unknown ids are left out of the results. */
  async actOnMany(
    sagaIds: string[],
    action: OperatorAction,
    request: ActionRequest,
  ): Promise<ActionResult[]> {
    if (sagaIds.length === 0) return [];
    const rows: Array<{ saga_id: string; order_id: string; status: string; snapshot: StoredSaga }> =
      await this.db('sagas')
        .select('saga_id', 'order_id', 'status', 'snapshot')
        .whereIn('saga_id', sagaIds);
    const event: OperatorEvent = {
      type: action === 'replay' ? 'operator.replay' : 'operator.cancel',
      data: { actor: request.actor, reason: request.reason },
    };
    const planned = rows.map((row) => ({ row, ...preview(row.snapshot, event) }));
    const accepted = planned.filter((p) => p.commands !== undefined);
    const outcomes =
      request.dryRun || accepted.length === 0
        ? []
        : await this.runner.handle(
            accepted.map((p) => ({
              messageId: `admin:${randomUUID()}`,
              sagaId: p.row.saga_id,
              event,
            })),
          );
    const applied = new Map(accepted.map((p, i) => [p.row.saga_id, outcomes[i]]));
    return planned.map(({ row, commands, detail }): ActionResult => {
      const base = {
        saga_id: row.saga_id,
        order_id: row.order_id,
        status: row.status,
        commands: commands ?? [],
      };
      if (!commands)
        return {
          ...base,
          result: 'rejected',
          detail: detail ?? `not possible while ${row.status}`,
        };
      if (request.dryRun) return { ...base, result: 'dry_run' };
      // The saga moved between the preview and the transaction: nothing was done.
      if (applied.get(row.saga_id) !== 'applied') {
        return {
          ...base,
          commands: [],
          result: 'rejected',
          detail: 'the saga changed meanwhile; try again',
        };
      }
      return { ...base, result: 'applied' };
    });
  }
}

function preview(
  snapshot: StoredSaga,
  event: OperatorEvent,
): { commands?: ActionResult['commands']; detail?: string } {
  try {
    const decision = decide(snapshot, event);
    if (!decision.accepted) return {};
    return {
      commands: decision.commands.map((c) => ({
        command: c.type,
        command_id: c.commandId,
        step: c.step,
        attempt: c.attempt,
      })),
    };
  } catch (error) {
    return { detail: (error as Error).message };
  }
}
