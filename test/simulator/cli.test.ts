import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import type { CliIo } from '../../src/cli/command.js';
import { runCliCaptured } from '../helpers/cli.js';

interface Running {
  readonly url: Promise<string>;
  readonly done: Promise<number>;
  readonly stop: () => void;
  readonly output: () => { stdout: string; stderr: string };
}

/** Runs `vault-roster simulator …` in-process with an AbortController as SIGINT/SIGTERM. */
function runInProcess(args: readonly string[]): Running {
  const controller = new AbortController();
  let stdout = '';
  let stderr = '';
  let announce: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolveUrl) => {
    announce = resolveUrl;
  });
  const io: CliIo = {
    stdout: {
      write: (s: string) => {
        stdout += s;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
        if (m?.[1] !== undefined) announce(m[1]);
        return true;
      },
    },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd: process.cwd(),
    stdinIsTTY: false,
    signal: controller.signal,
  };
  const done = runCli(['simulator', ...args], io);
  return { url, done, stop: () => { controller.abort(); }, output: () => ({ stdout, stderr }) };
}

describe('vault-roster simulator', () => {
  it('prints the URL, serves until aborted, then flushes the state file and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vr-cli-'));
    const state = join(dir, 'state.json');
    const run = runInProcess(['--port', '0', '--state', state, '--admin-user', 'root@sim.local', '--admin-password', 'pw', '--burst-limit', '50']);
    const url = await run.url;
    expect(run.output().stdout).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    const auth = await fetch(`${url}/api/v25.2/auth`, { method: 'POST', body: new URLSearchParams({ username: 'root@sim.local', password: 'pw' }) });
    const body = (await auth.json()) as { responseStatus: string; sessionId: string };
    expect(body.responseStatus).toBe('SUCCESS');
    const me = await fetch(`${url}/api/v25.2/objects/users/me`, { headers: { Authorization: body.sessionId } });
    expect(me.headers.get('x-vaultapi-burstlimit')).toBe('50');
    await fetch(`${url}/api/v25.2/objects/users/me`, { method: 'PUT', headers: { Authorization: body.sessionId, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'user_title__v=Night%20Shift' });
    run.stop();
    expect(await run.done).toBe(0);
    expect(readFileSync(state, 'utf8')).toContain('Night Shift');
    await expect(fetch(`${url}/_sim/health`)).rejects.toThrow();
  });

  it.each([
    ['a non-numeric port', ['--port', 'abc'], /--port needs a whole number/],
    ['a port out of range', ['--port', '70000'], /--port needs a whole number up to 65535/],
    ['a bad burst mode', ['--burst-mode', 'fast'], /--burst-mode must be delay or reject/],
    ['a zero burst limit', ['--burst-limit', '0'], /--burst-limit must be at least 1/],
    ['a bad fault spec', ['--faults', 'meteor=1'], /--faults: unknown fault 'meteor'/],
    ['a missing seed file', ['--seed', '/nonexistent/seed.json'], /cannot read seed file \/nonexistent\/seed\.json/],
  ])('refuses %s with one line and a hint, exit 1, no stack trace', async (_name, args, message) => {
    const run = await runCliCaptured(['simulator', ...args]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/hint: /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an invalid seed file, naming the place in it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vr-cli-')), 'seed.json');
    writeFileSync(path, JSON.stringify({ vaults: [{ id: 1, name: 'A' }] }));
    const run = await runCliCaptured(['simulator', '--seed', path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('vaults[0].dns');
    expect(run.stderr.trim().split('\n')).toHaveLength(2);
  });

  it('prints help starting with the usage line', async () => {
    const run = await runCliCaptured(['simulator', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: vault-roster simulator/);
  });

  const built = existsSync(resolve('dist/src/cli/commands/simulator.js'));
  it.skipIf(!built)('runs as a process and stops cleanly on SIGTERM (built dist/)', async () => {
    const child = spawn(process.execPath, ['dist/src/cli/main.js', 'simulator', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const url = await new Promise<string>((resolveUrl, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
        if (m?.[1] !== undefined) resolveUrl(m[1]);
      });
      child.once('exit', (code) => {
        reject(new Error(`exited early with ${String(code)}`));
      });
    });
    expect((await fetch(`${url}/_sim/health`)).status).toBe(200);
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', resolveExit));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
