/**
 * Packs this checkout with `npm pack` and installs the tarball into a fresh temporary roster
 * repository, the way a team would (`npm install --save-dev vault-roster`, commit the lock file,
 * `npm ci`), but offline: the repository's package-lock.json names the tarball and, for each
 * runtime dependency, the exact version and integrity this checkout's lock file pins, so
 * `npm ci --offline` takes them from the npm cache the checkout's own `npm ci` filled. Nothing
 * reaches a registry; a cache without them fails with a message saying so.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface LockEntry {
  readonly version: string;
  readonly integrity?: string;
  readonly dev?: boolean;
  readonly [key: string]: unknown;
}
interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly dependencies: Record<string, string>;
  readonly bin: Record<string, string>;
  readonly engines: Record<string, string>;
}

export interface PackedInstall {
  /** The temporary roster repository (outside this checkout), with node_modules/vault-roster. */
  readonly repo: string;
  readonly tarball: string;
  /** Paths inside the tarball, as `npm pack --json` lists them. */
  readonly files: readonly string[];
  readonly version: string;
  /** node_modules/.bin/vault-roster in `repo`. */
  readonly bin: string;
  /** Environment for child processes: no npm_* variables of the test run, npm kept offline. */
  readonly env: Record<string, string>;
  remove(): void;
}

export interface ProcessRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runProcess(command: string, args: readonly string[], cwd: string, env: Record<string, string>): Promise<ProcessRun> {
  return new Promise((resolvePromise) => {
    execFile(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** PATH and HOME only (HOME holds the npm cache), with npm told never to go online. */
function offlineEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    NO_COLOR: '1',
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

function sha512(path: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(path)).digest('base64')}`;
}

/** The roster repo's lock file: the tarball plus this checkout's pinned runtime dependencies. */
function lockFor(pkg: PackageJson, tarballName: string, integrity: string): object {
  const ours = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, unknown> = {
    '': { name: 'roster', devDependencies: { 'vault-roster': `file:${tarballName}` } },
    'node_modules/vault-roster': {
      version: pkg.version,
      resolved: `file:${tarballName}`,
      integrity,
      dev: true,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  // Runtime dependencies are the entries npm did not mark dev-only; in the roster repo they are all dev.
  for (const [path, entry] of Object.entries(ours.packages)) if (path !== '' && entry.dev !== true) packages[path] = { ...entry, dev: true };
  return { name: 'roster', lockfileVersion: 3, requires: true, packages };
}

async function npm(args: readonly string[], cwd: string, env: Record<string, string>, what: string): Promise<string> {
  const run = await runProcess('npm', args, cwd, env);
  if (run.code === 0) return run.stdout;
  const why = run.stderr.trim().split('\n').slice(-4).join('\n');
  const cache = /ENOTCACHED|only-if-cached/.test(run.stderr)
    ? "\nThe npm cache lacks a dependency: run 'npm ci' in this checkout first (it fills the cache); this test never goes online."
    : '';
  throw new Error(`${what}: npm ${args.join(' ')} exited ${run.code} in ${cwd}\n${why}${cache}`);
}

/**
 * Packs the built checkout (dist/ must be current: `npm test` builds first; --ignore-scripts so
 * packing does not rebuild) and installs it into a new roster repository.
 */
export async function packAndInstall(): Promise<PackedInstall> {
  const env = offlineEnv();
  const work = mkdtempSync(join(tmpdir(), 'vr-packed-'));
  const repo = join(work, 'roster');
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
  const packed = JSON.parse(await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO_ROOT, env, 'packing')) as [
    { filename: string; files: { path: string }[] },
  ];
  const [{ filename, files }] = packed;
  const tarball = join(work, filename);
  mkdirSync(repo);
  writeFileSync(join(repo, 'package.json'), `${JSON.stringify({ name: 'roster', private: true, devDependencies: { 'vault-roster': `file:../${filename}` } }, null, 2)}\n`);
  writeFileSync(join(repo, 'package-lock.json'), `${JSON.stringify(lockFor(pkg, `../${filename}`, sha512(tarball)), null, 2)}\n`);
  await npm(['ci', '--offline', '--no-audit', '--no-fund'], repo, env, 'installing the packed tarball');
  return {
    repo,
    tarball,
    files: files.map((f) => f.path),
    version: pkg.version,
    bin: join(repo, 'node_modules', '.bin', 'vault-roster'),
    env,
    remove: () => {
      rmSync(work, { recursive: true, force: true });
    },
  };
}
