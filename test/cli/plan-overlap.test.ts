/**
 * `plan` reads Vault while the included files load (context.ts withDesiredAndLive): the outcome
 * must be the same as loading first and reading after.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.js';
import { startRosterFixture } from '../helpers/roster.js';

const BAD_USER = `
  - user_name: broken.user@veepharm.com
    first_name: Broken
    last_name: User
    email: broken.user@veepharm.com
    memberships:
      - vault: 3003
        apps: { rimReg_v: owner__v }
`;

describe('plan reading Vault while the desired files load', () => {
  it('shows the desired files\' diagnostics, not the Vault error, when both go wrong', async () => {
    const fx = await startRosterFixture({ example: 'minimal' });
    appendFileSync(join(fx.dir, 'users', 'team.yaml'), BAD_USER);
    const run = await fx.run(['plan']);
    const wrongPassword = await runCliCaptured(['plan'], { env: { ...fx.env, VAULT_PASSWORD: 'not-the-password' }, cwd: fx.dir });
    for (const r of [run, wrongPassword]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/users\/team\.yaml:\d+:\d+/);
      expect(r.stderr).toContain('owner__v');
      expect(r.stderr).not.toContain('USERNAME_OR_PASSWORD_INCORRECT');
    }
  });

  it('reports the Vault error when the desired files are valid', async () => {
    const fx = await startRosterFixture({ example: 'minimal' });
    const run = await runCliCaptured(['plan'], { env: { ...fx.env, VAULT_PASSWORD: 'not-the-password' }, cwd: fx.dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('USERNAME_OR_PASSWORD_INCORRECT');
  });

  it('sends no request at all when the config itself has an error', async () => {
    const fx = await startRosterFixture({ example: 'minimal' });
    const config = join(fx.dir, 'roster.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('max_deactivations: 10', 'max_deactivations: many'));
    fx.sim.clearRequestLog();
    const run = await fx.run(['plan']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/roster\.yaml:\d+:\d+/);
    expect(fx.sim.requestLog()).toEqual([]);
  });

  it('plans a valid repo with the same calls as before: login, the user pages and the reference reads', async () => {
    const fx = await startRosterFixture({ example: 'minimal' });
    fx.sim.clearRequestLog();
    const run = await fx.run(['plan', '--detailed-exitcode']);
    expect([0, 2]).toContain(run.code);
    expect(run.stdout).toContain('Plan:');
    const paths = fx.sim.requestLog().map((e) => `${e.method} ${e.path}`);
    expect(paths.filter((p) => p.endsWith('/auth'))).toHaveLength(1);
    expect(paths.filter((p) => /\/api\/v[\d.]+\/objects\/users$/.test(p))).toHaveLength(1);
    expect(paths.filter((p) => p.endsWith('/metadata/objects/users'))).toHaveLength(1);
    expect(paths.some((p) => p.endsWith('/query'))).toBe(false);
  });
});
