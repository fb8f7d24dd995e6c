/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- contract tests assert on raw Vault JSON */
import { describe, expect, it } from 'vitest';
import { adminSession, startTestSimulator } from '../helpers/simulator.js';
import { call, findUser } from './api.js';

const PATH = '/app/clinical/persons/actions/promote_to_user';

async function setup(dns = 'veepharm-clinical.veevavault.com') {
  const sim = await startTestSimulator();
  const sid = await adminSession(sim, dns, 'v26.2');
  return { sim, sid };
}

const maria = { source_person_id: 'V0B000000000001', username__sys: 'maria.lopez@veepharm.com', email__sys: 'maria.lopez@veepharm.com', first_name__sys: 'Maria', last_name__sys: 'Lopez' };

describe('Promote Person to User', () => {
  it('creates users, links the persons, and echoes the request ids (doc example ids differ, §13)', async () => {
    const { sim, sid } = await setup();
    const kenji = {
      source_person_id: 'V0B000000000002',
      username__sys: 'kenji.watanabe@veepharm.com',
      license_type__sys: 'full__v',
      language__sys: '0LU000000000101',
      timezone__sys: 'america_new_york__sys',
      locale__sys: '0LO000000000104',
      security_profile__sys: '0SP000000000109',
      company__sys: 'veeva',
      activation_date__sys: '2026-10-26',
      send_welcome_email__sys: true,
      test_custom__c: 'test custom',
    };
    const r = await call(sim, 'POST', PATH, { sid, json: [maria, kenji], version: 'v26.2' });
    expect(r.body).toEqual({
      responseStatus: 'SUCCESS',
      responseMessage: 'Success',
      data: [
        { source_person_id: 'V0B000000000001', user_id: '25002' },
        { source_person_id: 'V0B000000000002', user_id: '25003' },
      ],
    });
    const user = await findUser(sim, sid, 'kenji.watanabe@veepharm.com');
    expect(user).toMatchObject({
      source_person_id__v: 'V0B000000000002',
      user_first_name__v: 'Kenji',
      user_email__v: 'kenji.watanabe@veepharm.com',
      user_timezone__v: 'America/New_York',
      user_locale__v: 'en_US',
      company__v: 'veeva',
      vault_membership: [{ vault_id: 5005, active__v: true, security_profile__v: 'system_admin__v', license_type__v: 'full__v' }],
    });
    const q = await call(sim, 'POST', '/query', { sid, version: 'v26.2', form: { q: "SELECT id, vault_user__sys FROM person__sys WHERE id IN ('V0B000000000001','V0B000000000002','V0B000000000003')" } });
    expect(q.body.data).toEqual([
      { id: 'V0B000000000001', vault_user__sys: '25002' },
      { id: 'V0B000000000002', vault_user__sys: '25003' },
      { id: 'V0B000000000003', vault_user__sys: null },
    ]);
    expect(sim.requestLog().find((e) => e.path.endsWith('promote_to_user'))).toMatchObject({ rows: 2, status: 'SUCCESS' });
  });

  it('fails per person: already has a user, missing username, unknown person; the others succeed', async () => {
    const { sim, sid } = await setup();
    await call(sim, 'POST', PATH, { sid, json: [maria], version: 'v26.2' });
    const r = await call(sim, 'POST', PATH, {
      sid,
      version: 'v26.2',
      json: [maria, { source_person_id: 'V0B000000000003' }, { source_person_id: 'V0B000000000999', username__sys: 'x@veepharm.com' }, { source_person_id: 'V0B000000000004', username__sys: 'tomas.novak@veepharm.com' }, {}],
    });
    expect(r.body.responseStatus).toBe('SUCCESS');
    expect(r.body.data.map((d: { responseStatus?: string; errors?: { type: string }[] }) => d.errors?.[0]?.type ?? 'ok')).toEqual([
      'OPERATION_NOT_ALLOWED',
      'PARAMETER_REQUIRED',
      'INVALID_DATA',
      'ok',
      'PARAMETER_REQUIRED',
    ]);
    expect(r.body.data[0]).toMatchObject({ source_person_id: 'V0B000000000001', responseStatus: 'FAILURE' });
  });

  it('reads the JSON array even when sent as form-urlencoded (doc header slip, §13)', async () => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'POST', PATH, { sid, version: 'v26.2', body: JSON.stringify([maria]), contentType: 'application/x-www-form-urlencoded' });
    expect(r.body.data).toEqual([{ source_person_id: 'V0B000000000001', user_id: '25002' }]);
  });

  it('needs API v26.2 or later', async () => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'POST', PATH, { sid, json: [maria], version: 'v25.2' });
    expect(r.body).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type: 'METHOD_NOT_SUPPORTED' }] });
  });

  it('finds no person outside the Clinical vault', async () => {
    const { sim, sid } = await setup('veepharm-rim.veevavault.com');
    const r = await call(sim, 'POST', PATH, { sid, json: [maria], version: 'v26.2' });
    expect(r.body.data[0].errors[0].type).toBe('INVALID_DATA');
  });

  it.each([
    ['not an array', { source_person_id: 'x' }],
    ['empty array', []],
    ['malformed JSON', '[{'],
  ])('%s: FAILURE INVALID_DATA', async (_name, json) => {
    const { sim, sid } = await setup();
    const r = typeof json === 'string' ? await call(sim, 'POST', PATH, { sid, version: 'v26.2', body: json, contentType: 'application/json' }) : await call(sim, 'POST', PATH, { sid, json, version: 'v26.2' });
    expect(r.body).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type: 'INVALID_DATA' }] });
  });
});
