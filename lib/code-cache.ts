/**
 * Runs a service's bundle (scripts/bundle-services.mjs) with a V8 code cache, so that a
 * restarted service does not parse and compile again the code its previous start compiled:
 * about a quarter of what a start costs. The first start, or the first after a rebuild or a
 * Node upgrade, compiles as usual and leaves the cache a few seconds later, once the code of
 * the start itself has been compiled. Node 22 has this built in (module.enableCompileCache);
 * Node 20 does not.
 *
 * The cache lives in a directory of the temporary directory that only this user may read or
 * write, since code cached there runs as the service. Anything wrong with it (not writable,
 * someone else's, a cache V8 rejects) only means compiling as usual.
 */
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

export interface CacheOptions {
  /** Where caches are kept; by default a directory of this user's in the temporary directory. */
  directory?: string;
  /** Long enough for a start to have compiled what it runs. */
  cacheAfterMs?: number;
}

/** Whether this run's code came from a cache, or was compiled (and cached a little later). */
export type CodeSource = 'cache' | 'compiled';

type ModuleFunction = (
  exports: unknown,
  require: NodeJS.Require,
  module: NodeJS.Module,
  filename: string,
  dirname: string,
) => void;

/**
 * Runs `bundle` as the body of `entry`, the entry point's own module, whose `require` it
 * shares: the bundle sits beside it.
 */
export function runBundle(
  bundle: string,
  entry: NodeJS.Module,
  require: NodeJS.Require,
  options: CacheOptions = {},
): CodeSource {
  const source = readFileSync(bundle, 'utf8');
  const cache = cacheFileFor(bundle, options.directory);
  const cachedData = cache ? readCache(cache.file) : undefined;
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
  });
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  if (cache && !fromCache) {
    setTimeout(() => writeCache(cache, script), options.cacheAfterMs ?? 5_000).unref();
  }
  const run = script.runInThisContext() as ModuleFunction;
  run.call(entry.exports, entry.exports, require, entry, bundle, path.dirname(bundle));
  return fromCache ? 'cache' : 'compiled';
}

/**
 * One file per bundle, build and Node version: a rebuilt bundle or another Node has a new name
 * (V8 also refuses a cache made for other flags or another source).
 */
function cacheFileFor(bundle: string, directory = privateCacheDirectory()): CacheFile | undefined {
  try {
    if (!directory) return undefined;
    const { size, mtimeMs } = lstatSync(bundle);
    // The same service of two checkouts on one machine keeps two caches.
    const where = createHash('sha256').update(bundle).digest('hex').slice(0, 12);
    const prefix = `${path.basename(path.dirname(bundle))}-${where}-`;
    const build = `${size}-${Math.round(mtimeMs)}-${process.version}-${process.arch}`;
    return { directory, prefix, file: path.join(directory, `${prefix}${build}.v8`) };
  } catch {
    return undefined;
  }
}

interface CacheFile {
  directory: string;
  /** What the names of every cache of this bundle start with. */
  prefix: string;
  file: string;
}

function privateCacheDirectory(): string | undefined {
  try {
    const uid = process.getuid?.();
    if (uid === undefined) return undefined;
    const directory = path.join(os.tmpdir(), `order-saga-code-cache-${uid}`);
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const found = lstatSync(directory);
    const onlyMine = found.isDirectory() && found.uid === uid && (found.mode & 0o077) === 0;
    return onlyMine ? directory : undefined;
  } catch {
    return undefined;
  }
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Written whole or not at all; the bundle's older caches go, so that they never pile up. */
function writeCache({ directory, prefix, file }: CacheFile, script: vm.Script): void {
  try {
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
    renameSync(partial, file);
    for (const name of readdirSync(directory)) {
      const other = path.join(directory, name);
      if (name.startsWith(prefix) && name.endsWith('.v8') && other !== file) rmSync(other);
    }
  } catch {
    // A cache is an optimisation: the next start compiles as usual.
  }
}
