/**
 * The answers of the coordinator's HTTP API as the console reads them. Message and fault-rule
 * shapes come from the shared contracts; the rest mirror the API's JSON.
 */
import type { Step } from '../../../sagas/contracts/envelope';
import type { FaultRule } from '../../../sagas/contracts/fault-rules';

export type { FaultRule, FaultRuleRequest } from '../../../sagas/contracts/fault-rules';
export type { Step };

/** The services that keep records of an order; the fraud check is answered by payment. */
export type WorkerName = Exclude<Step, 'risk'>;

export interface Reason {
  step: string;
  code: string;
  message: string;
}

export type ItemLine = string | { sku: string; quantity: number };

export interface Order {
  order_id: string;
  saga_id: string;
  status: string;
  step: string | null;
  items: ItemLine[];
  total: number;
  reason?: Reason;
  created_at: string;
  updated_at: string;
}

export interface OrderPage {
  orders: Order[];
  next_cursor: string | null;
}

export interface SagaDetails {
  saga_id: string;
  order_id: string;
  user_id: string;
  status: string;
  state: string;
  step: string | null;
  version: number;
  reason: Reason | null;
  last_seq: number;
  deadline_at: string | null;
  stuck_since: string | null;
  created_at: string;
  updated_at: string;
  age_seconds: number;
}

/** A timeline entry: `seq`, `at` and `type`, then whatever that type of event records. */
export interface TimelineEvent {
  seq: number;
  at: string;
  type: string;
  step?: string;
  state?: string;
  command?: string;
  command_id?: string;
  attempt?: number;
  delay_ms?: number;
  reply?: string;
  reason?: Reason | string;
  code?: string;
  message?: string;
  actor?: string;
  /** What a step deadline found on the command queue (WAITING_FOR_WORKER). */
  consumers?: number;
  ready?: number;
  /** Recorded although the saga's state did not accept it (a late or stray message). */
  late?: boolean;
  [field: string]: unknown;
}

export interface Timeline {
  order_id: string;
  saga_id: string;
  status: string;
  events: TimelineEvent[];
}

export interface StatusCounts {
  counts: Record<string, number>;
  total: number;
}

export interface StuckSaga {
  saga_id: string;
  order_id: string;
  step: string | null;
  reason: Reason | null;
  stuck_since: string;
  age_seconds: number;
  diagnosis: string;
}

export interface StuckPage {
  sagas: StuckSaga[];
  next_cursor: string | null;
}

export interface PlannedCommand {
  command: string;
  command_id: string;
  step: string;
  attempt: number;
}

export interface ActionResult {
  saga_id: string;
  order_id: string;
  result: 'applied' | 'dry_run' | 'rejected';
  status: string;
  commands: PlannedCommand[];
  detail?: string;
}

export interface BulkActionResult {
  dry_run: boolean;
  count: number;
  sagas: ActionResult[];
}

export interface DeadLetter {
  message_id: string;
  saga_id: string | null;
  order_id: string | null;
  step: string | null;
  command: string | null;
  reason: string | null;
  attempts: number | null;
  dead_lettered_at: string | null;
  obsolete: boolean;
}

export interface DeadLetterQueue {
  queue: string;
  count: number;
  messages: DeadLetter[];
  /** Pass as `cursor` (with `queue`) for the next page; null on the last. */
  next_cursor: string | null;
}

export interface DeadLetterReplay {
  queue: string;
  replayed: number;
  /** The first 500 replayed messages and resumed sagas; `resumed` counts them all. */
  messages: DeadLetter[];
  resumed_sagas: string[];
  resumed: number;
}

export interface FaultRuleList {
  fault_injection: boolean;
  rules: FaultRule[];
}

export interface ConsoleConfig {
  worker_ports: Record<WorkerName, number>;
}
