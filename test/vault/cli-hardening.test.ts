/**
 * The client's hardening as a user meets it through the CLI: exit code, the error line with its
 * code and hint, and what the server saw. Hostile loopback servers play silence and redirects;
 * the simulator plays sessions that keep expiring.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';
import { EXAMPLES_DIR, startRosterFixture } from '../helpers/roster.js';
import { answerLogin, hostileServer, json, RIM_VAULT, silence, type Handler, type HostileServer } from './hostile-server.js';

const PASSWORD = 'cli-Pa55word';
const repos: string[] = [];

afterEach(() => {
  for (const dir of repos.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

function minimalRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vr-hardening-'));
  repos.push(dir);
  cpSync(join(EXAMPLES_DIR, 'minimal'), dir, { recursive: true });
  return dir;
}

const envFor = (server: HostileServer): Record<string, string> => ({
  NO_COLOR: '1',
  VAULT_URL: server.url,
  VAULT_USERNAME: 'admin@sim.veevavault.local',
  VAULT_PASSWORD: PASSWORD,
});

/** examples/minimal in a temp folder, planned against `server`. */
function planAgainst(server: HostileServer, extra: string[] = []) {
  return runCliCaptured(['plan', ...extra], { cwd: minimalRepo(), env: envFor(server) });
}

/**
 * Logs in, lists full pages of users for ever (each a moment late, so the listing is still
 * running when the command fails), and refuses the security policies after a while.
 */
function endlessPagesThenFailure(): Handler {
  let next = 1;
  return (req, res) => {
    if (req.path.endsWith('/auth')) {
      answerLogin(res, RIM_VAULT);
    } else if (req.path.includes('/objects/users/me')) {
      json(res, { responseStatus: 'SUCCESS', users: [{ user: { id: 25001, user_name__v: 'admin@sim.veevavault.local' } }] });
    } else if (req.path.includes('/objects/domain')) {
      json(res, { responseStatus: 'SUCCESS', domain__v: { vaults__v: [{ id: 3003 }] } });
    } else if (req.path.includes('/objects/licenses')) {
      json(res, { responseStatus: 'SUCCESS', applications: [] });
    } else if (/\/objects\/users\?/.test(req.path)) {
      const users = [next, next + 1].map((id) => ({ user: { id, user_name__v: `u${id}@veepharm.com` } }));
      next += 2;
      setTimeout(() => {
        json(res, { responseStatus: 'SUCCESS', size: 2, limit: 2, start: next - 3, users });
      }, 5);
    } else if (req.path.includes('/objects/securitypolicies')) {
      setTimeout(() => {
        json(res, { responseStatus: 'FAILURE', errors: [{ type: 'INSUFFICIENT_ACCESS', message: 'no access to security policies' }] });
      }, 100);
    }
  };
}

describe('plan against a hostile server', () => {
  it('a server that never answers ends at --deadline with a message naming the call', async () => {
    const server = await hostileServer(silence());
    const run = await planAgainst(server, ['--deadline', '300ms']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'error [deadline-exceeded] vault-roster stopped at its 300 ms deadline for this command, waiting for an answer to POST /api/v25.2/auth\n' +
        '  hint: Raise the limit with --deadline (or VAULT_DEADLINE), e.g. --deadline 2h, if the run is expected to take that long; otherwise check that VAULT_URL answers. Re-running is safe: apply resumes from its journal.\n',
    );
    expect(server.requests.length).toBeLessThanOrEqual(1);
  });

  it('a redirect at login is refused: the password is never posted to the other origin', async () => {
    const other = await hostileServer((_req, res) => {
      answerLogin(res);
    });
    const server = await hostileServer((_req, res) => {
      res.writeHead(307, { Location: `${other.url}/api/v25.2/auth` });
      res.end();
    });
    const run = await planAgainst(server);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error [transport-redirect] POST /api/v25.2/auth failed: Vault answered HTTP 307, a redirect to ${other.host}, which vault-roster never follows`,
    );
    expect(run.stderr).not.toContain(PASSWORD);
    expect(other.requests).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a --deadline that is not a duration before any request', async () => {
    const server = await hostileServer(silence());
    const run = await planAgainst(server, ['--deadline', 'soon']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error \[connection-config\] --deadline is not a duration from 1 ms to 7 days: 'soon'\n {2}hint: /);
    expect(server.requests).toEqual([]);
  });
});

describe('after an error', () => {
  it('no request goes on in the background once the command has ended', async () => {
    const server = await hostileServer(endlessPagesThenFailure());
    const run = await planAgainst(server);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error [vault-api] GET /api/v25.2/objects/securitypolicies failed: INSUFFICIENT_ACCESS: no access to security policies');
    const pages = server.requests.filter((r) => r.path.includes('/objects/users?')).length;
    // Paging was under way when the other read failed (how far it got depends on timing).
    expect(pages).toBeGreaterThan(0);
    // A request written just before the command ended may still reach the server a moment later
    // (same event loop); what must not happen is a request sent after that.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const seen = server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.requests).toHaveLength(seen);
  });

  it('the vault-roster process exits, with the error, while calls were still pending', async () => {
    const server = await hostileServer(endlessPagesThenFailure());
    const child = spawn(process.execPath, [MAIN, 'plan'], { cwd: minimalRepo(), env: { ...process.env, ...envFor(server) } });
    // Should the process hang after all, the test fails by its timeout and leaves nothing running.
    onTestFinished(() => {
      child.kill('SIGKILL');
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('error [vault-api] GET /api/v25.2/objects/securitypolicies failed: INSUFFICIENT_ACCESS');
    const seen = server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.requests).toHaveLength(seen);
  });
});

describe('plan while sessions keep expiring', () => {
  it('with a session ending every 2 calls, plan logs in again as often as needed and succeeds', async () => {
    const fixture = await startRosterFixture();
    fixture.sim.setFaults('expire-session-every=2');
    const run = await fixture.run(['plan', '--detailed-exitcode']);
    expect(run.stderr).not.toMatch(/error \[/);
    expect(run.code).toBe(2);
    const logins = fixture.sim.requestLog().filter((e) => e.path.endsWith('/auth')).length;
    const refused = fixture.sim.requestLog().filter((e) => e.errorTypes.includes('INVALID_SESSION_ID')).length;
    expect(logins).toBeGreaterThan(2);
    expect(logins).toBeLessThanOrEqual(refused + 1);
  });
});
