import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { serviceEntryPoints } from '../../scripts/service-entry-points';

const dist = path.resolve(__dirname, '../../dist');

/** The modules a compiled file loads at run time, by the specifier it gives. */
function requiredModules(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1]!);
}

describe('service bundles (what npm run build leaves in dist/)', () => {
  for (const [service, entryPoint] of Object.entries(serviceEntryPoints)) {
    const file = path.join(dist, entryPoint);

    it(`given the ${service} entry point, when its requires are read, then it loads none of the project's modules but the tracing SDK`, () => {
      const relative = requiredModules(file).filter((specifier) => specifier.startsWith('.'));
      const sdk = path.relative(path.dirname(file), path.join(dist, 'lib/telemetry/sdk.js'));
      expect(relative).to.deep.equal([sdk.split(path.sep).join('/')]);
    });

    it(`given the ${service} entry point, when its requires are read, then express, pg and the OpenTelemetry API come from node_modules, where tracing reaches them`, () => {
      expect(requiredModules(file)).to.include.members(['express', 'pg', '@opentelemetry/api']);
    });

    it(`given the ${service} entry point, when its source map is read, then it leads to the TypeScript sources`, () => {
      const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
      // Files on disk only: the stand-ins for knex's unused dialects are not.
      const own = map.sources.filter(
        (source) => source.startsWith('../') && !source.includes('node_modules'),
      );
      expect(own.length).to.be.above(10);
      expect(own.every((source) => source.endsWith('.ts'))).to.equal(true);
    });
  }
});
