/**
 * Runs one chaos scenario end to end on a fresh system (its own databases and vhost): start
 * the services, submit load while injecting, wait for quiescence, recover if the scenario
 * says so, then check every submitted order against the invariants and report.
 */
import { randomBytes } from 'node:crypto';
import { createNamespace } from '../helpers/namespace';
import { AvailabilityWatch, Unavailability, formatUnavailability } from './availability';
import { admin } from './faults';
import { System } from '../helpers/system';
import { waitFor } from '../helpers/wait';
import { collectEvidence, statuses, stockLevels } from './evidence';
import { Violation, checkInvariants } from './invariants';
import { makeOrders, submitAll } from './load';
import { Scale, Scenario } from './scenarios';

export interface ChaosReport {
  scenario: string;
  orders: number;
  by_status: Record<string, number>;
  retries: number;
  step_timeouts: number;
  /** Sagas that found their command still queued for a worker at a deadline, and waited. */
  worker_waits: number;
  /** Step timeouts and waits for a worker, per step: where the run was held up. */
  by_step: Record<string, { timeouts: number; waits: number }>;
  dead_letters: number;
  restarts: Record<string, number>;
  /** How long each service's readiness did not answer 200 from the first fault to quiescence. */
  unavailable: Record<string, Unavailability>;
  notes: string[];
  seconds: number;
  violations: Violation[];
}

const ended = new Set(['COMPLETED', 'CANCELLED', 'STUCK']);

export const chaosSettings = {
  MAX_RETRY_ATTEMPTS: '2',
  RETRY_DELAY_SECONDS: '0.2',
  STEP_TIMEOUT_SECONDS: '3',
  PREFETCH_COUNT: '128',
};

export async function runScenario(scenario: Scenario, scale: Scale): Promise<ChaosReport> {
  const started = Date.now();
  const notes: string[] = [];
  const servers = await scenario.servers?.();
  let system: System | undefined;
  let availability: AvailabilityWatch | undefined;
  try {
    system = new System(
      await createNamespace(
        `chaos_${scenario.name.replace(/-/g, '_')}`,
        { ...chaosSettings, ...scenario.settings, ...servers?.env },
        servers?.brings,
      ),
    );
    await system.start();
    const stockBefore = await stockLevels(system);
    const orders = makeOrders(randomBytes(3).toString('hex'), scale.orders);
    const submitted = submitAll(system, orders, scale.concurrency);
    const facts: Record<string, number> = {};
    availability = new AvailabilityWatch(system);
    const context = {
      system,
      scale,
      submitted,
      facts,
      servers,
      note: (l: string) => notes.push(l),
    };
    await Promise.all([submitted, scenario.inject(context)]);
    const ids = new Set(orders.map((o) => o.order_id));
    await quiescence(system, ids);
    if (scenario.recover) {
      await scenario.recover(context);
      await quiescence(system, ids);
    }
    const unavailable = await availability.stop();
    const evidence = await collectEvidence(system, orders);
    const stockAfter = await stockLevels(system);
    const stock = [...stockBefore].map(([sku, before]) => ({
      sku,
      before,
      after: stockAfter.get(sku) ?? before,
    }));
    const violations = checkInvariants(evidence, stock);
    const byStatus: Record<string, number> = {};
    for (const order of evidence)
      byStatus[order.status ?? 'LOST'] = (byStatus[order.status ?? 'LOST'] ?? 0) + 1;
    if (scenario.expectAllCompleted && (byStatus.COMPLETED ?? 0) !== orders.length) {
      violations.push({
        invariant: 0,
        detail: `expected every order COMPLETED, got ${JSON.stringify(byStatus)}`,
      });
    }
    const count = (type: string) =>
      evidence.reduce((n, o) => n + o.timeline.filter((e) => e.type === type).length, 0);
    const report: ChaosReport = {
      scenario: scenario.name,
      orders: orders.length,
      by_status: byStatus,
      retries: count('RETRY_SCHEDULED'),
      step_timeouts: count('STEP_TIMED_OUT'),
      worker_waits: count('WAITING_FOR_WORKER'),
      by_step: byStep(evidence),
      dead_letters: await deadLetterCount(system),
      restarts: Object.fromEntries(system.restarts),
      unavailable,
      notes,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      violations,
    };
    // A scenario whose fault never landed proves nothing: that is a failure too.
    const missed = scenario.proof(report, facts);
    if (missed)
      violations.push({ invariant: 0, detail: `the fault did not take effect: ${missed}` });
    return report;
  } finally {
    await availability?.stop();
    await system?.stop();
    await servers?.stop();
  }
}

function byStep(evidence: Awaited<ReturnType<typeof collectEvidence>>): ChaosReport['by_step'] {
  const steps: ChaosReport['by_step'] = {};
  for (const entry of evidence.flatMap((o) => o.timeline)) {
    const kind =
      entry.type === 'STEP_TIMED_OUT'
        ? 'timeouts'
        : entry.type === 'WAITING_FOR_WORKER'
          ? 'waits'
          : undefined;
    if (!kind || !entry.step) continue;
    steps[entry.step] ??= { timeouts: 0, waits: 0 };
    steps[entry.step]![kind] += 1;
  }
  return steps;
}

/** Every order has ended (or waits as STUCK) and nothing changed for a second. */
async function quiescence(system: System, ids: Set<string>): Promise<void> {
  let previous = '';
  let stableSince = Date.now();
  await waitFor(
    'the system to quiesce',
    async () => {
      const all = await statuses(system);
      const mine = [...ids].map((id) => all.get(id) ?? 'LOST');
      const signature = mine.join();
      if (signature !== previous) {
        previous = signature;
        stableSince = Date.now();
      }
      return mine.every((s) => ended.has(s)) && Date.now() - stableSince >= 1_000;
    },
    (done) => done,
    { timeoutMs: 180_000, intervalMs: 250 },
  );
}

/** Read from the broker itself through the admin API (management statistics lag seconds). */
async function deadLetterCount(system: System): Promise<number> {
  const answer = await admin<{ queues: Array<{ count: number }> }>(system, '/admin/dlq');
  return answer.queues.reduce((n, q) => n + q.count, 0);
}

export function formatReport(report: ChaosReport): string {
  const lines = [
    `scenario ${report.scenario}: ${report.violations.length === 0 ? 'PASSED' : 'FAILED'} in ${report.seconds}s`,
    `  orders      ${report.orders} → ${Object.entries(report.by_status)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')}`,
    `  retries     ${report.retries} scheduled, ${report.step_timeouts} step timeouts, ${report.worker_waits} waits for a worker`,
    ...Object.entries(report.by_step).map(
      ([step, { timeouts, waits }]) =>
        `    ${step.padEnd(10)} ${timeouts} timeouts, ${waits} waits`,
    ),
    `  dead letters ${report.dead_letters}`,
    `  restarts    ${
      Object.entries(report.restarts)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ') || 'none'
    }`,
    `  unavailable ${formatUnavailability(report.unavailable)}`,
    ...report.notes.map((n) => `  injected    ${n}`),
    `  violations  ${report.violations.length}`,
    ...report.violations
      .slice(0, 20)
      .map((v) => `    #${v.invariant} ${v.order_id ?? v.sku ?? ''} ${v.detail}`),
  ];
  return lines.join('\n');
}
