/**
 * The choreography floor, measured in the same invocation: the same three steps done the
 * simplest durable way (a script kept beside the project), at the same in-flight count. The
 * machine's speed drifts from day to day, so ratios to it are the figures that compare.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface BaselineResult {
  sagas: number;
  sagas_per_s: number;
  latency_ms: { p50: number; p95: number; p99: number };
  cpu_ms_per_saga: { services: number; postgres: number; rabbitmq: number; total: number };
}

export const DEFAULT_BASELINE = path.join('..', 'shared', 'baseline', 'choreo.mjs');

export function runBaseline(
  script: string,
  inFlight: number,
  seconds: number,
  warmupSeconds: number,
): Promise<BaselineResult> {
  const resolved = path.resolve(script);
  if (!existsSync(resolved)) {
    return Promise.reject(new Error(`no baseline script at ${resolved} (use --baseline-script)`));
  }
  const args = [
    resolved,
    '--in-flight',
    String(inFlight),
    '--seconds',
    String(seconds),
    '--warmup',
    String(warmupSeconds),
    '--json',
  ];
  return new Promise((resolve, reject) => {
    // Run from the project root: the script loads amqplib and pg from its node_modules.
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = output.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exited with ${code}`);
        resolve(JSON.parse(line) as BaselineResult);
      } catch (error) {
        reject(new Error(`baseline failed: ${(error as Error).message}; output: ${line}`));
      }
    });
  });
}
