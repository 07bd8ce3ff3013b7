import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { serviceEntryPoints } from '../../scripts/service-entry-points';

const dist = path.resolve(__dirname, '../../dist');

/** The modules a compiled file loads at run time, by the specifier it gives. */
function requiredModules(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/\brequire\((?:"|')([^"']+)(?:"|')\)/g)].map((match) => match[1]!);
}

/** A path from a file in dist/ to another, as a require gives it. */
function relativeTo(file: string, target: string): string {
  return path.relative(path.dirname(file), path.join(dist, target)).split(path.sep).join('/');
}

describe('service bundles (what npm run build leaves in dist/)', () => {
  for (const [service, entryPoint] of Object.entries(serviceEntryPoints)) {
    const entry = path.join(dist, entryPoint);
    const bundle = entry.replace(/\.js$/, '.bundle.js');

    it(`given the ${service} entry point, when it is read, then it only tunes V8 and runs the bundle beside it through the code cache`, () => {
      expect(requiredModules(entry)).to.deep.equal([
        relativeTo(entry, 'lib/v8-tiering.js'),
        relativeTo(entry, 'lib/code-cache.js'),
        'node:path',
      ]);
      expect(readFileSync(entry, 'utf8')).to.include("'main.bundle.js'");
      expect(existsSync(bundle)).to.equal(true);
    });

    it(`given the ${service} bundle, when its requires are read, then it loads none of the project's modules but the tracing SDK`, () => {
      const relative = requiredModules(bundle).filter((specifier) => specifier.startsWith('.'));
      expect(relative).to.deep.equal([relativeTo(bundle, 'lib/telemetry/sdk.js')]);
    });

    it(`given the ${service} bundle, when its requires are read, then express and pg can come from node_modules, where tracing patches them`, () => {
      expect(requiredModules(bundle)).to.include.members(['express', 'pg']);
    });

    it(`given the ${service} bundle, when its source map is read, then it leads to the TypeScript sources`, () => {
      const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] };
      // Files on disk only: the stand-ins for knex's unused dialects are not.
      const own = map.sources.filter(
        (source) => source.startsWith('../') && !source.includes('node_modules'),
      );
      expect(own.length).to.be.above(10);
      expect(own.every((source) => source.endsWith('.ts'))).to.equal(true);
    });
  }
});
