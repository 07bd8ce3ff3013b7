import { expect } from 'chai';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { CacheOptions, runBundle } from '../../lib/code-cache';

const CACHE_AFTER_MS = 20;

describe('code cache (a bundled service restarts without compiling its code again)', () => {
  let dir: string;
  let bundle: string;
  const savedTmpdir = process.env.TMPDIR;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'code-cache-'));
    mkdirSync(path.join(dir, 'payment'));
    bundle = path.join(dir, 'payment', 'main.bundle.js');
    writeBundle('ran');
  });

  afterEach(() => {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    rmSync(dir, { recursive: true, force: true });
  });

  /** A bundle that tells its entry module what it is and where it runs. */
  function writeBundle(marker: string): void {
    writeFileSync(
      bundle,
      `module.exports = { marker: ${JSON.stringify(marker)}, dirname: __dirname, ` +
        `path: require('node:path').sep };\n`,
    );
  }

  function run(options: CacheOptions) {
    const entry = new Module(path.join(path.dirname(bundle), 'main.js'));
    const source = runBundle(bundle, entry, createRequire(bundle), {
      cacheAfterMs: CACHE_AFTER_MS,
      ...options,
    });
    return { source, exports: entry.exports as Record<string, unknown> };
  }

  const cacheWritten = () => new Promise((resolve) => setTimeout(resolve, CACHE_AFTER_MS * 10));
  const caches = (directory: string) => readdirSync(directory).filter((n) => n.endsWith('.v8'));

  it('given no cache, when the bundle runs, then it is compiled, runs as the entry module beside it, and leaves a cache that the next run uses', async () => {
    const directory = path.join(dir, 'cache');
    mkdirSync(directory);

    const first = run({ directory });
    expect(first.source).to.equal('compiled');
    expect(first.exports).to.deep.equal({
      marker: 'ran',
      dirname: path.dirname(bundle),
      path: path.sep,
    });
    await cacheWritten();
    expect(caches(directory)).to.have.length(1);

    const second = run({ directory });
    expect(second.source).to.equal('cache');
    expect(second.exports.marker).to.equal('ran');
  });

  it('given a cache of an older build, when the rebuilt bundle runs, then it is compiled and its cache replaces the old one', async () => {
    const directory = path.join(dir, 'cache');
    mkdirSync(directory);
    run({ directory });
    await cacheWritten();
    const [old] = caches(directory);

    writeBundle('rebuilt, and longer than before');
    const rebuilt = run({ directory });
    expect(rebuilt.source).to.equal('compiled');
    expect(rebuilt.exports.marker).to.equal('rebuilt, and longer than before');
    await cacheWritten();
    expect(caches(directory)).to.have.length(1).and.not.include(old);
    expect(run({ directory }).source).to.equal('cache');
  });

  it('given a cache directory others may write to, when the bundle runs, then it neither reads nor writes a cache there', async () => {
    process.env.TMPDIR = dir;
    const shared = path.join(dir, `order-saga-code-cache-${process.getuid!()}`);
    mkdirSync(shared);
    chmodSync(shared, 0o777);

    expect(run({}).source).to.equal('compiled');
    await cacheWritten();
    expect(caches(shared)).to.deep.equal([]);
  });

  it('given the default cache directory, when it does not exist yet, then it is made private to this user and used', async () => {
    process.env.TMPDIR = dir;
    run({});
    await cacheWritten();
    const own = path.join(dir, `order-saga-code-cache-${process.getuid!()}`);
    expect(caches(own)).to.have.length(1);
    expect(run({}).source).to.equal('cache');
  });
});
