// No secret leaves the process: a full CLI run (validate, plan --verbose --out, apply of that
// plan with DEBUG=vault-roster, a failed login, an expired ready session) is scanned whole:
// stdout, stderr and every file it left in the repo folder (plan, journal, state, lock).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRosterFixture } from '../helpers/roster.js';
import { runCliCaptured, type CliRun } from '../helpers/cli.js';
import { adminSession } from '../helpers/simulator.js';

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
    expect((await run(['plan', '--verbose', '--out', 'plan.json'], withPassword)).code).toBe(0);
    const applied = await run(['apply', 'plan.json', '--auto-approve'], { ...withPassword, DEBUG: 'vault-roster' });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(/POST \/api\/v26\.2\/auth/);
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
    const written = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const secret of [PASSWORD, WRONG_PASSWORD, sessionId]) {
      expect(output).not.toContain(secret);
      expect(written).not.toContain(secret);
    }
  });
});
