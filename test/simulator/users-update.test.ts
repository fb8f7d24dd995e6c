/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- contract tests assert on raw Vault JSON */
import { describe, expect, it } from 'vitest';
import { adminSession, startTestSimulator } from '../helpers/simulator.js';
import { call, findUser, newUserRow } from './api.js';
import { defaultSeed, type SimulatorSeed } from '../../src/simulator/index.js';

/** Demo domain + Rita (id 25010, 3003 business admin with two apps) + a second Domain Admin option. */
function seed(extraAdmin = false): SimulatorSeed {
  const base = defaultSeed();
  return {
    ...base,
    users: [
      ...(base.users ?? []),
      {
        id: 25010,
        user_name__v: 'rita@veepharm.com',
        company__v: 'VeePharm',
        user_title__v: 'Lead',
        vault_membership: [{ vault_id: 3003, active__v: true, security_profile__v: 'business_admin__v', license_type__v: 'full__v' }],
        app_licensing: [
          { vault_id: 3003, application_name: 'rimReg_v', active__v: true, license_type__v: 'full__v' },
          { vault_id: 3003, application_name: 'rimSubs_v', active__v: true, license_type__v: 'external__v' },
        ],
      },
      ...(extraAdmin ? [{ id: 25011, user_name__v: 'second@veepharm.com', is_domain_admin__v: true, vault_membership: [{ vault_id: 3003 }] }] : []),
    ],
  };
}

async function setup(extraAdmin = false) {
  const sim = await startTestSimulator({ seed: seed(extraAdmin), passwords: { 'rita@veepharm.com': 'pw' } });
  const sid = await adminSession(sim, 'veepharm-rim.veevavault.com');
  return { sim, sid };
}

describe('PUT /objects/users (bulk)', () => {
  it('updates by id, per row, and echoes the id of failed rows', async () => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'PUT', '/objects/users', {
      sid,
      csv: 'id,user_title__v,mobile_phone__v,office_phone__v\n25010,Director,555-0101,\n88888,X,,\n',
    });
    expect(r.body.data).toEqual([
      { responseStatus: 'SUCCESS', id: '25010' },
      { responseStatus: 'FAILURE', id: '88888', errors: [{ type: 'USER_NOT_FOUND', message: expect.any(String) as string }] },
    ]);
    expect(await findUser(sim, sid, 'rita@veepharm.com')).toMatchObject({ user_title__v: 'Director', mobile_phone__v: '555-0101', company__v: 'VeePharm' });
  });

  it.each([
    ['security_profile__v is not supported there', { id: '25010', security_profile__v: 'system_admin__v' }, 'ATTRIBUTE_NOT_SUPPORTED'],
    ['missing id', { user_title__v: 'x' }, 'PARAMETER_REQUIRED'],
    ['system-owned user is read-only', { id: '1', user_title__v: 'x' }, 'OPERATION_NOT_ALLOWED'],
    ['renaming onto an existing user', { id: '25010', user_name__v: 'admin@sim.veevavault.local' }, 'ITEM_NAME_EXISTS'],
    ['clearing a required field', { id: '25010', user_email__v: null }, 'INVALID_DATA'],
  ])('%s → row FAILURE %s', async (_name, row, type) => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'PUT', '/objects/users', { sid, json: [row] });
    expect(r.body.data[0]).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type }] });
  });

  it('changes a profile through vault_membership, keeping omitted parts', async () => {
    const { sim, sid } = await setup();
    await call(sim, 'PUT', '/objects/users', { sid, json: [{ id: '25010', vault_membership: '3003::system_admin__v' }] });
    expect((await findUser(sim, sid, 'rita@veepharm.com')).vault_membership).toEqual([
      { vault_id: 3003, active__v: true, security_profile__v: 'system_admin__v', license_type__v: 'full__v' },
    ]);
  });

  it('lowering the vault license corrects app licenses it no longer allows (24R2)', async () => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'PUT', '/objects/users', { sid, json: [{ id: '25010', vault_membership: '3003:true:business_admin__v:read_only__v' }] });
    expect(r.body.data[0].responseStatus).toBe('SUCCESS');
    const rita = await findUser(sim, sid, 'rita@veepharm.com');
    expect(rita.app_licensing.map((a: { application_name: string; license_type__v: string }) => [a.application_name, a.license_type__v])).toEqual([
      ['rimReg_v', 'read_only__v'],
      ['rimSubs_v', 'read_only__v'],
    ]);
  });
});

describe('PUT /objects/users/{id}', () => {
  it('updates profile fields and returns the id as a number', async () => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'PUT', '/objects/users/25010', { sid, form: { user_timezone__v: 'America/Los_Angeles', company__v: 'VeevaPharm', alias__v: 'Skipper' } });
    expect(r.body).toEqual({ responseStatus: 'SUCCESS', id: 25010 });
    expect(await findUser(sim, sid, 'rita@veepharm.com')).toMatchObject({ user_timezone__v: 'America/Los_Angeles', company__v: 'VeevaPharm', alias__v: 'Skipper' });
  });

  it.each([['null'], ['']])('clears a field sent as %j', async (value) => {
    const { sim, sid } = await setup();
    await call(sim, 'PUT', '/objects/users/25010', { sid, form: { company__v: value } });
    const rita = await findUser(sim, sid, 'rita@veepharm.com');
    expect(rita.company__v ?? null).toBeNull();
  });

  it('disables at domain level (every membership inactive), and re-enabling with true does not re-activate memberships (§13)', async () => {
    const { sim, sid } = await setup();
    expect((await call(sim, 'PUT', '/objects/users/25010', { sid, form: { domain_active__v: 'false' } })).body.responseStatus).toBe('SUCCESS');
    let rita = await findUser(sim, sid, 'rita@veepharm.com');
    expect(rita).toMatchObject({ domain_active__v: false, active__v: false });
    expect(rita.vault_membership[0]).toMatchObject({ active__v: false, security_profile__v: 'business_admin__v', license_type__v: 'full__v' });
    expect((await call(sim, 'PUT', '/objects/users/25010', { sid, form: { domain_active__v: 'true' } })).body.responseStatus).toBe('SUCCESS');
    rita = await findUser(sim, sid, 'rita@veepharm.com');
    expect(rita.domain_active__v).toBe(true);
    expect(rita.vault_membership[0].active__v).toBe(false);
    await call(sim, 'PUT', '/objects/users/25010/vault_membership/3003', { sid, form: { active__v: 'true' } });
    expect((await findUser(sim, sid, 'rita@veepharm.com')).active__v).toBe(true);
  });

  it('keeps at least one Domain Admin', async () => {
    const { sim, sid } = await setup();
    for (const form of [{ is_domain_admin__v: 'false' }, { domain_active__v: 'false' }]) {
      const r = await call(sim, 'PUT', '/objects/users/25001', { sid, form });
      expect(r.body).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type: 'OPERATION_NOT_ALLOWED' }] });
    }
    const disable = await call(sim, 'DELETE', '/objects/users/25001?domain=true', { sid });
    expect(disable.body.errors[0].type).toBe('OPERATION_NOT_ALLOWED');
  });

  it('lets a Domain Admin hand over the role once another Domain Admin exists', async () => {
    const { sim, sid } = await setup(true);
    expect((await call(sim, 'PUT', '/objects/users/25011', { sid, form: { is_domain_admin__v: 'false' } })).body.responseStatus).toBe('SUCCESS');
    expect((await call(sim, 'PUT', '/objects/users/25001', { sid, form: { is_domain_admin__v: 'false' } })).body.errors[0].type).toBe('OPERATION_NOT_ALLOWED');
    await call(sim, 'PUT', '/objects/users/25011', { sid, form: { is_domain_admin__v: 'true' } });
    expect((await call(sim, 'PUT', '/objects/users/25001', { sid, form: { is_domain_admin__v: 'false' } })).body.responseStatus).toBe('SUCCESS');
    // No longer a Domain Admin, the caller may not change the field any more.
    expect((await call(sim, 'PUT', '/objects/users/25011', { sid, form: { is_domain_admin__v: 'false' } })).body.errors[0].type).toBe('INSUFFICIENT_ACCESS');
  });

  it('refuses Domain-Admin-only fields from a vault admin who is not a Domain Admin', async () => {
    const { sim, sid } = await setup();
    await call(sim, 'PUT', '/objects/users/25010/vault_membership/3003', { sid, form: { security_profile__v: 'system_admin__v' } });
    const rita = (await call(sim, 'POST', '/auth', { form: { username: 'rita@veepharm.com', password: 'pw' } })).body.sessionId as string;
    const promote = await call(sim, 'PUT', '/objects/users/25001', { sid: rita, form: { is_domain_admin__v: 'false' } });
    expect(promote.body.errors[0].type).toBe('INSUFFICIENT_ACCESS');
    const ok = await call(sim, 'PUT', '/objects/users/25001', { sid: rita, form: { user_title__v: 'Admin' } });
    expect(ok.body.responseStatus).toBe('SUCCESS');
  });

  it.each([
    ['unknown field', { colour__v: 'red' }, 'ATTRIBUTE_NOT_SUPPORTED'],
    ['read-only field', { id: '5' }, 'ATTRIBUTE_NOT_SUPPORTED'],
    ['bad boolean', { user_needs_to_change_password__v: 'sometimes' }, 'INVALID_DATA'],
    ['explicitly too-permissive app license', { app_licensing: '3003|rimReg_v:true:full__v', license_type__v: 'read_only__v' }, 'OPERATION_NOT_ALLOWED'],
    ['nothing to update', {}, 'PARAMETER_REQUIRED'],
  ])('%s: FAILURE %s', async (_name, form, type) => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'PUT', '/objects/users/25010', { sid, form });
    expect(r.body).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type }] });
  });

  it('answers MALFORMED_URL for an unknown user and METHOD_NOT_SUPPORTED for a wrong method', async () => {
    const { sim, sid } = await setup();
    expect((await call(sim, 'PUT', '/objects/users/424242', { sid, form: { company__v: 'x' } })).body.errors[0].type).toBe('MALFORMED_URL');
    expect((await call(sim, 'PATCH', '/objects/users/25010', { sid, form: { company__v: 'x' } })).body.errors[0].type).toBe('METHOD_NOT_SUPPORTED');
  });
});

describe('PUT /objects/users/{id}/vault_membership/{vault_id}', () => {
  it('adds a new membership with the defaults', async () => {
    const { sim, sid } = await setup();
    expect((await call(sim, 'PUT', '/objects/users/25010/vault_membership/4004', { sid, form: {} })).body).toEqual({ responseStatus: 'SUCCESS' });
    const rita = await findUser(sim, sid, 'rita@veepharm.com');
    expect(rita.vault_membership[1]).toEqual({ vault_id: 4004, active__v: true, security_profile__v: 'document_user__v', license_type__v: 'full__v' });
  });

  it('keeps the profile and license of an existing member when only active__v is sent (§5.8 caution)', async () => {
    const { sim, sid } = await setup();
    await call(sim, 'PUT', '/objects/users/25010/vault_membership/3003', { sid, form: { active__v: 'false' } });
    expect((await findUser(sim, sid, 'rita@veepharm.com')).vault_membership[0]).toEqual({
      vault_id: 3003,
      active__v: false,
      security_profile__v: 'business_admin__v',
      license_type__v: 'full__v',
    });
  });

  it.each([
    ['unknown vault', '/objects/users/25010/vault_membership/9999', {}, 'MALFORMED_URL'],
    ['unknown user', '/objects/users/99999/vault_membership/3003', {}, 'MALFORMED_URL'],
    ['bad profile', '/objects/users/25010/vault_membership/3003', { security_profile__v: 'nope__v' }, 'INVALID_DATA'],
    ['bad license', '/objects/users/25010/vault_membership/3003', { license_type__v: 'gold__v' }, 'INVALID_DATA'],
    ['unknown field', '/objects/users/25010/vault_membership/3003', { user_title__v: 'x' }, 'ATTRIBUTE_NOT_SUPPORTED'],
  ])('%s: FAILURE %s', async (_name, path, form, type) => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'PUT', path, { sid, form });
    expect(r.body).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type }] });
  });
});

describe('DELETE /objects/users/{id}', () => {
  it('disables in the calling vault only, or in every vault with domain=true; never deletes', async () => {
    const { sim, sid } = await setup();
    await call(sim, 'PUT', '/objects/users/25010/vault_membership/4004', { sid, form: {} });
    expect((await call(sim, 'DELETE', '/objects/users/25010', { sid })).body).toEqual({ responseStatus: 'SUCCESS', id: 25010 });
    let rita = await findUser(sim, sid, 'rita@veepharm.com');
    expect(rita.vault_membership.map((m: { active__v: boolean }) => m.active__v)).toEqual([false, true]);
    expect(rita.domain_active__v).toBe(true);
    expect((await call(sim, 'DELETE', '/objects/users/25010?domain=true', { sid })).body.responseStatus).toBe('SUCCESS');
    rita = await findUser(sim, sid, 'rita@veepharm.com');
    expect(rita.domain_active__v).toBe(false);
    expect(rita.vault_membership.map((m: { active__v: boolean }) => m.active__v)).toEqual([false, false]);
    expect(sim.dump().users?.some((u) => u.id === 25010)).toBe(true);
  });

  it('refuses a user who is not a member of the calling vault', async () => {
    const { sim, sid } = await setup();
    await call(sim, 'POST', '/objects/users', { sid, json: [newUserRow('elsewhere', { vault_membership: '4004' })] });
    expect((await call(sim, 'DELETE', '/objects/users/25011', { sid })).body.errors[0].type).toBe('OPERATION_NOT_ALLOWED');
  });
});
