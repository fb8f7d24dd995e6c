/**
 * The OAuth login and the session lifecycle through the CLI: plan and doctor with the
 * VAULT_OAUTH_* variables a CI job passes, the session ended when the command finishes, and a
 * half-set configuration refused before any call.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIM_OAUTH } from '../../src/simulator/sessions.js';
import { runCliCaptured } from '../helpers/cli.js';
import { startRosterFixture } from '../helpers/roster.js';

function oauthEnv(simUrl: string): Record<string, string> {
  return {
    NO_COLOR: '1',
    VAULT_URL: simUrl,
    VAULT_OAUTH_PROFILE_ID: DEFAULT_SIM_OAUTH.profile,
    VAULT_OAUTH_LOGIN_HOST: simUrl,
    VAULT_OAUTH_TOKEN_URL: `${simUrl}/oauth2/token`,
    VAULT_OAUTH_CLIENT_ID: DEFAULT_SIM_OAUTH.clientId,
    VAULT_OAUTH_CLIENT_SECRET: DEFAULT_SIM_OAUTH.clientSecret,
  };
}

describe('OAuth through the CLI', () => {
  it('plan logs in with the grant, reads, and ends its session last', async () => {
    const fx = await startRosterFixture();
    fx.sim.clearRequestLog();
    const oauth = await runCliCaptured(['plan', '--detailed-exitcode'], { env: oauthEnv(fx.sim.url), cwd: fx.dir });
    expect(oauth.code, oauth.stderr).toBe(2);
    const log = fx.sim.requestLog().map((e) => `${e.method} ${e.path.replace(/^\/api\/v[\d.]+/, '')} ${e.status}`);
    expect(log.slice(0, 2)).toEqual(['POST /oauth2/token SUCCESS', `POST /auth/oauth/session/${DEFAULT_SIM_OAUTH.profile} SUCCESS`]);
    expect(log.at(-1)).toBe('DELETE /session SUCCESS');
    expect(log.filter((l) => l.startsWith('DELETE'))).toHaveLength(1);
    expect(log.filter((l) => / \/auth /.test(l))).toEqual([]);
  });

  it('doctor names the OAuth login in its login finding', async () => {
    const fx = await startRosterFixture();
    const run = await runCliCaptured(['doctor', '--format', 'json'], { env: oauthEnv(fx.sim.url), cwd: fx.dir });
    const report = JSON.parse(run.stdout) as { findings: { id: string; status: string; detail: string[] }[] };
    const login = report.findings.find((f) => f.id === 'login');
    expect(login?.status).toBe('OK');
    expect(login?.detail[0]).toBe(`login: OAuth 2.0 / OIDC profile ${DEFAULT_SIM_OAUTH.profile} at 127.0.0.1:${fx.sim.port}, with a token from 127.0.0.1:${fx.sim.port} (client-credentials grant)`);
  });

  it('doctor reports a failed OAuth login as a FAIL naming the step', async () => {
    const fx = await startRosterFixture();
    const run = await runCliCaptured(['doctor'], { env: { ...oauthEnv(fx.sim.url), VAULT_OAUTH_CLIENT_SECRET: 'wrong-secret' }, cwd: fx.dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL Could not log in$/m);
    expect(run.stdout).toContain('OAuth login failed at step 1 of 2, the token endpoint');
    expect(run.stdout).not.toContain('wrong-secret');
  });

  it('a half-set OAuth configuration is refused before any call', async () => {
    const fx = await startRosterFixture();
    fx.sim.clearRequestLog();
    const { VAULT_OAUTH_CLIENT_SECRET: _secret, ...env } = oauthEnv(fx.sim.url);
    const run = await runCliCaptured(['plan'], { env, cwd: fx.dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error [connection-config] VAULT_OAUTH_PROFILE_ID is set but there is no access token');
    expect(fx.sim.requestLog()).toEqual([]);
  });
});
