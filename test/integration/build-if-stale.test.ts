import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** A project of one source file with the real script and the real TypeScript compiler. */
function miniProject(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'build-if-stale-'));
  mkdirSync(path.join(dir, 'scripts'));
  mkdirSync(path.join(dir, 'lib'));
  copyFileSync(
    path.join(root, 'scripts/build-if-stale.mjs'),
    path.join(dir, 'scripts/build-if-stale.mjs'),
  );
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { outDir: 'dist', rootDir: '.', skipLibCheck: true } }),
  );
  writeFileSync(
    path.join(dir, 'tsconfig.build.json'),
    JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: { incremental: true, tsBuildInfoFile: 'dist/.tsbuildinfo' },
      include: ['lib'],
    }),
  );
  writeFileSync(path.join(dir, 'lib/answer.ts'), 'export const answer: number = 41;\n');
  return dir;
}

function run(dir: string) {
  const result = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr };
}

/** Moves a file's time into the past, as if the last build happened a while ago. */
function age(file: string, seconds: number): void {
  const then = new Date(Date.now() - seconds * 1000);
  utimesSync(file, then, then);
}

describe('build-if-stale (npm start and scripts start without a full rebuild)', function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(() => {
    dir = miniProject();
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given a fresh clone without dist/, when run, then it compiles the sources', () => {
    const result = run(dir);

    expect(result.status, result.stderr).to.equal(0);
    expect(result.stderr).to.include('compiling');
    expect(readFileSync(path.join(dir, 'dist/lib/answer.js'), 'utf8')).to.include('41');
  });

  it('given a build newer than every source, when run, then it compiles nothing', () => {
    expect(run(dir).status).to.equal(0);

    const result = run(dir);

    expect(result.status).to.equal(0);
    expect(result.stderr).to.equal('');
  });

  it('given a source edited after the build, when run, then dist/ has the edit', () => {
    expect(run(dir).status).to.equal(0);
    age(path.join(dir, 'dist/.tsbuildinfo'), 60);
    writeFileSync(path.join(dir, 'lib/answer.ts'), 'export const answer: number = 42;\n');

    const result = run(dir);

    expect(result.status, result.stderr).to.equal(0);
    expect(readFileSync(path.join(dir, 'dist/lib/answer.js'), 'utf8')).to.include('42');
  });

  it('given a source added after the build, when run, then it is compiled', () => {
    expect(run(dir).status).to.equal(0);
    age(path.join(dir, 'dist/.tsbuildinfo'), 60);
    writeFileSync(path.join(dir, 'lib/added.ts'), 'export const added = true;\n');

    expect(run(dir).status).to.equal(0);

    expect(existsSync(path.join(dir, 'dist/lib/added.js'))).to.equal(true);
  });

  it('given a source touched without a change, when run twice, then only the first run compiles', () => {
    expect(run(dir).status).to.equal(0);
    age(path.join(dir, 'dist/.tsbuildinfo'), 60);
    age(path.join(dir, 'lib/answer.ts'), 30);

    const first = run(dir);
    const second = run(dir);

    expect(first.stderr).to.include('compiling');
    expect(second.stderr).to.equal('');
  });

  it('given a source that does not compile, when run, then it fails', () => {
    writeFileSync(path.join(dir, 'lib/answer.ts'), 'export const answer: number = "no";\n');

    expect(run(dir).status).to.not.equal(0);
  });
});
