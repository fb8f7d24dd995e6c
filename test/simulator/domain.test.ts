/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- contract tests assert on raw Vault JSON */
import { describe, expect, it } from 'vitest';
import { adminSession, startTestSimulator } from '../helpers/simulator.js';
import { call, newUserRow } from './api.js';
import { defaultSeed } from '../../src/simulator/index.js';

describe('security policies', () => {
  it('lists the domain policies with name__v as a string', async () => {
    const sim = await startTestSimulator();
    const sid = await adminSession(sim, 'veepharm-rim.veevavault.com');
    const r = await call(sim, 'GET', '/objects/securitypolicies', { sid });
    expect(r.body).toEqual({
      responseStatus: 'SUCCESS',
      security_policies__v: [
        { name__v: '821', label__v: 'Basic', value__v: 'https://veepharm-rim.veevavault.com/api/v25.2/objects/securitypolicies/821' },
        { name__v: '822', label__v: 'Single Sign-on Okta', value__v: 'https://veepharm-rim.veevavault.com/api/v25.2/objects/securitypolicies/822' },
      ],
    });
    const one = await call(sim, 'GET', '/objects/securitypolicies/822', { sid });
    expect(one.body.security_policy__v.policy_details__v).toMatchObject({ name__v: '822', label__v: 'Single Sign-on Okta', is_active__v: true });
    expect(one.body.security_policy__v.policy_security_settings__v.authentication_type__v.name__v).toBe('sso');
    expect((await call(sim, 'GET', '/objects/securitypolicies/1', { sid })).body.errors[0].type).toBe('MALFORMED_URL');
  });
});

describe('domain information', () => {
  it('lists the vaults, with applications on request', async () => {
    const sim = await startTestSimulator();
    const sid = await adminSession(sim);
    const plain = await call(sim, 'GET', '/objects/domain', { sid });
    expect(plain.body.domain__v).toMatchObject({ domain_name__v: 'veepharm', domain_type__v: 'Production' });
    expect(plain.body.domain__v.vaults__v.map((v: { id: number }) => v.id)).toEqual([3003, 4004, 5005]);
    expect(plain.body.domain__v.vaults__v[0]).not.toHaveProperty('vault_application__v');
    const withApps = await call(sim, 'GET', '/objects/domain?include_application=true', { sid });
    expect(withApps.body.domain__v.vaults__v[1]).toMatchObject({
      id: 4004,
      vault_name__v: 'VeePharm Quality',
      vault_status__v: 'Active',
      vault_application__v: [{ name: 'qualityQms_v' }, { name: 'qualityDocs_v' }],
    });
    expect((await call(sim, 'GET', '/objects/domains', { sid })).body.domains).toEqual([{ name: 'veepharm', type: 'Production' }]);
  });

  it('is for Domain Admins only', async () => {
    const seed = defaultSeed();
    const sim = await startTestSimulator({
      seed: { ...seed, users: [...(seed.users ?? []), { id: 25020, user_name__v: 'va@veepharm.com', vault_membership: [{ vault_id: 3003, security_profile__v: 'system_admin__v' }] }] },
      passwords: { 'va@veepharm.com': 'pw' },
    });
    const sid = (await call(sim, 'POST', '/auth', { form: { username: 'va@veepharm.com', password: 'pw' } })).body.sessionId as string;
    expect((await call(sim, 'GET', '/objects/domain', { sid })).body.errors[0].type).toBe('INSUFFICIENT_ACCESS');
  });
});

describe('GET /objects/licenses', () => {
  it('reports seats per application of the calling vault, counting active licenses of active users', async () => {
    const sim = await startTestSimulator();
    const sid = await adminSession(sim, 'veepharm-rim.veevavault.com');
    await call(sim, 'POST', '/objects/users', {
      sid,
      json: [
        newUserRow('a', { vault_membership: '3003', app_licensing: '3003|rimReg_v|rimSubs_v' }),
        newUserRow('b', { vault_membership: '3003:true:document_user__v:external__v', app_licensing: '3003|rimReg_v:true:external__v' }),
        newUserRow('c', { vault_membership: '3003:false', app_licensing: '3003|rimReg_v' }),
        newUserRow('d', { vault_membership: '3003', app_licensing: '3003|rimReg_v:false' }),
      ],
    });
    const r = await call(sim, 'GET', '/objects/licenses', { sid });
    const reg = r.body.applications.find((a: { application_name: string }) => a.application_name === 'rimReg_v');
    expect(reg.user_licensing).toEqual({
      full__v: { licensed: 200, used: 1, shared: false },
      external__v: { licensed: 50, used: 1, shared: false },
      read_only__v: { licensed: 100, used: 0, shared: false },
      learner_user__v: { licensed: 0, used: 0, shared: false },
    });
    expect(r.body.applications.map((a: { application_name: string }) => a.application_name)).toEqual(['rimReg_v', 'rimSubs_v', 'rimSubsArch_v']);
  });

  it('is GET only: the DELETE of the doc curl is refused (§13)', async () => {
    const sim = await startTestSimulator();
    const sid = await adminSession(sim);
    expect((await call(sim, 'DELETE', '/objects/licenses', { sid })).body.errors[0].type).toBe('METHOD_NOT_SUPPORTED');
  });
});

describe('GET /metadata/objects/users', () => {
  it('describes the editable fields and the profile/license values', async () => {
    const sim = await startTestSimulator();
    const sid = await adminSession(sim);
    const r = await call(sim, 'GET', '/metadata/objects/users', { sid });
    const byName = new Map((r.body.properties as { name: string }[]).map((p) => [p.name, p]));
    expect(byName.get('user_name__v')).toMatchObject({ type: 'String', length: 255, required: true, editable: true });
    expect(byName.get('domain_active__v')).toMatchObject({ editable: true, onCreateEditable: false });
    expect(byName.get('id')).toMatchObject({ editable: false });
    expect(byName.get('vault_id__v')).toMatchObject({ multivalue: true, editable: false });
    expect((byName.get('security_profile__v') as unknown as { values: { value: string }[] }).values.map((v) => v.value)).toContain('system_admin__v');
    expect(byName.has('vault_membership')).toBe(false);
  });
});

describe('routing', () => {
  it.each([
    ['GET', '/api/v25.2/objects/nothing', 'MALFORMED_URL'],
    ['GET', '/api/v9.1/objects/users', 'METHOD_NOT_SUPPORTED'],
    ['GET', '/somewhere/else', 'MALFORMED_URL'],
    ['POST', '/api/v25.2/objects/securitypolicies', 'METHOD_NOT_SUPPORTED'],
  ])('%s %s: HTTP 200 FAILURE %s', async (method, path, type) => {
    const sim = await startTestSimulator();
    const sid = await adminSession(sim);
    const r = await fetch(`${sim.url}${path}`, { method, headers: { Authorization: sid } });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type }] });
  });

  it('GET /api lists the supported versions', async () => {
    const sim = await startTestSimulator();
    const r = await fetch(`${sim.url}/api/`);
    const body = (await r.json()) as { responseStatus: string; values: Record<string, string> };
    expect(body.responseStatus).toBe('SUCCESS');
    expect(Object.keys(body.values)).toEqual(expect.arrayContaining(['v24.1', 'v25.2', 'v26.2']));
  });
});
