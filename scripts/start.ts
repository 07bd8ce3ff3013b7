/**
 * `npm start`: runs the coordinator and the three workers as child processes, restarts a child
 * that dies (at once, backing off only when it crash-loops), and stops them all on SIGINT or
 * SIGTERM. A child that exits with a code restarting cannot help (a bad setting, refused
 * credentials, its port taken) stops the whole system instead, with that code.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { permanentExitCodes } from '../lib/exit-codes';
import { serviceNodeFlags } from '../lib/node-flags';
import { ServiceName, serviceEntryPoints, serviceNames } from './service-entry-points';

const STABLE_AFTER_MS = 10_000;

loadDotenv({ quiet: true });
const env = { ...process.env };
if (!env.ADMIN_TOKEN) {
  env.ADMIN_TOKEN = randomBytes(24).toString('base64url');
  process.stdout.write(`ADMIN_TOKEN not set; generated one for this run: ${env.ADMIN_TOKEN}\n`);
}

const children = new Map<ServiceName, ChildProcess>();
let stopping = false;

function launch(name: ServiceName, crashes = 0): void {
  const startedAt = Date.now();
  const child = spawn(
    process.execPath,
    [...serviceNodeFlags, path.join(__dirname, '..', serviceEntryPoints[name])],
    {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  children.set(name, child);
  log('info', 'child started', { child: name, pid: child.pid });
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) return;
    if (code !== null && permanentExitCodes.includes(code)) {
      log('error', 'child cannot start; stopping', { child: name, code });
      return stopAll(code);
    }
    const crashLooping = Date.now() - startedAt < STABLE_AFTER_MS;
    const count = crashLooping ? crashes + 1 : 0;
    const delayMs = count <= 1 ? 200 : Math.min(30_000, 500 * 2 ** (count - 2));
    log('warn', 'child exited; restarting', { child: name, code, signal, restart_in_ms: delayMs });
    setTimeout(() => !stopping && launch(name, count), delayMs);
  });
}

function stopAll(exitCode = 0): void {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  const deadline = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(exitCode || 1);
  }, 15_000);
  const check = setInterval(() => {
    if (children.size > 0) return;
    clearInterval(check);
    clearTimeout(deadline);
    process.exit(exitCode);
  }, 100);
}

function log(level: string, message: string, fields: Record<string, unknown>): void {
  const line = {
    level,
    message,
    service: 'supervisor',
    timestamp: new Date().toISOString(),
    ...fields,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/**
 * Stops everything when the process that started this one is gone: `kill <pid of npm>` ends
 * npm and its shell without a signal reaching this process, and the four services would go on
 * serving as orphans. Node offers no parent-death signal; an orphan sees its parent id change.
 */
function stopWithParent(checkEveryMs: number): void {
  const parent = process.ppid;
  if (parent <= 1) return; // already adopted by init: there is no parent to lose
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    log('warn', 'parent process gone; stopping', { parent_pid: parent });
    stopAll();
  }, checkEveryMs);
  watch.unref();
}

// The terminal or pipe may close with the parent; a failed log write must not stop the stop.
process.stdout.on('error', () => undefined);
process.on('SIGINT', () => stopAll());
process.on('SIGTERM', () => stopAll());
stopWithParent(1_000);
for (const name of serviceNames) launch(name);
log('info', 'supervisor started', { children: serviceNames, pid: process.pid });
