/**
 * The sagas this coordinator wrote last, as it wrote them. An event for one of them is decided
 * on the remembered row and written with one statement that lands only if the row is still at
 * that revision; a miss, or a row another coordinator changed meanwhile, is read again. Bounded:
 * the least recently used go first, and ended sagas are forgotten at once.
 */
import { SagaTiming } from './saga-timing';
import { StoredSaga } from '../sagas/order/decide';
import { Simulation } from '../sagas/contracts/order-request';
import { Step } from '../sagas/contracts/envelope';

/** What the saga runner reads of a saga, and remembers. */
export interface SagaRecord extends SagaTiming {
  saga_id: string;
  order_id: string;
  /** The step in progress, as stored beside the snapshot. */
  step?: Step | null;
  snapshot: StoredSaga;
  timeline_seq: number;
  faults: Simulation | null;
  created_at: Date;
  revision: number;
}

export class SagaCache {
  private readonly records = new Map<string, SagaRecord>();

  constructor(private readonly capacity = 10_000) {}

  get size(): number {
    return this.records.size;
  }

  /** A copy of the remembered row, safe to change while deciding. */
  get(sagaId: string): SagaRecord | undefined {
    const record = this.records.get(sagaId);
    if (!record) return undefined;
    // Most recently used last, so the first entry is the one to go.
    this.records.delete(sagaId);
    this.records.set(sagaId, record);
    return { ...record };
  }

  remember(record: SagaRecord): void {
    this.records.delete(record.saga_id);
    this.records.set(record.saga_id, { ...record });
    if (this.records.size > this.capacity) {
      this.records.delete(this.records.keys().next().value!);
    }
  }

  forget(sagaIds: Iterable<string>): void {
    for (const sagaId of sagaIds) this.records.delete(sagaId);
  }
}
