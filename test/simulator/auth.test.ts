/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- contract tests assert on raw Vault JSON */
import { describe, expect, it } from 'vitest';
import { adminSession, startTestSimulator } from '../helpers/simulator.js';
import { call, newUserRow } from './api.js';
import { defaultSeed, type SimulatorSeed } from '../../src/simulator/index.js';

const ADMIN = 'admin@sim.veevavault.local';

/** Demo domain plus a user who is an active member of 4004 and 5005 only (5005 inactive membership). */
function seedWithMember(): SimulatorSeed {
  const seed = defaultSeed();
  return {
    ...seed,
    users: [
      ...(seed.users ?? []),
      {
        id: 25010,
        user_name__v: 'quinn@veepharm.com',
        security_policy_id__v: '821',
        vault_membership: [
          { vault_id: 4004, active__v: true, security_profile__v: 'document_user__v', license_type__v: 'full__v' },
          { vault_id: 5005, active__v: false },
        ],
      },
      { id: 25011, user_name__v: 'gone@veepharm.com', domain_active__v: false, vault_membership: [{ vault_id: 3003 }] },
    ],
  };
}

const PASSWORDS = { 'quinn@veepharm.com': 'pw-quinn', 'gone@veepharm.com': 'pw-gone' };

async function login(sim: Awaited<ReturnType<typeof startTestSimulator>>, form: Record<string, string>) {
  return call(sim, 'POST', '/auth', { form });
}

describe('POST /auth', () => {
  it('returns a session bound to the vault named by vaultDNS, with vaultIds', async () => {
    const sim = await startTestSimulator();
    const r = await login(sim, { username: ADMIN, password: 'admin', vaultDNS: 'veepharm-quality.veevavault.com' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ responseStatus: 'SUCCESS', userId: 25001, vaultId: 4004 });
    expect(r.body.sessionId).toMatch(/^[0-9A-F]{32,}$/);
    expect(r.body.vaultIds).toEqual([
      { id: 3003, name: 'VeePharm RIM', url: 'https://veepharm-rim.veevavault.com/api' },
      { id: 4004, name: 'VeePharm Quality', url: 'https://veepharm-quality.veevavault.com/api' },
      { id: 5005, name: 'VeePharm Clinical', url: 'https://veepharm-clinical.veevavault.com/api' },
    ]);
    expect(r.headers.get('x-vaultapi-vaultid')).toBe('4004');
    expect(r.headers.get('x-vaultapi-status')).toBe('SUCCESS');
    const me = await call(sim, 'GET', '/objects/users/me', { sid: String(r.body.sessionId) });
    expect(me.body.users[0].user).toMatchObject({ id: 25001, user_name__v: ADMIN, active__v: true, security_profile__v: 'system_admin__v' });
  });

  it('accepts multipart/form-data', async () => {
    const sim = await startTestSimulator();
    const form = new FormData();
    form.set('username', ADMIN);
    form.set('password', 'admin');
    form.set('vaultDNS', 'veepharm-clinical.veevavault.com');
    const response = await fetch(`${sim.url}/api/v25.2/auth`, { method: 'POST', body: form });
    expect(await response.json()).toMatchObject({ responseStatus: 'SUCCESS', vaultId: 5005 });
  });

  it('defaults to the last vault logged into, then to the oldest active vault with an active membership', async () => {
    const sim = await startTestSimulator({ seed: seedWithMember(), passwords: PASSWORDS });
    // Not a member of 3003, inactive in 5005: the oldest usable vault is 4004.
    const first = await login(sim, { username: 'quinn@veepharm.com', password: 'pw-quinn', vaultDNS: 'veepharm-rim.veevavault.com' });
    expect(first.body).toMatchObject({ responseStatus: 'SUCCESS', vaultId: 4004 });
    expect(first.body.vaultIds.map((v: { id: number }) => v.id)).toEqual([4004]);
    // The admin last logged into 5005; an unknown DNS brings it back there.
    await login(sim, { username: ADMIN, password: 'admin', vaultDNS: 'veepharm-clinical.veevavault.com' });
    const again = await login(sim, { username: ADMIN, password: 'admin', vaultDNS: 'nowhere.veevavault.com' });
    expect(again.body.vaultId).toBe(5005);
  });

  it.each([
    ['wrong password', { username: ADMIN, password: 'nope' }, 'USERNAME_OR_PASSWORD_INCORRECT'],
    ['unknown user', { username: 'nobody@veepharm.com', password: 'x' }, 'USERNAME_OR_PASSWORD_INCORRECT'],
    ['no password', { username: ADMIN }, 'NO_PASSWORD_PROVIDED'],
    ['no username', { password: 'admin' }, 'USERNAME_OR_PASSWORD_INCORRECT'],
    ['system-owned user', { username: 'system@veepharm.com', password: 'admin' }, 'USERNAME_OR_PASSWORD_INCORRECT'],
    ['user disabled at domain level', { username: 'gone@veepharm.com', password: 'pw-gone' }, 'INACTIVE_USER'],
  ])('%s: FAILURE %s with errorType AUTHENTICATION_FAILED', async (_name, form, type) => {
    const sim = await startTestSimulator({ seed: seedWithMember(), passwords: PASSWORDS });
    const r = await login(sim, form);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ responseStatus: 'FAILURE', errorType: 'AUTHENTICATION_FAILED', errors: [{ type }] });
    expect(r.text).not.toContain('nope');
    expect(r.headers.get('x-vaultapi-status')).toBe('FAILURE');
  });

  it('refuses a JSON body with INVALID_DATA', async () => {
    const sim = await startTestSimulator();
    const r = await call(sim, 'POST', '/auth', { json: { username: ADMIN, password: 'admin' } });
    expect(r.body).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type: 'INVALID_DATA' }] });
  });

  it('slows auth from half the per-minute budget and then fails with API_LIMIT_EXCEEDED', async () => {
    const sim = await startTestSimulator({ authBurstLimit: 4, burstDelayMs: 1 });
    const delays: (string | null)[] = [];
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await login(sim, { username: ADMIN, password: 'admin' });
      delays.push(r.headers.get('x-vaultapi-responsedelay'));
      statuses.push(String(r.body.errors?.[0]?.type ?? r.body.responseStatus));
    }
    expect(statuses).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'API_LIMIT_EXCEEDED']);
    expect(delays.slice(0, 4)).toEqual([null, null, '1', '1']);
  });
});

describe('sessions', () => {
  it('accepts both Authorization forms, keeps alive, and ends', async () => {
    const sim = await startTestSimulator();
    const sid = await adminSession(sim);
    expect((await call(sim, 'GET', '/objects/users/me', { headers: { Authorization: `Bearer ${sid}` } })).body.responseStatus).toBe('SUCCESS');
    expect((await call(sim, 'POST', '/keep-alive', { sid })).body).toEqual({ responseStatus: 'SUCCESS' });
    expect((await call(sim, 'DELETE', '/session', { sid })).body).toEqual({ responseStatus: 'SUCCESS' });
    const after = await call(sim, 'GET', '/objects/users/me', { sid });
    expect(after.body).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type: 'INVALID_SESSION_ID' }] });
  });

  it.each([
    ['missing', undefined],
    ['unknown', 'NOT-A-SESSION'],
  ])('%s session: FAILURE INVALID_SESSION_ID with the standard headers', async (_name, sid) => {
    const sim = await startTestSimulator();
    const r = await call(sim, 'GET', '/objects/users', sid === undefined ? {} : { sid });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type: 'INVALID_SESSION_ID' }] });
    for (const h of ['x-vaultapi-executionid', 'x-vaultapi-burstlimit', 'x-vaultapi-burstlimitremaining', 'x-vaultapi-vaultid', 'x-vaultapi-status']) {
      expect(r.headers.get(h), h).not.toBeNull();
    }
  });

  it('expires after the idle timeout counted from the last request, and at 48 hours', async () => {
    let now = Date.UTC(2026, 0, 5, 9);
    const sim = await startTestSimulator({ clock: () => now, sessionIdleMs: 60_000 });
    const sid = await adminSession(sim);
    now += 59_000;
    expect((await call(sim, 'POST', '/keep-alive', { sid })).body.responseStatus).toBe('SUCCESS');
    now += 59_000;
    expect((await call(sim, 'POST', '/keep-alive', { sid })).body.responseStatus).toBe('SUCCESS');
    now += 61_000;
    expect((await call(sim, 'POST', '/keep-alive', { sid })).body.errors[0].type).toBe('INVALID_SESSION_ID');
  });

  it('expires at 48 hours however busy the session is', async () => {
    let now = Date.UTC(2026, 0, 5, 9);
    const sim = await startTestSimulator({ clock: () => now, sessionIdleMs: 2 * 3_600_000 });
    const sid = await adminSession(sim);
    for (let hour = 1; hour <= 47; hour++) {
      now += 3_600_000;
      expect((await call(sim, 'POST', '/keep-alive', { sid })).body.responseStatus).toBe('SUCCESS');
    }
    now += 3_600_001;
    expect((await call(sim, 'POST', '/keep-alive', { sid })).body.errors[0].type).toBe('INVALID_SESSION_ID');
  });

  it('ends the sessions of a user disabled at domain level, and expireSessions() ends all', async () => {
    const sim = await startTestSimulator({ seed: seedWithMember(), passwords: PASSWORDS });
    const admin = await adminSession(sim);
    const quinn = (await login(sim, { username: 'quinn@veepharm.com', password: 'pw-quinn' })).body.sessionId as string;
    expect((await call(sim, 'PUT', '/objects/users/25010', { sid: admin, form: { domain_active__v: 'false' } })).body.responseStatus).toBe('SUCCESS');
    expect((await call(sim, 'GET', '/objects/users/me', { sid: quinn })).body.errors[0].type).toBe('INVALID_SESSION_ID');
    sim.expireSessions();
    expect((await call(sim, 'GET', '/objects/users/me', { sid: admin })).body.errors[0].type).toBe('INVALID_SESSION_ID');
  });

  it('serves a non-admin user read access but refuses writes with INSUFFICIENT_ACCESS', async () => {
    const sim = await startTestSimulator({ seed: seedWithMember(), passwords: PASSWORDS });
    const quinn = (await login(sim, { username: 'quinn@veepharm.com', password: 'pw-quinn' })).body.sessionId as string;
    expect((await call(sim, 'GET', '/objects/users', { sid: quinn })).body.responseStatus).toBe('SUCCESS');
    const all = await call(sim, 'GET', '/objects/users?vaults=all', { sid: quinn });
    expect(all.body.errors[0].type).toBe('INSUFFICIENT_ACCESS');
    const write = await call(sim, 'POST', '/objects/users', { sid: quinn, json: [newUserRow('x1')] });
    expect(write.body.errors[0].type).toBe('INSUFFICIENT_ACCESS');
    const self = await call(sim, 'PUT', '/objects/users/me', { sid: quinn, form: { user_title__v: 'Analyst' } });
    expect(self.body).toEqual({ responseStatus: 'SUCCESS', id: 25010 });
  });
});
