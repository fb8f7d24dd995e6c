/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- contract tests assert on raw Vault JSON */
import { describe, expect, it } from 'vitest';
import { adminSession, startTestSimulator } from '../helpers/simulator.js';
import { call, findUser, newUserRow, REQUIRED } from './api.js';

async function setup(vaultDns = 'veepharm-rim.veevavault.com') {
  const sim = await startTestSimulator();
  const sid = await adminSession(sim, vaultDns);
  return { sim, sid };
}

const CSV_HEADER = 'user_name__v,user_first_name__v,user_last_name__v,user_email__v,user_timezone__v,user_locale__v,user_language__v,security_policy_id__v,vault_membership,app_licensing';

describe('POST /objects/users, bulk', () => {
  it('creates users from the documented CSV, per row in input order, ids as strings', async () => {
    const { sim, sid } = await setup();
    const csv = [
      CSV_HEADER,
      'jim@veepharm.com,Jim,Nabors,jim@veepharm.com,America/Denver,en_US,en,821,3003:true:business_admin__v:full__v,3003|rimSubs_v:true:full__v',
      'ann@veepharm.com,Ann,Lee,ann@veepharm.com,America/Denver,en_US,en,821,4004:true:document_user__v:read_only__v,4004|qualityQms_v:true:read_only__v',
      'bad@veepharm.com,Bad,Row,bad@veepharm.com,America/Denver,en_US,en,821,9999,',
    ].join('\n');
    const r = await call(sim, 'POST', '/objects/users', { sid, csv });
    expect(r.body).toEqual({
      responseStatus: 'SUCCESS',
      data: [
        { responseStatus: 'SUCCESS', id: '25002' },
        { responseStatus: 'SUCCESS', id: '25003' },
        { responseStatus: 'FAILURE', errors: [{ type: 'INVALID_DATA', message: expect.stringContaining('9999') as string }] },
      ],
    });
    const jim = await findUser(sim, sid, 'jim@veepharm.com');
    expect(jim.vault_membership).toEqual([{ vault_id: 3003, active__v: true, security_profile__v: 'business_admin__v', license_type__v: 'full__v' }]);
    expect(jim.app_licensing).toEqual([{ vault_id: 3003, application_name: 'rimSubs_v', active__v: true, license_type__v: 'full__v' }]);
    expect(sim.requestLog().at(-2)).toMatchObject({ method: 'POST', rows: 3, status: 'SUCCESS', errorTypes: ['INVALID_DATA'] });
  });

  it('answers in CSV with Accept: text/csv', async () => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'POST', '/objects/users', { sid, json: [newUserRow('c1'), { ...newUserRow('c2'), user_email__v: 'not-an-email' }], accept: 'text/csv' });
    expect(r.headers.get('content-type')).toContain('text/csv');
    const lines = r.text.trim().split(/\r\n/);
    expect(lines[0]).toBe('responseStatus,id,errors');
    expect(lines[1]).toBe('SUCCESS,25002,');
    expect(lines[2]).toMatch(/^FAILURE,,"?INVALID_DATA\|/);
  });

  it('applies the documented defaults: no vault_membership = domain user; membership parts default to true/document_user__v/full__v', async () => {
    const { sim, sid } = await setup();
    await call(sim, 'POST', '/objects/users', { sid, json: [newUserRow('dom'), newUserRow('def', { vault_membership: '4004' }), newUserRow('ro', { vault_membership: '3003::read_only_user__v', license_type__v: 'read_only__v' })] });
    expect((await findUser(sim, sid, 'dom@veepharm.com')).vault_membership).toEqual([]);
    expect((await findUser(sim, sid, 'def@veepharm.com')).vault_membership).toEqual([{ vault_id: 4004, active__v: true, security_profile__v: 'document_user__v', license_type__v: 'full__v' }]);
    expect((await findUser(sim, sid, 'ro@veepharm.com')).vault_membership).toEqual([{ vault_id: 3003, active__v: true, security_profile__v: 'read_only_user__v', license_type__v: 'read_only__v' }]);
  });

  it('accepts several vaults in one vault_membership cell separated by ;', async () => {
    const { sim, sid } = await setup();
    await call(sim, 'POST', '/objects/users', { sid, json: [newUserRow('multi', { vault_membership: '3003:true:document_user__v:full__v;5005:false', app_licensing: '3003|rimReg_v|rimSubs_v:false;5005|ctms_v' })] });
    const u = await findUser(sim, sid, 'multi@veepharm.com');
    expect(u.vault_membership.map((m: { vault_id: number; active__v: boolean }) => [m.vault_id, m.active__v])).toEqual([[3003, true], [5005, false]]);
    expect(u.app_licensing.map((a: { application_name: string; active__v: boolean }) => [a.application_name, a.active__v])).toEqual([['rimReg_v', true], ['rimSubs_v', false], ['ctms_v', true]]);
  });

  it.each([
    ['duplicate user name, other case', { user_name__v: 'ADMIN@sim.veevavault.local' }, 'ITEM_NAME_EXISTS'],
    ['missing required field', { user_timezone__v: null }, 'PARAMETER_REQUIRED'],
    ['unknown field', { favourite_colour__v: 'blue' }, 'ATTRIBUTE_NOT_SUPPORTED'],
    ['read-only field', { created_date__v: '2020-01-01' }, 'ATTRIBUTE_NOT_SUPPORTED'],
    ['undeclared custom field', { shoe_size__c: '9' }, 'ATTRIBUTE_NOT_SUPPORTED'],
    ['domain_active__v on create', { domain_active__v: 'false' }, 'ATTRIBUTE_NOT_SUPPORTED'],
    ['unknown security policy', { security_policy_id__v: '999' }, 'INVALID_DATA'],
    ['bad time zone', { user_timezone__v: 'America/Los Angeles' }, 'INVALID_DATA'],
    ['bad locale', { user_locale__v: 'english' }, 'INVALID_DATA'],
    ['unknown vault id in vault_membership', { vault_membership: '9999:true' }, 'INVALID_DATA'],
    ['user id used as vault id in app_licensing (doc slip §13)', { vault_membership: '4004', app_licensing: '25001|qualityQms_v:true:full__v' }, 'INVALID_DATA'],
    ['app_licensing without | after the vault id (26.2 doc typo §13)', { vault_membership: '4004', app_licensing: '4004qualityQms_v:true:full__v' }, 'INVALID_DATA'],
    ['unknown security profile', { vault_membership: '3003:true:wizard__c' }, 'INVALID_DATA'],
    ['bad license type in vault_membership', { vault_membership: '3003:true:document_user__v:super__v' }, 'INVALID_DATA'],
    ['app license more permissive than the membership license', { vault_membership: '3003:true:document_user__v:read_only__v', app_licensing: '3003|rimReg_v:true:full__v' }, 'OPERATION_NOT_ALLOWED'],
    ['app license more permissive than the user license_type__v', { license_type__v: 'external__v', vault_membership: '3003:true:document_user__v:full__v', app_licensing: '3003|rimReg_v:true:full__v' }, 'OPERATION_NOT_ALLOWED'],
    ['learner app license under external', { vault_membership: '3003:true:document_user__v:external__v', app_licensing: '3003|rimReg_v:true:learner_user__v' }, 'OPERATION_NOT_ALLOWED'],
    ['app of another vault', { vault_membership: '3003', app_licensing: '3003|qualityQms_v' }, 'INVALID_DATA'],
    ['app in a vault the user is not a member of', { vault_membership: '3003', app_licensing: '4004|qualityQms_v' }, 'INVALID_DATA'],
    ['domain=true with vault_membership', { domain: 'true', vault_membership: '3003' }, 'INVALID_DATA'],
    ['Domain-Admin-only field set by create is fine for a Domain Admin, but a bad boolean is not', { is_domain_admin__v: 'yes' }, 'INVALID_DATA'],
  ])('row rule: %s → row FAILURE %s', async (_name, extra, type) => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'POST', '/objects/users', { sid, json: [newUserRow('ok1'), newUserRow('row', extra)] });
    expect(r.body.responseStatus).toBe('SUCCESS');
    expect(r.body.data[0]).toEqual({ responseStatus: 'SUCCESS', id: '25002' });
    expect(r.body.data[1]).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type }] });
    expect(await findUser(sim, sid, 'row@veepharm.com')).toBeUndefined();
  });

  it('a second row with the name of the first fails with ITEM_NAME_EXISTS', async () => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'POST', '/objects/users', { sid, json: [newUserRow('twin'), { ...newUserRow('twin'), user_name__v: 'Twin@VeePharm.com' }] });
    expect(r.body.data.map((d: { responseStatus: string }) => d.responseStatus)).toEqual(['SUCCESS', 'FAILURE']);
    expect(r.body.data[1].errors[0].type).toBe('ITEM_NAME_EXISTS');
  });

  it.each([
    ['malformed JSON', { body: '[{"user_name__v": ', contentType: 'application/json' }],
    ['JSON object instead of array', { json: newUserRow('x') }],
    ['JSON array of strings', { json: ['a'] }],
    ['empty JSON array', { json: [] }],
    ['ragged CSV row', { csv: `${CSV_HEADER}\njim@veepharm.com,Jim\n` }],
    ['CSV with an unterminated quote', { csv: `user_name__v\n"jim@veepharm.com\n` }],
    ['header-only CSV', { csv: `${CSV_HEADER}\n` }],
    ['wrong content type', { body: 'user_name__v=x', contentType: 'text/plain' }],
    ['501 rows', { json: Array.from({ length: 501 }, (_, i) => newUserRow(`u${i}`)) }],
  ])('%s: whole-request FAILURE INVALID_DATA, nothing created', async (_name, request) => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'POST', '/objects/users', { sid, ...request });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type: 'INVALID_DATA' }] });
    expect(r.text).not.toMatch(/\n\s+at /);
    expect(sim.dump().users).toHaveLength(4);
  });

  it('takes exactly 500 rows', async () => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'POST', '/objects/users', { sid, json: Array.from({ length: 500 }, (_, i) => newUserRow(`u${i}`)) });
    expect(r.body.data).toHaveLength(500);
    expect(r.body.data.every((d: { responseStatus: string }) => d.responseStatus === 'SUCCESS')).toBe(true);
    expect(sim.requestLog().at(-1)).toMatchObject({ rows: 500 });
  });
});

describe('POST /objects/users?operation=upsert', () => {
  it('idParam=user_name__v updates only the supplied fields of an existing user and creates a new one', async () => {
    const { sim, sid } = await setup();
    await call(sim, 'POST', '/objects/users', { sid, json: [newUserRow('up', { company__v: 'Acme', vault_membership: '3003:true:business_admin__v:full__v' })] });
    const r = await call(sim, 'POST', '/objects/users?operation=upsert&idParam=user_name__v', {
      sid,
      csv: 'user_name__v,user_title__v,vault_membership\nUP@veepharm.com,Lead,3003:false\nfresh@veepharm.com,New,\n',
    });
    expect(r.body.data[0]).toEqual({ responseStatus: 'SUCCESS', id: '25002' });
    // The new row lacks required fields, so it fails as a create would.
    expect(r.body.data[1]).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type: 'PARAMETER_REQUIRED' }] });
    const up = await findUser(sim, sid, 'UP@veepharm.com');
    expect(up).toMatchObject({ company__v: 'Acme', user_title__v: 'Lead', user_first_name__v: 'up' });
    // Omitted membership parts keep their values for an existing member.
    expect(up.vault_membership).toEqual([{ vault_id: 3003, active__v: false, security_profile__v: 'business_admin__v', license_type__v: 'full__v' }]);
  });

  it('idParam=id updates by id, creates on a blank id, and reports an unknown id', async () => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'POST', '/objects/users?operation=upsert&idParam=id', {
      sid,
      json: [{ id: '25001', user_title__v: 'Boss' }, { ...newUserRow('blank'), id: '' }, { id: '77777', user_title__v: 'x' }],
    });
    expect(r.body.data).toEqual([
      { responseStatus: 'SUCCESS', id: '25001' },
      { responseStatus: 'SUCCESS', id: '25002' },
      { responseStatus: 'FAILURE', id: '77777', errors: [{ type: 'USER_NOT_FOUND', message: expect.any(String) as string }] },
    ]);
  });

  it.each([
    ['operation=upsert', 'PARAMETER_REQUIRED'],
    ['operation=upsert&idParam=email', 'INVALID_DATA'],
    ['operation=merge&idParam=id', 'INVALID_DATA'],
  ])('%s: FAILURE %s', async (query, type) => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'POST', `/objects/users?${query}`, { sid, json: [newUserRow('q')] });
    expect(r.body).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type }] });
  });
});

describe('POST /objects/users, single (form)', () => {
  it('creates a member of the calling vault with the defaults and returns the id as a string', async () => {
    const { sim, sid } = await setup('veepharm-quality.veevavault.com');
    const r = await call(sim, 'POST', '/objects/users', { sid, form: { ...newUserRow('single') } as Record<string, string> });
    expect(r.body).toEqual({ responseStatus: 'SUCCESS', id: '25002' });
    const u = await findUser(sim, sid, 'single@veepharm.com');
    expect(u.vault_membership).toEqual([{ vault_id: 4004, active__v: true, security_profile__v: 'document_user__v', license_type__v: 'full__v' }]);
    expect(u).toMatchObject({ active__v: true, domain_active__v: true, is_domain_admin__v: false });
  });

  it('domain=true creates a domain user with no vault membership', async () => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'POST', '/objects/users?domain=true', { sid, form: { ...newUserRow('donly') } as Record<string, string> });
    expect(r.body.responseStatus).toBe('SUCCESS');
    expect((await findUser(sim, sid, 'donly@veepharm.com')).vault_membership).toEqual([]);
  });

  it('fails the request with the row error type', async () => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'POST', '/objects/users', { sid, form: { user_name__v: 'lonely@veepharm.com', ...REQUIRED } });
    expect(r.body).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type: 'PARAMETER_REQUIRED' }] });
    expect(r.body.errors[0].message).toContain('user_first_name__v');
  });
});
