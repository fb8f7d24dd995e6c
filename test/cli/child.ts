/** Runs the built CLI as a real child process (signals, pipes, terminals need a real process). */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The child runs dist/: build it when it is missing or older than src/. */
export function ensureBuilt(): void {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestSource(join(ROOT, 'src'))) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  } catch {
    // Type errors elsewhere still emit JavaScript; only a missing entry point stops the test.
  }
  if (!existsSync(MAIN)) throw new Error(`${MAIN} was not built`);
}

export interface Child {
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or 128 + signal number when killed). */
  readonly exit: Promise<number>;
}

export function startChild(command: string, args: readonly string[], options: { cwd: string; env: Record<string, string | undefined> }): Child {
  const child = spawn(command, args, { cwd: options.cwd, env: { PATH: process.env.PATH, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exit = new Promise<number>((resolve) => {
    child.on('close', (code, signal) => { resolve(code ?? (signal === null ? -1 : 128 + (signal === 'SIGKILL' ? 9 : 15))); });
  });
  return { process: child, stdout: () => out, stderr: () => err, exit };
}

export function startCli(args: readonly string[], options: { cwd: string; env: Record<string, string | undefined> }): Child {
  return startChild(process.execPath, [MAIN, ...args], options);
}

/** Polls `ready` every few ms until it holds or `ms` pass (then throws, naming `what`). */
export async function until(ready: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
