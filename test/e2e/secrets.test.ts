// No secret leaves the process: a full CLI run (validate, plan --verbose --out, apply of that
// plan with DEBUG=vault-roster and --evidence, an evidence bundle read back by plan id, as-of, a
// failed login, an expired ready session) is scanned whole: stdout, stderr and every file it left
// in the repo folder (plan, journal, kept plan, state, lock, both evidence bundles).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRosterFixture } from '../helpers/roster.js';
import { runCliCaptured, type CliRun } from '../helpers/cli.js';
import { adminSession } from '../helpers/simulator.js';
import { forwarder } from '../vault/oauth-proxy.js';

const PASSWORD = 'Leak-Canary-Pa55word-4412';
const WRONG_PASSWORD = 'Leak-Canary-Wrong-9921';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('secrets in a full CLI run', () => {
  it('never print or write the password or a session id', async () => {
    const fx = await startRosterFixture({ sim: { adminPassword: PASSWORD } });
    const withPassword = { ...fx.env, VAULT_PASSWORD: PASSWORD };
    const runs: CliRun[] = [];
    const run = async (argv: string[], env: Record<string, string | undefined>): Promise<CliRun> => {
      const result = await runCliCaptured(argv, { env, cwd: fx.dir });
      runs.push(result);
      return result;
    };

    expect((await run(['validate'], withPassword)).code).toBe(0);
    // A git repo, so the as-of listing below has history to read.
    for (const args of [['init', '-q', '-b', 'main'], ['add', '.'], ['commit', '-q', '-m', 'roster']]) {
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: fx.dir, stdio: 'ignore' });
    }
    expect((await run(['plan', '--verbose', '--out', 'plan.json'], withPassword)).code).toBe(0);
    const applied = await run(['apply', 'plan.json', '--auto-approve', '--evidence', 'evidence-apply'], { ...withPassword, DEBUG: 'vault-roster' });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(/POST \/api\/v26\.2\/auth/);
    const id = /^plan id: ([0-9a-f]{64})$/m.exec(applied.stderr)?.[1] ?? '';
    expect((await run(['evidence', id, '--out', 'evidence-later', '--verbose'], withPassword)).code).toBe(0);
    const listed = await run(['evidence', 'as-of', new Date().toISOString(), '--format', 'json'], withPassword);
    expect(listed.code, listed.stderr).toBe(0);
    // A ready session id, used for a verbose plan and then again once it has expired.
    const sessionId = await adminSession(fx.sim, 'veepharm-clinical.veevavault.com', 'v26.2');
    const withSession = { NO_COLOR: '1', VAULT_URL: fx.sim.url, VAULT_SESSION_ID: sessionId };
    expect((await run(['plan', '--verbose', '--format', 'json'], withSession)).code).toBe(0);
    fx.sim.expireSessions();
    expect((await run(['plan', '--verbose'], withSession)).code).toBe(1);
    expect((await run(['plan', '--verbose'], { ...fx.env, VAULT_PASSWORD: WRONG_PASSWORD })).code).toBe(1);

    // The runs did talk to Vault, verbosely, and left a plan, a journal and a state file.
    const output = runs.map((r) => `${r.stdout}\n${r.stderr}`).join('\n');
    expect(output).toMatch(/GET \/api\/v26\.2\/objects\/users/);
    const files = filesUnder(fx.dir).filter((f) => !f.endsWith('.yaml'));
    expect(files.some((f) => f.endsWith('plan.json'))).toBe(true);
    expect(files.some((f) => /journal/.test(f))).toBe(true);
    for (const bundle of ['evidence-apply', 'evidence-later']) expect(files.some((f) => f.endsWith(join(bundle, 'manifest.json')))).toBe(true);
    expect(files.some((f) => f.endsWith(join('evidence-later', 'changes.json')))).toBe(true);
    const written = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const secret of [PASSWORD, WRONG_PASSWORD, sessionId]) {
      expect(output).not.toContain(secret);
      expect(written).not.toContain(secret);
    }
  });
});

const CLIENT_SECRET = 'Leak-Canary-Client-Secret-7731';
const WRONG_SECRET = 'Leak-Canary-Wrong-Secret-5518';
const READY_TOKEN = 'Leak-Canary-Access-Token-3390';
const REFUSED_TOKEN = 'Leak-Canary-Refused-Token-6604';

describe('OAuth secrets in a full CLI run', () => {
  it('never print or write the client secret, an access token (given or issued) or the session', async () => {
    const fx = await startRosterFixture({
      sim: { oauth: { profiles: ['canary-profile'], clients: { 'canary-client': { secret: CLIENT_SECRET, user: 'admin@sim.veevavault.local' } }, tokens: { [READY_TOKEN]: 'admin@sim.veevavault.local' } } },
    });
    // The login host and the vault are recorders in front of the simulator: they show the tokens
    // that were issued and the sessions that were used.
    const [login, vault] = await Promise.all([forwarder(fx.sim.url), forwarder(fx.sim.url)]);
    const oauth = { NO_COLOR: '1', VAULT_URL: vault.url, VAULT_OAUTH_PROFILE_ID: 'canary-profile', VAULT_OAUTH_LOGIN_HOST: login.url };
    const grant = { ...oauth, VAULT_OAUTH_TOKEN_URL: `${fx.sim.url}/oauth2/token`, VAULT_OAUTH_CLIENT_ID: 'canary-client', VAULT_OAUTH_CLIENT_SECRET: CLIENT_SECRET };
    const runs: CliRun[] = [];
    const run = async (argv: string[], env: Record<string, string | undefined>): Promise<CliRun> => {
      const result = await runCliCaptured(argv, { env, cwd: fx.dir });
      runs.push(result);
      return result;
    };

    expect((await run(['plan', '--verbose', '--out', 'plan.json'], grant)).code).toBe(0);
    const applied = await run(['apply', 'plan.json', '--auto-approve'], { ...grant, DEBUG: 'vault-roster' });
    expect(applied.code, applied.stderr).toBe(0);
    expect((await run(['plan', '--verbose', '--format', 'json'], { ...oauth, VAULT_ACCESS_TOKEN: READY_TOKEN })).code).toBe(0);
    expect((await run(['doctor', '--format', 'json'], grant)).code).toBeLessThan(2);
    const refused = await run(['plan', '--verbose'], { ...oauth, VAULT_ACCESS_TOKEN: REFUSED_TOKEN });
    expect(refused.stderr).toContain('error [oauth-session]');
    const wrong = await run(['plan', '--verbose'], { ...grant, VAULT_OAUTH_CLIENT_SECRET: WRONG_SECRET });
    expect(wrong.stderr).toContain('error [oauth-token]');

    const issued = login.seen.map((r) => /^Bearer (\S+)$/.exec(r.authorization ?? '')?.[1] ?? '').filter((t) => t !== '' && t !== READY_TOKEN && t !== REFUSED_TOKEN);
    expect(issued.length).toBeGreaterThanOrEqual(3);
    const sessions = [...new Set(vault.seen.map((r) => r.authorization ?? '').filter((a) => a !== ''))];
    expect(sessions.length).toBeGreaterThanOrEqual(4);
    const output = runs.map((r) => `${r.stdout}\n${r.stderr}`).join('\n');
    expect(output).toMatch(/POST \/auth\/oauth\/session\/canary-profile/);
    const files = filesUnder(fx.dir).filter((f) => !f.endsWith('.yaml'));
    expect(files.some((f) => /journal/.test(f))).toBe(true);
    const written = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const secret of [CLIENT_SECRET, WRONG_SECRET, READY_TOKEN, REFUSED_TOKEN, ...issued, ...sessions]) {
      expect(output).not.toContain(secret);
      expect(written).not.toContain(secret);
    }
  });
});
