import { expect } from 'chai';
import { spawn } from 'node:child_process';
import type { Server } from 'node:net';
import path from 'node:path';
import { createNamespace, Namespace } from '../helpers/namespace';
import {
  childrenOf,
  isAlive,
  occupyPort,
  portIsFree,
  projectRoot,
  runNode,
  RunningProcess,
} from '../helpers/processes';
import { waitFor } from '../helpers/wait';

const SUPERVISOR = 'dist/scripts/start.js';
const PORT_IN_USE = 98;

/** The supervisor's pid, from the line it logs when it starts. */
function supervisorPid(running: RunningProcess): number | undefined {
  const line = running.lines().find((l) => l.message === 'supervisor started');
  return line?.pid as number | undefined;
}

function ports(namespace: Namespace): number[] {
  return Object.values(namespace.config.ports);
}

describe('npm start supervisor (compiled, all four services as its children)', function () {
  this.timeout(90_000);
  let namespace: Namespace;
  const started: RunningProcess[] = [];
  let blocker: Server | undefined;
  /** Processes a failed test may have orphaned; killed after each test. */
  const orphans: number[] = [];

  before(async () => {
    namespace = await createNamespace('supervisor', { LOG_LEVEL: 'info' });
  });

  afterEach(async () => {
    for (const running of started.splice(0)) await running.stop();
    for (const pid of orphans.splice(0).filter(isAlive)) process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
    blocker = undefined;
  });

  it('given the coordinator port is taken, when the supervisor starts, then it stops every child and exits with the port code instead of restarting', async () => {
    blocker = await occupyPort(namespace.config.ports.coordinator);

    const supervisor = runNode(SUPERVISOR, namespace.env);
    started.push(supervisor);
    const exit = await supervisor.exit(30_000);

    expect(exit.code, supervisor.text()).to.equal(PORT_IN_USE);
    const lines = supervisor.lines();
    const coordinatorStarts = lines.filter(
      (l) => l.message === 'child started' && l.child === 'coordinator',
    );
    expect(coordinatorStarts, supervisor.text()).to.have.length(1);
    expect(lines.map((l) => l.message)).to.not.include('child exited; restarting');
    expect(lines.find((l) => l.message === 'child cannot start; stopping')).to.include({
      child: 'coordinator',
      code: PORT_IN_USE,
    });
    const children = lines.filter((l) => l.message === 'child started').map((l) => l.pid as number);
    expect(children, supervisor.text()).to.have.length(4);
    expect(children.filter(isAlive), 'children still running').to.deep.equal([]);
  });

  it('given the supervisor runs under a parent, when that parent is killed with SIGTERM, then the supervisor and all four services stop and free their ports', async () => {
    // Like npm and its shell: a parent that dies without passing the signal on.
    const parent = new RunningProcess(
      spawn(
        process.execPath,
        [
          '-e',
          `require('node:child_process').spawn(process.execPath, [process.argv[1]], { stdio: 'inherit' });
           setInterval(() => undefined, 60_000);`,
          path.join(projectRoot, SUPERVISOR),
        ],
        {
          cwd: projectRoot,
          env: { PATH: process.env.PATH ?? '', ...namespace.env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
    );
    started.push(parent);
    const supervisor = await waitFor(
      'the supervisor to start',
      async () => supervisorPid(parent),
      (pid) => pid !== undefined,
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    await waitFor(
      'every service port to be taken',
      () => Promise.all(ports(namespace).map(portIsFree)),
      (free) => free.every((f) => !f),
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const children = childrenOf(supervisor!);
    expect(children, 'the four services').to.have.length(4);
    const all = [supervisor!, ...children];
    orphans.push(...all);

    parent.child.kill('SIGTERM');

    await waitFor(
      'the supervisor and its children to be gone',
      async () => all.filter(isAlive),
      (alive) => alive.length === 0,
      { timeoutMs: 20_000, intervalMs: 200 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${parent.text().slice(-3000)}`);
    });
    const free = await Promise.all(ports(namespace).map(portIsFree));
    expect(free, `ports ${ports(namespace).join(', ')} free`).to.deep.equal([
      true,
      true,
      true,
      true,
    ]);
    expect(parent.lines().map((l) => l.message)).to.include('parent process gone; stopping');
  });
});
