import { expect } from 'chai';
import type { Server } from 'node:net';
import { createNamespace, Namespace } from '../helpers/namespace';
import { isAlive, occupyPort, runNode, RunningProcess } from '../helpers/processes';

const SUPERVISOR = 'dist/scripts/start.js';
const PORT_IN_USE = 98;

describe('npm start supervisor (compiled, all four services as its children)', function () {
  this.timeout(90_000);
  let namespace: Namespace;
  const started: RunningProcess[] = [];
  let blocker: Server | undefined;

  before(async () => {
    namespace = await createNamespace('supervisor', { LOG_LEVEL: 'info' });
  });

  afterEach(async () => {
    for (const running of started.splice(0)) await running.stop();
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
});
