import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { RabbitNodes, processesOf } from '../chaos/servers/rabbit-nodes';
import { waitFor } from '../helpers/wait';

const root = path.resolve(__dirname, '../..');

/** Starts one node in a process of its own, which then exits without stopping it. */
function abandonNode(): Promise<{ nodename: string; dir: string; code: number }> {
  const script = `
    const { RabbitNodes } = require('./test/chaos/servers/rabbit-nodes');
    RabbitNodes.start(1).then((nodes) => {
      const { nodename, dir } = nodes.node(0);
      console.log(JSON.stringify({ nodename, dir }));
      process.exit(3);
    });`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--require', 'tsx/cjs', '-e', script],
      { cwd: root, timeout: 120_000 },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          const started = JSON.parse(line) as { nodename: string; dir: string };
          resolve({ ...started, code: error ? Number(error.code ?? 1) : 0 });
        } catch {
          reject(new Error(`the node never started:\n${stdout}${stderr}`));
        }
      },
    );
  });
}

describe("RabbitMQ nodes of a chaos scenario's own", function () {
  this.timeout(180_000);

  it('given one node with its app stopped and another killed, when stopped, then no node process and no directory is left', async () => {
    const nodes = await RabbitNodes.start(2);
    const [killed, halted] = [nodes.node(0), nodes.node(1)];
    try {
      expect(await nodes.runningNodes(halted)).to.have.members([killed.nodename, halted.nodename]);
      await nodes.stopApp(halted);
      await nodes.kill(killed);
      expect(processesOf(killed.nodename)).to.deep.equal([]);
      expect(processesOf(halted.nodename)).to.not.deep.equal([]);
    } finally {
      await nodes.stop();
    }

    expect(processesOf(halted.nodename)).to.deep.equal([]);
    expect(existsSync(path.dirname(halted.dir))).to.equal(false);
  });

  it('given a process that exits without stopping its node, then the node does not outlive it', async () => {
    const { nodename, dir, code } = await abandonNode();

    expect(code).to.equal(3);
    await waitFor(
      'the abandoned node to be gone',
      async () => processesOf(nodename),
      (pids) => pids.length === 0,
    );
    expect(existsSync(dir)).to.equal(false);
  });
});
