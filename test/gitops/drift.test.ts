import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { adminSession } from '../helpers/simulator.js';

const DNS = 'veepharm-clinical.veevavault.com';

async function vaultCall(fx: RosterFixture, method: string, path: string, body: URLSearchParams | unknown[]): Promise<Record<string, unknown>> {
  const session = await adminSession(fx.sim, DNS);
  const init: RequestInit = Array.isArray(body)
    ? { method, headers: { Authorization: session, 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
    : { method, headers: { Authorization: session }, body };
  const response = await fetch(`${fx.sim.url}/api/v25.2${path}`, init);
  const json = (await response.json()) as Record<string, unknown>;
  expect(json.responseStatus, JSON.stringify(json)).toBe('SUCCESS');
  return json;
}

function userId(fx: RosterFixture, name: string): number {
  const user = fx.sim.dump().users?.find((u) => u.user_name__v === name);
  if (user === undefined) throw new Error(`no user ${name}`);
  return user.id;
}

describe('plan --drift', () => {
  it('refuses before any apply has recorded a baseline', async () => {
    const fx = await startRosterFixture();
    const run = await fx.run(['plan', '--drift']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no apply has been recorded');
  });

  it('reports only out-of-band Vault changes, not YAML edits awaiting apply', async () => {
    const fx = await startRosterFixture();
    expect((await fx.run(['apply', '--auto-approve'])).code).toBe(0);
    const clean = await fx.run(['plan', '--drift']);
    expect(clean.code, clean.stdout).toBe(0);
    expect(clean.stdout).toContain('No changes.');
    expect(clean.stdout).toContain('nothing those users hold in Vault changed out of band since then');
    expect(clean.stdout).not.toContain('the changes below');

    // Out of band: someone edits a title in Vault and adds a user nobody declared.
    const victim = 'kate.grossman@veepharm.com';
    await vaultCall(fx, 'PUT', `/objects/users/${userId(fx, victim)}`, new URLSearchParams({ user_title__v: 'Edited in Vault' }));
    await vaultCall(fx, 'POST', '/objects/users', [
      {
        user_name__v: 'shadow.admin@veepharm.com',
        user_first_name__v: 'Shadow',
        user_last_name__v: 'Admin',
        user_email__v: 'shadow.admin@veepharm.com',
        user_timezone__v: 'America/New_York',
        user_locale__v: 'en_US',
        user_language__v: 'en',
        security_policy_id__v: '821',
        vault_membership: '3003:true:system_admin__v:full__v',
      },
    ]);
    // In the repo: a YAML edit of another user that has not been applied yet is not drift.
    const rimFile = join(fx.dir, 'users', 'rim-team.yaml');
    const yaml = readFileSync(rimFile, 'utf8');
    const daniel = yaml.indexOf('daniel.okafor@veepharm.com');
    const edited = yaml.slice(0, daniel) + yaml.slice(daniel).replace(/user_title__v: ([^\n]+)/, 'user_title__v: Renamed In Review');
    expect(edited).not.toBe(yaml);
    writeFileSync(rimFile, edited);

    const drift = await fx.run(['plan', '--drift']);
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    expect(drift.stdout).toContain(victim);
    expect(drift.stdout).toContain('"Edited in Vault" →');
    expect(drift.stdout).toContain('the changes below were made in Vault out of band');
    expect(drift.stdout).toContain('shadow.admin@veepharm.com');
    expect(drift.stdout).toMatch(/Plan: 0 to create, 1 to update, 0 to deactivate, 0 to promote, 0 SiteVault changes/);
    expect(drift.stdout).not.toContain('Renamed In Review');
  });
});
