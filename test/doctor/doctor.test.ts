/**
 * `vault-roster doctor` over real HTTP: a clean report against the default reading of Vault, a
 * FAIL (exit 1) when the session is in another vault than roster.yaml names, only reads sent
 * (asserted from the simulator's request log), no secret in any output, and a hostile server
 * answering HTML or truncated JSON reported as a FAIL naming the call, never a stack trace.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSeed } from '../../src/simulator/index.js';
import { runCliCaptured } from '../helpers/cli.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { writesSeen } from './support.js';

const PASSWORD = 'doctor-Pa55word-not-admin';
/** A user as Vault returns it, but for its memberships. */
const JANE = {
  id: 42,
  user_name__v: 'jane.real@example.org',
  user_first_name__v: 'Jane',
  user_last_name__v: 'Real',
  user_email__v: 'jane.real@example.org',
  user_timezone__v: 'Europe/Berlin',
  user_locale__v: 'de_DE',
  user_language__v: 'de',
  security_policy_id__v: 821,
  is_domain_admin__v: false,
  domain_active__v: true,
};

let repo: RosterFixture;

beforeAll(async () => {
  repo = await startRosterFixture({ example: 'minimal', seed: defaultSeed(), sim: { adminPassword: PASSWORD } });
  repo.env.VAULT_PASSWORD = PASSWORD;
});

afterAll(async () => {
  await repo.sim.close();
});

describe('doctor against the simulator', () => {
  it('prints a clean report and sends only reads', async () => {
    repo.sim.clearRequestLog();
    const run = await repo.run(['doctor']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/^FAIL/m);
    for (const title of ['Logged in to vault 3003, the vault roster.yaml names', 'API v25.2 is accepted', 'Retrieve All Users pages as vault-roster expects', 'Burst limit 2000 per 5 minutes']) {
      expect(run.stdout).toContain(title);
    }
    expect(run.stdout).toMatch(/^OK {3}vault_membership \/ app_licensing of \d+ users read without a problem$/m);
    expect(writesSeen(repo.sim)).toEqual([]);
    expect(repo.sim.requestLog().some((e) => e.method === 'POST' && e.path.endsWith('/auth'))).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
  });

  it('reports as JSON, and a session in another vault is a FAIL with exit code 1', async () => {
    const run = await repo.run(['doctor', '--format', 'json']);
    const report = JSON.parse(run.stdout) as { format: string; summary: Record<string, number>; findings: { id: string; status: string }[] };
    expect(report.format).toBe('vault-roster-doctor/1');
    expect(report.summary.FAIL).toBe(0);
    expect(report.findings.map((f) => f.id)).toEqual(['login', 'user-rights', 'api-version', 'domain', 'users-paging', 'user-decoding', 'clinical', 'sitevault', 'licenses', 'burst-limit']);
    const elsewhere = await runCliCaptured(['doctor', '--format', 'json'], { env: { ...repo.env, VAULT_DNS: 'veepharm-quality.veevavault.com' }, cwd: repo.dir });
    expect(elsewhere.code).toBe(1);
    const failed = (JSON.parse(elsewhere.stdout) as typeof report).findings.filter((f) => f.status === 'FAIL').map((f) => f.id);
    expect(failed).toEqual(['login']);
  });

  it('explains a bad --format', async () => {
    const run = await repo.run(['doctor', '--format', 'yaml']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error [usage] --format takes text or json, not 'yaml'");
  });
});

describe('doctor against a server that is not Vault', () => {
  const SESSION = 'hostile-session-0123456789abcdef';
  let server: Server;
  let url: string;
  /** `html`: maintenance pages and a truncated list; `shapes`: JSON with a membership vault-roster cannot read. */
  let mode: 'html' | 'shapes' = 'html';

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (req.method === 'POST' && path.endsWith('/auth')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ responseStatus: 'SUCCESS', sessionId: SESSION, userId: 7, vaultId: 3003, vaultIds: [{ id: 3003, name: 'V', url: 'https://v.example.com/api' }] }));
      } else if (mode === 'shapes' && path.endsWith('/objects/users')) {
        const start = new URL(req.url ?? '', 'http://x').searchParams.get('start');
        const users = start === '0' ? [{ user: { ...JANE, vault_membership: [{ vault: 3003, on: 'yes' }], app_licensing: [] } }] : [];
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ responseStatus: 'SUCCESS', size: users.length, start: Number(start), limit: 1000, users }));
      } else if (path.endsWith('/objects/users')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(`{"responseStatus":"SUCCESS","size":2,"users":[{"user":{"id":1,"user_name__v":"x${SESSION}`);
      } else {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<html><body>Scheduled maintenance</body></html>');
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });

  it('reports each unreadable answer as a FAIL naming the call, without a stack trace or secret', async () => {
    const run = await runCliCaptured(['doctor'], { env: { NO_COLOR: '1', VAULT_URL: url, VAULT_USERNAME: 'someone', VAULT_PASSWORD: PASSWORD }, cwd: repo.dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL Validate Session User \(GET objects\/users\/me\) failed\n {5}GET \/api\/v25\.2\/objects\/users\/me\?\S*: the answer is not a Vault JSON envelope; it starts/m);
    expect(run.stdout).toMatch(/^FAIL Retrieve All Users could not be read\n {5}GET \/api\/v25\.2\/objects\/users\?vaults=all&.*not a Vault JSON envelope/m);
    expect(run.stdout).toContain('Scheduled maintenance');
    const all = run.stdout + run.stderr;
    expect(all).not.toMatch(/\n\s+at /);
    expect(all).not.toContain(SESSION);
    expect(all).not.toContain(PASSWORD);
  });

  it('names a user whose vault_membership vault-roster cannot read, as a FAIL with an excerpt', async () => {
    mode = 'shapes';
    const run = await runCliCaptured(['doctor'], { env: { NO_COLOR: '1', VAULT_URL: url, VAULT_USERNAME: 'someone', VAULT_PASSWORD: PASSWORD }, cwd: repo.dir });
    mode = 'html';
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL 1 of 1 users cannot be read by vault-roster\n {5}user 42, field vault_membership.*"vault":3003/m);
    expect(run.stdout).not.toContain('jane.real');
  });
});

it('doctor --help shows its usage', async () => {
  const run = await runCliCaptured(['doctor', '--help']);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^Usage: vault-roster doctor \[--config roster\.yaml\] \[--format text\|json\] \[--record DIR\]/);
});
