import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { serviceNodeFlags } from '../../lib/node-flags';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface PackageJson {
  config: { service_node_flags: string };
  scripts: Record<string, string>;
}

describe('service node flags', () => {
  const manifest = JSON.parse(read('package.json')) as PackageJson;

  it('given lib/node-flags, when package.json is read, then its service_node_flags are the same flags', () => {
    expect(manifest.config.service_node_flags).to.equal(serviceNodeFlags.join(' '));
  });

  it('given the start script of each service, when read, then it runs node with the service_node_flags and no flag of its own', () => {
    const scripts = ['coordinator', 'payment', 'inventory', 'shipping'].map(
      (service) => manifest.scripts[`start:${service}`],
    );

    for (const script of scripts) {
      expect(script).to.match(/^node \$npm_package_config_service_node_flags dist\/\S+\.js$/);
    }
  });

  it('given lib/node-flags, when the Dockerfile is read, then its NODE_OPTIONS are the same flags and no command repeats them', () => {
    const dockerfile = read('Dockerfile');
    const nodeOptions = /^ENV NODE_OPTIONS=(.*)$/m.exec(dockerfile)?.[1];

    expect(nodeOptions).to.equal(serviceNodeFlags.join(' '));
    for (const flag of serviceNodeFlags) {
      const name = flag.split('=')[0]!;
      expect(dockerfile.split(name)).to.have.length(2, `${name} once in the Dockerfile`);
      expect(read('docker-compose.yml')).not.to.include(name);
    }
  });
});
