/**
 * Compiles the TypeScript sources to dist/ only when one of them changed since the last build,
 * so that `npm start`, `npm run start:*`, the admin CLI and the other scripts start at once when
 * nothing changed (`npm ci` builds through `prepare`), and still run the current code after an
 * edit. Plain JavaScript on purpose: it runs before anything is compiled.
 *
 * A change is a source file or a directory (a file added, removed or renamed) under the build's
 * `include` folders, a tsconfig file or package-lock.json, with a modification time after the
 * build stamp. After tsc, the services' entry points are bundled again
 * (scripts/bundle-services.mjs): tsc writes over a bundle only when the entry point itself
 * changed, and a bundle holds copies of every module and library it imports. The console
 * (console/, bundled by Vite into dist/console/) is checked the same way against its own output.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const project = path.join(root, 'tsconfig.build.json');
// tsc rewrites its incremental state on every build that changes anything.
const stamp = path.join(root, 'dist', '.tsbuildinfo');

/** The newest modification time of a file that `counts` or a directory at or below `entry`. */
function newestChange(entry, counts = (file) => file.endsWith('.ts')) {
  const stat = statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return counts(entry) ? stat.mtimeMs : 0;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(entry)) {
    newest = Math.max(newest, newestChange(path.join(entry, name), counts));
  }
  return newest;
}

function sourcesChangedSince(builtAt) {
  const { include } = JSON.parse(readFileSync(project, 'utf8'));
  const inputs = [
    project,
    path.join(root, 'tsconfig.json'),
    // The bundles hold copies of the libraries: installing others must bundle them again.
    path.join(root, 'package-lock.json'),
    ...include.map((p) => path.join(root, p)),
  ];
  return inputs.some((input) => {
    const stat = statSync(input, { throwIfNoEntry: false });
    const changed = stat?.isDirectory() ? newestChange(input) : (stat?.mtimeMs ?? 0);
    return changed > builtAt;
  });
}

function build() {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    process.stderr.write('dist/ is out of date and TypeScript is not installed: run npm ci\n');
    return 1;
  }
  process.stderr.write('sources changed since the last build: compiling to dist/\n');
  const { status } = spawnSync(process.execPath, [tsc, '-p', project], {
    cwd: root,
    stdio: 'inherit',
  });
  if (status !== 0) return status ?? 1;
  const bundled = bundleServices();
  if (bundled !== 0) return bundled;
  // A source touched without a change leaves tsc's state as it was: move the stamp past it.
  const now = new Date();
  utimesSync(stamp, now, now);
  return 0;
}

const bundler = path.join(root, 'scripts', 'bundle-services.mjs');

function bundleServices() {
  if (!existsSync(bundler)) return 0;
  const { status } = spawnSync(process.execPath, [bundler], { cwd: root, stdio: 'inherit' });
  return status ?? 1;
}

const consoleOutput = path.join(root, 'dist', 'console', 'index.html');

/** Bundles the console with Vite when a file under console/ is newer than its output. */
function buildConsoleIfStale() {
  if (!existsSync(path.join(root, 'console'))) return 0;
  const builtAt = existsSync(consoleOutput) ? statSync(consoleOutput).mtimeMs : 0;
  if (builtAt > 0 && newestChange(path.join(root, 'console'), () => true) <= builtAt) return 0;
  let vite;
  try {
    // The package exports no bin path: find it beside its package.json.
    vite = path.join(
      path.dirname(createRequire(import.meta.url).resolve('vite/package.json')),
      'bin',
      'vite.js',
    );
  } catch {
    process.stderr.write('dist/console is out of date and Vite is not installed: run npm ci\n');
    return 1;
  }
  process.stderr.write('console sources changed since the last build: bundling to dist/console/\n');
  const args = [vite, 'build', '--config', 'console/vite.config.mts', '--logLevel', 'warn'];
  const { status } = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  return status ?? 1;
}

const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const server = builtAt > 0 && !sourcesChangedSince(builtAt) ? 0 : build();
process.exitCode = server !== 0 ? server : buildConsoleIfStale();
