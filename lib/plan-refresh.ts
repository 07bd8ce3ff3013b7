/**
 * When a connection's cached query plans are due to be dropped.
 *
 * PostgreSQL keeps a named statement's generic plan for the life of its connection, made from the
 * tables as they were when it was made. On a new deployment's empty tables that plan is a
 * sequential scan, and a long-lived connection would go on scanning the tables whole as they
 * grow. Planning every execution instead (`plan_cache_mode = force_custom_plan`) avoids that but
 * cost PostgreSQL about a third more CPU per order here. So a connection drops its cached plans
 * (`DISCARD PLANS`, which keeps the statements themselves) after 1 s of use, then 2 s later,
 * 4 s later, … and once a minute from then on: a table that grows from empty is planned again
 * while it grows, and one that has settled costs one new plan per statement a minute.
 */
export const DISCARD_PLANS = 'DISCARD PLANS';

interface Schedule {
  dueAt: number;
  intervalMs: number;
}

export class PlanRefresh {
  private readonly schedules = new WeakMap<object, Schedule>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly firstIntervalMs = 1_000,
    private readonly maxIntervalMs = 60_000,
  ) {}

  /** Whether `connection` should drop its plans before its next statement; schedules the next. */
  isDue(connection: object): boolean {
    const now = this.now();
    const schedule = this.schedules.get(connection);
    if (!schedule) {
      this.schedules.set(connection, {
        dueAt: now + this.firstIntervalMs,
        intervalMs: this.firstIntervalMs,
      });
      return false;
    }
    if (now < schedule.dueAt) return false;
    schedule.intervalMs = Math.min(schedule.intervalMs * 2, this.maxIntervalMs);
    schedule.dueAt = now + schedule.intervalMs;
    return true;
  }
}
