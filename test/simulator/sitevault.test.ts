/* eslint-disable @typescript-eslint/no-unsafe-member-access -- contract tests assert on raw Vault JSON */
import { describe, expect, it } from 'vitest';
import { adminSession, startTestSimulator } from '../helpers/simulator.js';
import { call } from './api.js';

const PATH = '/app/sitevault/useradmin/persons';

async function setup() {
  const sim = await startTestSimulator();
  const sid = await adminSession(sim, undefined, 'v26.2');
  return { sim, sid };
}

/** The seed example (26.2), a staff person with org + site assignments. */
function jerry(): Record<string, unknown> {
  return {
    user: { email: 'jerry.cotter@company.com', first_name: 'Jerry', last_name: 'Cotter', security_policy_id: 'VeevaID', person_type: 'staff__v', language: 'en' },
    person_type: 'staff__v',
    is_investigator: false,
    assignments: {
      org_assignment: { org_id: 'V42000000001001', system_role_id: 'org_admin__v' },
      site_assignments: [{ site_usn: 'US-NC-0001', system_role_id: 'regulatory__v' }],
    },
  };
}

async function sitevaultPersons(sim: Awaited<ReturnType<typeof startTestSimulator>>) {
  const r = await call(sim, 'GET', '/_sim/sitevault');
  return r.body.persons as Record<string, unknown>[];
}

describe('SiteVault Create User', () => {
  it('creates the seed example and answers with data.response as an array', async () => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'POST', PATH, { sid, json: [jerry()], version: 'v26.2' });
    expect(r.body).toEqual({
      responseStatus: 'SUCCESS',
      data: { response: [{ status: 'Success', email: 'jerry.cotter@company.com', person_id: 'V0B000000001001', record_status: 'active__v' }] },
    });
    const [person] = await sitevaultPersons(sim);
    expect(person).toMatchObject({
      person_id: 'V0B000000001001',
      username: null,
      org_assignment: { org_id: 'V42000000001001', system_role_id: 'org_admin__v', addons: [] },
      site_assignments: [{ site_usn: 'US-NC-0001', system_role_id: 'regulatory__v', addons: [] }],
      study_assignments: [],
    });
  });

  it('accepts site_USN and study_assignments beside assignments', async () => {
    const { sim, sid } = await setup();
    const body = jerry();
    body.assignments = {
      org_assignment: { org_id: 'V42000000001001', system_role_id: 'org_full__v', addons: ['org_patients__v'] },
      site_assignments: [{ site_USN: 'US-CA-0002', system_role_id: 'study_team__v', addons: ['site_budgets__v', 'site_patients__v'] }],
    };
    body.study_assignments = [{ id: 'V0S000000001002', study_role: 'research_nurse__v' }];
    expect((await call(sim, 'POST', PATH, { sid, json: [body] })).body.responseStatus).toBe('SUCCESS');
    const [person] = await sitevaultPersons(sim);
    expect(person?.study_assignments).toEqual([{ id: 'V0S000000001002', study_role: 'research_nurse__v' }]);
    expect(person?.site_assignments).toEqual([{ site_usn: 'US-CA-0002', system_role_id: 'study_team__v', addons: ['site_budgets__v', 'site_patients__v'] }]);
  });

  type Mutate = (b: Record<string, unknown>) => void;
  const user = (b: Record<string, unknown>) => b.user as Record<string, unknown>;
  const assignments = (b: Record<string, unknown>) => b.assignments as Record<string, unknown>;
  const rules: [string, Mutate, string][] = [
    ['missing user', (b) => { delete b.user; }, 'PARAMETER_REQUIRED'],
    ['missing email', (b) => { delete user(b).email; }, 'PARAMETER_REQUIRED'],
    ['missing first name', (b) => { delete user(b).first_name; }, 'PARAMETER_REQUIRED'],
    ['missing last name', (b) => { delete user(b).last_name; }, 'PARAMETER_REQUIRED'],
    ['missing username without VeevaID', (b) => { user(b).security_policy_id = 'noUser'; }, 'PARAMETER_REQUIRED'],
    ['unknown security policy', (b) => { user(b).security_policy_id = 'Nope'; }, 'INVALID_DATA'],
    ['bad person type', (b) => { user(b).person_type = 'robot__v'; b.person_type = 'robot__v'; }, 'INVALID_DATA'],
    ['person types disagree', (b) => { b.person_type = 'external__v'; }, 'INVALID_DATA'],
    ['bad language', (b) => { user(b).language = 'english'; }, 'INVALID_DATA'],
    ['missing is_investigator', (b) => { delete b.is_investigator; }, 'PARAMETER_REQUIRED'],
    ['investigator flag on an external person', (b) => {
      user(b).person_type = 'external__v';
      b.person_type = 'external__v';
      b.is_investigator = true;
      assignments(b).org_assignment = { org_id: 'V42000000001001', system_role_id: 'org_external__v' };
      assignments(b).site_assignments = [{ site_usn: 'US-NC-0001', system_role_id: 'external__v' }];
    }, 'INVALID_DATA'],
    ['missing org assignment', (b) => { delete assignments(b).org_assignment; }, 'PARAMETER_REQUIRED'],
    ['unknown organization', (b) => { assignments(b).org_assignment = { org_id: 'V42000000009999', system_role_id: 'org_admin__v' }; }, 'INVALID_DATA'],
    ['bad org role', (b) => { assignments(b).org_assignment = { org_id: 'V42000000001001', system_role_id: 'org_boss__v' }; }, 'INVALID_DATA'],
    ['org_no_access__v on create', (b) => { assignments(b).org_assignment = { org_id: 'V42000000001001', system_role_id: 'org_no_access__v' }; }, 'INVALID_DATA'],
    ['unknown org add-on', (b) => { assignments(b).org_assignment = { org_id: 'V42000000001001', system_role_id: 'org_admin__v', addons: ['org_budgets__v'] }; }, 'INVALID_DATA'],
    ['add-on on org_external__v', (b) => { assignments(b).org_assignment = { org_id: 'V42000000001001', system_role_id: 'org_external__v', addons: ['org_patients__v'] }; }, 'INVALID_DATA'],
    ['unknown site', (b) => { assignments(b).site_assignments = [{ site_usn: 'US-XX-9999', system_role_id: 'regulatory__v' }]; }, 'INVALID_DATA'],
    ['bad site role', (b) => { assignments(b).site_assignments = [{ site_usn: 'US-NC-0001', system_role_id: 'janitor__v' }]; }, 'INVALID_DATA'],
    ['add-on on site_viewer__v', (b) => { assignments(b).site_assignments = [{ site_usn: 'US-NC-0001', system_role_id: 'site_viewer__v', addons: ['site_budgets__v'] }]; }, 'INVALID_DATA'],
    ['add-on on site external__v', (b) => { assignments(b).site_assignments = [{ site_usn: 'US-NC-0001', system_role_id: 'external__v', addons: ['site_profiles__v'] }]; }, 'INVALID_DATA'],
    ['unknown site add-on', (b) => { assignments(b).site_assignments = [{ site_usn: 'US-NC-0001', system_role_id: 'regulatory__v', addons: ['site_coffee__v'] }]; }, 'INVALID_DATA'],
    ['site listed twice', (b) => { assignments(b).site_assignments = [{ site_usn: 'US-NC-0001', system_role_id: 'regulatory__v' }, { site_usn: 'US-NC-0001', system_role_id: 'study_team__v' }]; }, 'INVALID_DATA'],
    ['unknown study', (b) => { assignments(b).study_assignments = [{ id: 'V0S000000009999', study_role: 'other__v' }]; }, 'INVALID_DATA'],
    ['external study role on staff', (b) => { assignments(b).study_assignments = [{ id: 'V0S000000001001', study_role: 'sponsor_cro__v' }]; }, 'INVALID_DATA'],
    ['study at a site the person is not assigned to', (b) => { assignments(b).study_assignments = [{ id: 'V0S000000001002', study_role: 'other__v' }]; }, 'OPERATION_NOT_ALLOWED'],
    ['unknown attribute', (b) => { b.shoe_size = 9; }, 'ATTRIBUTE_NOT_SUPPORTED'],
  ];

  it.each(rules)('%s: FAILURE %s, nothing stored', async (_name, mutate, type) => {
    const { sim, sid } = await setup();
    const body = structuredClone(jerry());
    mutate(body);
    const r = await call(sim, 'POST', PATH, { sid, json: [body] });
    expect(r.body.responseStatus).toBe('FAILURE');
    expect((r.body.errors as { type: string }[]).map((e) => e.type)).toContain(type);
    expect(await sitevaultPersons(sim)).toEqual([]);
  });

  it.each([
    ['a bare object (not an array)', jerry()],
    ['two users at once (no bulk)', [jerry(), jerry()]],
  ])('refuses %s with INVALID_DATA', async (_name, json) => {
    const { sim, sid } = await setup();
    expect((await call(sim, 'POST', PATH, { sid, json })).body.errors[0].type).toBe('INVALID_DATA');
  });

  it('refuses a non-JSON content type', async () => {
    const { sim, sid } = await setup();
    const r = await call(sim, 'POST', PATH, { sid, body: JSON.stringify([jerry()]), contentType: 'text/plain' });
    expect(r.body.errors[0].type).toBe('INVALID_DATA');
  });
});

describe('SiteVault Edit User', () => {
  async function created() {
    const { sim, sid } = await setup();
    const body = jerry();
    body.assignments = {
      org_assignment: { org_id: 'V42000000001001', system_role_id: 'org_full__v', addons: ['org_patients__v'] },
      site_assignments: [
        { site_usn: 'US-NC-0001', system_role_id: 'regulatory__v', addons: ['site_budgets__v'] },
        { site_usn: 'US-CA-0002', system_role_id: 'study_team__v' },
      ],
      study_assignments: [{ id: 'V0S000000001001', study_role: 'principal_investigator__v' }, { id: 'V0S000000001002', study_role: 'other__v' }],
    };
    await call(sim, 'POST', PATH, { sid, json: [body] });
    return { sim, sid, url: `${PATH}/V0B000000001001` };
  }

  it('replaces a named assignment whole (an omitted add-on is removed) and leaves others; answers with an object', async () => {
    const { sim, sid, url } = await created();
    const r = await call(sim, 'PUT', url, { sid, json: { is_investigator: true, assignments: { site_assignments: [{ site_usn: 'US-NC-0001', system_role_id: 'regulatory__v' }] } } });
    expect(r.body).toEqual({
      responseStatus: 'SUCCESS',
      data: { response: { status: 'Success', email: 'jerry.cotter@company.com', username: null, person_id: 'V0B000000001001', record_status: 'active__v' } },
    });
    const [person] = await sitevaultPersons(sim);
    expect(person?.site_assignments).toEqual([
      { site_usn: 'US-CA-0002', system_role_id: 'study_team__v', addons: [] },
      { site_usn: 'US-NC-0001', system_role_id: 'regulatory__v', addons: [] },
    ]);
    expect(person?.org_assignment).toEqual({ org_id: 'V42000000001001', system_role_id: 'org_full__v', addons: ['org_patients__v'] });
    expect(person?.is_investigator).toBe(true);
  });

  it('removes a site with no_access__v (with its studies), and everything with org_no_access__v', async () => {
    const { sim, sid, url } = await created();
    await call(sim, 'PUT', url, { sid, json: { is_investigator: false, site_assignments: [{ site_usn: 'US-CA-0002', system_role_id: 'no_access__v' }] } });
    let [person] = await sitevaultPersons(sim);
    expect(person?.site_assignments).toEqual([{ site_usn: 'US-NC-0001', system_role_id: 'regulatory__v', addons: ['site_budgets__v'] }]);
    expect(person?.study_assignments).toEqual([{ id: 'V0S000000001001', study_role: 'principal_investigator__v' }]);
    const r = await call(sim, 'PUT', url, { sid, json: { is_investigator: false, assignments: { org_assignment: { org_id: 'V42000000001001', system_role_id: 'org_no_access__v' } } } });
    expect(r.body.data.response.record_status).toBe('inactive__v');
    [person] = await sitevaultPersons(sim);
    expect(person).toMatchObject({ record_status: 'inactive__v', org_assignment: null, site_assignments: [], study_assignments: [] });
  });

  it('re-activates an inactive person when created again with the same email', async () => {
    const { sim, sid, url } = await created();
    await call(sim, 'PUT', url, { sid, json: { is_investigator: false, assignments: { org_assignment: { org_id: 'V42000000001001', system_role_id: 'org_no_access__v' } } } });
    const again = await call(sim, 'POST', PATH, { sid, json: [jerry()] });
    expect(again.body.data.response[0]).toMatchObject({ person_id: 'V0B000000001001', record_status: 'active__v' });
  });

  it.each([
    ['an array body', [{ is_investigator: false }], 'INVALID_DATA'],
    ['missing is_investigator', { assignments: {} }, 'PARAMETER_REQUIRED'],
    ['associating a user that does not exist', { is_investigator: false, username: 'ghost@veepharm.com' }, 'INVALID_DATA'],
    ['a study whose site is not assigned', { is_investigator: false, site_assignments: [{ site_usn: 'US-CA-0002', system_role_id: 'no_access__v' }], study_assignments: [{ id: 'V0S000000001002', study_role: 'other__v' }] }, 'OPERATION_NOT_ALLOWED'],
  ])('refuses %s: FAILURE %s', async (_name, json, type) => {
    const { sim, sid, url } = await created();
    const r = await call(sim, 'PUT', url, { sid, json });
    expect((r.body.errors as { type: string }[]).map((e) => e.type)).toContain(type);
  });

  it('answers MALFORMED_URL for an unknown person', async () => {
    const { sim, sid } = await setup();
    expect((await call(sim, 'PUT', `${PATH}/V0B000000099999`, { sid, json: { is_investigator: false } })).body.errors[0].type).toBe('MALFORMED_URL');
  });
});
