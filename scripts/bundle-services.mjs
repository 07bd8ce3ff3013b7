/**
 * Bundles each service's entry point, with the libraries it loads, into one file beside it
 * (`main.bundle.js`), so that a restarted service reads one file instead of resolving and
 * reading some nine hundred modules. In place of tsc's output of the entry point
 * (`dist/coordinator/main.js`, `dist/workers/<worker>/main.js`, the paths everything starts)
 * goes a loader that tunes V8 for a long-running service (lib/v8-tiering.ts) and runs the bundle
 * with a V8 code cache (lib/code-cache.ts). Runs after tsc
 * (`npm run build`, scripts/build-if-stale.mjs): every other module of dist/ stays as tsc wrote
 * it, for the scripts, the migrations and the tests.
 *
 * express and pg are bundled too, but tracing patches them as they are required from
 * node_modules, which it cannot do to a copy inside a bundle: when tracing is on, the bundle
 * requires them from node_modules instead of using its own copies.
 *
 * Left out of the bundles, and loaded from node_modules as before:
 * - the tracing SDK (lib/telemetry/sdk), required only when tracing is on (its copy of
 *   @opentelemetry/api and the bundle's share the tracer the SDK registers);
 * - swagger-ui-express, loaded at the first visit of /docs, whose assets are found beside it;
 * - the drivers of the databases knex supports and this project does not use, whose dialects
 *   are left out too.
 * Plain JavaScript on purpose, like build-if-stale.mjs: it runs before anything is compiled.
 */
import { build } from 'esbuild';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The sources of the entry points that scripts/service-entry-points.ts names in dist/. */
export const serviceSources = [
  'coordinator/main.ts',
  'workers/payment/main.ts',
  'workers/inventory/main.ts',
  'workers/shipping/main.ts',
];

const external = ['pg-native', 'pg-query-stream', 'swagger-ui-express'];

const unusedDialects =
  /^\.\/(better-sqlite3|cockroachdb|mssql|mysql|mariadb|mysql2|oracle|oracledb|pgnative|redshift|sqlite3)$/;

/** knex picks its dialect by name at run time; only PostgreSQL's is ever picked here. */
const postgresOnly = {
  name: 'postgres-only',
  setup(bundler) {
    bundler.onResolve({ filter: unusedDialects }, ({ path: request, importer }) =>
      importer.endsWith(path.join('knex', 'lib', 'dialects', 'index.js'))
        ? { path: request, namespace: 'unused-dialect' }
        : undefined,
    );
    bundler.onLoad({ filter: /.*/, namespace: 'unused-dialect' }, ({ path: request }) => ({
      contents: `throw new Error('the ${request.slice(2)} dialect of knex is not bundled');`,
      loader: 'js',
    }));
  },
};

/**
 * pg asks whether it runs on Cloudflare Workers by constructing a fetch Response, which on
 * Node 20 loads Node's whole fetch implementation (undici) at every start, for a service that
 * never fetches. In the bundle, which runs on Node only, that module sees no Response global.
 */
const pgOnNode = {
  name: 'pg-on-node',
  setup(bundler) {
    bundler.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async ({ path: file }) => ({
      contents: `var Response;\n${await readFile(file, 'utf8')}`,
      loader: 'js',
    }));
  },
};

const traced = /^(express|pg)$/;
const spansModule = path.join(root, 'lib', 'telemetry', 'spans.ts');

/**
 * Each import of a library tracing patches leads to a stand-in that picks, once tracing has
 * started or not (lib/telemetry/preload.ts runs first), the copy in node_modules or the
 * bundled one.
 */
const tracedFromNodeModulesWhenTracing = {
  name: 'traced-from-node-modules-when-tracing',
  setup(bundler) {
    bundler.onResolve({ filter: traced }, ({ path: name, namespace, pluginData }) => {
      if (pluginData?.bundled) return undefined;
      if (namespace === 'traced') return { path: name, external: true };
      return { path: name, namespace: 'traced' };
    });
    bundler.onResolve({ filter: /^bundled:/ }, async ({ path: request }) => {
      const name = request.slice('bundled:'.length);
      const found = await bundler.resolve(name, {
        kind: 'require-call',
        resolveDir: root,
        pluginData: { bundled: true },
      });
      return found.errors.length > 0 ? { errors: found.errors } : { path: found.path };
    });
    bundler.onLoad({ filter: /.*/, namespace: 'traced' }, ({ path: name }) => ({
      contents: [
        `const { spansEnabled } = require(${JSON.stringify(spansModule)});`,
        `module.exports = spansEnabled() ? require("${name}") : require("bundled:${name}");`,
      ].join('\n'),
      resolveDir: root,
      loader: 'js',
    }));
  },
};

/** The SDK stays tsc's module in dist/lib/telemetry: required from the bundle by its path. */
function tracingSdkBeside(outfile) {
  const sdk = path.join(root, 'dist', 'lib', 'telemetry', 'sdk.js');
  const fromBundle = path.relative(path.dirname(outfile), sdk).split(path.sep).join('/');
  return {
    name: 'tracing-sdk-beside',
    setup(bundler) {
      bundler.onResolve({ filter: /^\.\/sdk$/ }, ({ importer }) =>
        importer.endsWith(path.join('lib', 'telemetry', 'preload.ts'))
          ? { path: fromBundle.startsWith('.') ? fromBundle : `./${fromBundle}`, external: true }
          : undefined,
      );
    },
  };
}

export async function bundleServices() {
  await Promise.all(
    serviceSources.map(async (source) => {
      const entryPoint = path.join(root, 'dist', source.replace(/\.ts$/, '.js'));
      const outfile = entryPoint.replace(/\.js$/, '.bundle.js');
      await build({
        absWorkingDir: root,
        entryPoints: [source],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        // The loader runs the bundle as a script, where a native import() has no loader.
        supported: { 'dynamic-import': false },
        tsconfig: path.join(root, 'tsconfig.json'),
        external,
        plugins: [
          postgresOnly,
          pgOnNode,
          tracedFromNodeModulesWhenTracing,
          tracingSdkBeside(outfile),
        ],
        // Stack traces and coverage lead back to the TypeScript sources.
        sourcemap: 'linked',
        logLevel: 'warning',
      });
      await writeFile(entryPoint, loader(entryPoint));
      // tsc's map of the entry point it compiled, which the loader is not.
      await rm(`${entryPoint}.map`, { force: true });
    }),
  );
}

function loader(entryPoint) {
  const distLib = (file) =>
    path
      .relative(path.dirname(entryPoint), path.join(root, 'dist', 'lib', file))
      .split(path.sep)
      .join('/');
  return [
    "'use strict';",
    '// Written by scripts/bundle-services.mjs: this service is the bundle beside this file.',
    `require('${distLib('v8-tiering.js')}').optimizeHotCodeSooner();`,
    `require('${distLib('code-cache.js')}').runBundle(`,
    "  require('node:path').join(__dirname, 'main.bundle.js'),",
    '  module,',
    '  require,',
    ');',
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  bundleServices().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
