/**
 * Payment: scores an order for fraud (a pure computation, see risk.ts, answered without a
 * transaction), authorizes an order's total with the provider, and voids an order's live
 * authorizations. Provider calls happen in `prepare`, outside the database transaction; the
 * authorization, or the declined attempt, is recorded together with the stored reply in
 * `apply`.
 */
import { createHash } from 'node:crypto';
import { Database } from '../../lib/db';
import { Pipeline } from '../../lib/pipelined';
import { Command } from '../../sagas/contracts/messages';
import { CommandHandler } from '../runtime/worker';
import { ReplyDraft } from '../runtime/replies';
import { AuthorizationResult, PaymentProvider } from './provider';
import { RISK_SCORE_CODE, RiskVerdict, assessRisk } from './risk';

type Prepared =
  { kind: 'authorize'; result: AuthorizationResult } | { kind: 'void'; authorizationIds: string[] };

export interface PaymentPolicy {
  /** The fraud check rejects an order scoring above this (RISK_DECLINE_SCORE). */
  riskDeclineScore: number;
}

export function paymentHandler(
  db: Database,
  provider: PaymentProvider,
  policy: PaymentPolicy = { riskDeclineScore: 80 },
): CommandHandler<Prepared> {
  return {
    answerWithoutEffect(command) {
      if (command.type !== 'risk.assess') return undefined;
      const { command_id, amount, items } = command.data;
      return riskReply(command_id, assessRisk(amount, items, policy.riskDeclineScore));
    },
    async prepare(command) {
      if (command.type === 'payment.authorize') {
        const { command_id, amount } = command.data;
        const result = await provider.authorize({
          idempotencyKey: command_id,
          orderId: command.order_id,
          amount,
        });
        return { kind: 'authorize', result };
      }
      if (command.type === 'payment.void') {
        const live = await liveAuthorizations(db, command.order_id);
        for (const authorizationId of live) {
          await provider.void({
            idempotencyKey: `${command.data.command_id}:${authorizationId}`,
            authorizationId,
          });
        }
        return { kind: 'void', authorizationIds: live };
      }
      throw new Error(`payment cannot handle ${command.type}`);
    },
    async apply(tx, commands) {
      const authorizations: object[] = [];
      const replies: ReplyDraft[] = [];
      for (const { command, prepared } of commands) {
        const commandId = command.data.command_id;
        if (prepared.kind === 'authorize') {
          replies.push(authorizationReply(command, prepared.result, authorizations));
        } else {
          const voided = await voidAuthorizations(tx, prepared.authorizationIds);
          replies.push({ type: 'payment.voided', data: { command_id: commandId, voided } });
        }
      }
      // Written with the reply records, as one statement.
      if (authorizations.length > 0)
        tx.write(
          `INSERT INTO authorizations (authorization_id, order_id, saga_id, command_id, amount,
                                       status, reason)
           SELECT * FROM jsonb_to_recordset($1::jsonb)
             AS r(authorization_id text, order_id text, saga_id uuid, command_id text,
                  amount numeric, status text, reason jsonb)`,
          [JSON.stringify(authorizations)],
        );
      return replies;
    },
  };
}

/**
 * A verdict changes nothing and is computed from the order alone, so it takes no transaction
 * and leaves no record: every delivery of the command scores the order again.
 */
function riskReply(commandId: string, verdict: RiskVerdict): ReplyDraft {
  if (verdict.approved) {
    return { type: 'risk.assessed', data: { command_id: commandId, score: verdict.score } };
  }
  return {
    type: 'risk.rejected',
    data: {
      command_id: commandId,
      score: verdict.score,
      code: RISK_SCORE_CODE,
      message: verdict.message,
    },
  };
}

function authorizationReply(
  command: Command,
  result: AuthorizationResult,
  rows: object[],
): ReplyDraft {
  const commandId = command.data.command_id;
  const attempt = {
    order_id: command.order_id,
    saga_id: command.saga_id,
    command_id: commandId,
    amount: (command.data as { amount: number }).amount,
  };
  if (!result.approved) {
    const { code, message } = result;
    rows.push({
      ...attempt,
      authorization_id: result.reference ?? declinedAttemptId(commandId),
      status: 'DECLINED',
      reason: { code, message },
    });
    return { type: 'payment.declined', data: { command_id: commandId, code, message } };
  }
  rows.push({ ...attempt, authorization_id: result.authorizationId, status: 'AUTHORIZED' });
  return {
    type: 'payment.authorized',
    data: { command_id: commandId, authorization_id: result.authorizationId },
  };
}

/**
 * The id of a declined attempt the provider gave no reference for. Derived from the command
 * id, so every delivery of one command names the same attempt; the prefix keeps it apart from
 * the provider's authorization ids.
 */
export function declinedAttemptId(commandId: string): string {
  return `declined_${createHash('sha256').update(commandId).digest('hex').slice(0, 32)}`;
}

/** Only AUTHORIZED rows are live: a DECLINED attempt never held money and is never voided. */
async function liveAuthorizations(db: Database, orderId: string): Promise<string[]> {
  const rows: Array<{ authorization_id: string }> = await db('authorizations')
    .select('authorization_id')
    .where({ order_id: orderId, status: 'AUTHORIZED' });
  return rows.map((row) => row.authorization_id);
}

async function voidAuthorizations(tx: Pipeline, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { rowCount } = await tx.query(
    `UPDATE authorizations SET status = 'VOIDED', updated_at = now()
     WHERE authorization_id = ANY($1) AND status = 'AUTHORIZED'`,
    [ids],
  );
  return rowCount ?? 0;
}
