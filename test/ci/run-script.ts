/**
 * Runs one of examples/ci/scripts as a child process, the way a workflow step does: a clean
 * environment (no GITHUB_* leaking in from the machine running the tests), a fresh GITHUB_OUTPUT
 * file, and the step outputs parsed back.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SCRIPTS_DIR = join(REPO_ROOT, 'examples/ci/scripts');
export const WORKFLOWS_DIR = join(REPO_ROOT, 'examples/ci/workflows');

export interface ScriptRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
}

/** A temporary folder removed when the current test finishes. */
export function tempDir(prefix = 'vault-roster-ci-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) outputs[line.slice(0, at)] = line.slice(at + 1);
  }
  return outputs;
}

export async function runScript(
  script: string,
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<ScriptRun> {
  const work = tempDir('vault-roster-step-');
  const outputFile = join(work, 'github-output');
  writeFileSync(outputFile, '');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work, GITHUB_OUTPUT: outputFile };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) Reflect.deleteProperty(env, key);
    else env[key] = value;
  }
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [join(SCRIPTS_DIR, script), ...args], { env, cwd: options.cwd ?? work, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolvePromise({ code, stdout, stderr, outputs: parseOutputs(readFileSync(outputFile, 'utf8')) });
    });
  });
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Access Admin',
      GIT_AUTHOR_EMAIL: 'access.admin@veepharm.com',
      GIT_COMMITTER_NAME: 'Access Admin',
      GIT_COMMITTER_EMAIL: 'access.admin@veepharm.com',
    },
  }).trim();
}

/** A fresh git repo holding a copy of examples/minimal, committed on main; returns its path. */
export function rosterRepo(): string {
  const dir = tempDir('vault-roster-repo-');
  cpSync(join(REPO_ROOT, 'examples/minimal'), dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'Roster as imported');
  return dir;
}
