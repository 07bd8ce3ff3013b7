/**
 * Runtime fault rules: stored in the orders database and broadcast as a whole set to every
 * worker over the control exchange, on each change and every couple of seconds, so a worker
 * that (re)starts has the current rules within that time. Expired rules drop out of the set.
 */
import { randomUUID } from 'node:crypto';
import { Database } from '../../lib/db';
import { ConfirmPublisher } from '../../lib/messaging/publisher';
import { exchanges } from '../../lib/messaging/topology';
import { FaultRule, FaultRuleRequest, FaultRuleSet } from '../../sagas/contracts/fault-rules';

export class FaultRules {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly publisher: ConfirmPublisher,
    private readonly onError: (error: unknown) => void,
    private readonly rebroadcastMs = 2_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.broadcast().catch(this.onError), this.rebroadcastMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }

  async add(request: FaultRuleRequest): Promise<FaultRule> {
    const [row] = await this.db('fault_rules')
      .insert({
        id: randomUUID(),
        ...request,
        expires_at: request.ttl_seconds
          ? this.db.raw('now() + make_interval(secs => ?)', [request.ttl_seconds])
          : null,
      })
      .returning('*');
    await this.broadcast();
    return present(row as Row);
  }

  async list(): Promise<FaultRule[]> {
    const rows: Row[] = await this.db('fault_rules')
      .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', this.db.fn.now()))
      .orderBy('created_at');
    return rows.map(present);
  }

  /** Removes one rule, or all of them without an id; returns how many went. */
  async clear(id?: string): Promise<number> {
    const query = this.db('fault_rules');
    const removed = await (id ? query.where({ id }) : query).delete();
    await this.broadcast();
    return removed;
  }

  async broadcast(): Promise<void> {
    const set: FaultRuleSet = {
      type: 'fault_rules',
      issued_at: new Date().toISOString(),
      rules: await this.list(),
    };
    await this.publisher.publish({
      exchange: exchanges.control,
      routingKey: '',
      body: Buffer.from(JSON.stringify(set)),
      messageId: randomUUID(),
      type: set.type,
      // No worker listening yet is normal (none started, or FAULT_INJECTION off on them): a
      // worker that starts later gets the set from the next rebroadcast.
      mandatory: false,
    });
  }
}

type Row = Omit<FaultRule, 'created_at' | 'expires_at'> & {
  created_at: Date;
  expires_at: Date | null;
  latency_ms: number | null;
  count: number | null;
  ttl_seconds: number | null;
};

function present(row: Row): FaultRule {
  return {
    id: row.id,
    target: row.target,
    mode: row.mode,
    probability: row.probability,
    ...(row.latency_ms === null ? {} : { latency_ms: row.latency_ms }),
    ...(row.count === null ? {} : { count: row.count }),
    ...(row.ttl_seconds === null ? {} : { ttl_seconds: row.ttl_seconds }),
    created_at: row.created_at.toISOString(),
    expires_at: row.expires_at ? row.expires_at.toISOString() : null,
  };
}
