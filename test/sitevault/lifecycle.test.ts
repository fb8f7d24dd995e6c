/**
 * SiteVault end to end through the CLI (in-process) against the simulator over HTTP: create a
 * person, change an add-on, remove a site, remove the person, refresh. The simulator's /_sim/
 * view stands in for the read API SiteVault lacks; the state file is what vault-roster knows.
 */
import { describe, expect, it } from 'vitest';
import { defaultSeed } from '../../src/simulator/index.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { planJson, readState, simPersons, writeRepo, writeFile, writes } from './repo.js';
import { wireCall } from '../helpers/wire.js';

const EMAIL = 'jerry.cotter@company.com';
const ORG = 'V42000000001001';

interface PersonYaml {
  readonly ncAddons: string;
  readonly caSite: boolean;
}

function personYaml(p: PersonYaml): string {
  return `sitevault_users:
  - email: Jerry.Cotter@company.com
    first_name: Jerry
    last_name: Cotter
    security_policy: VeevaID
    person_type: staff__v
    investigator: false
    org: { id: ${ORG}, role: org_admin__v, addons: [org_patients__v] }
    sites:
      - { usn: US-NC-0001, role: regulatory__v, addons: [${p.ncAddons}] }
${p.caSite ? '      - { usn: US-CA-0002, role: study_team__v, addons: [site_patients__v] }\n' : ''}    studies:
      - { id: V0S000000001001, role: clinical_research_coordinator__v }
`;
}

async function fixture(): Promise<RosterFixture> {
  const fx = await startRosterFixture({ seed: defaultSeed() });
  writeRepo(fx, { 'sitevault/staff.yaml': personYaml({ ncAddons: 'site_budgets__v', caSite: true }) });
  return fx;
}

async function applyOk(fx: RosterFixture, extra: readonly string[] = []): Promise<string> {
  const run = await fx.run(['apply', '--auto-approve', ...extra]);
  expect(run.code, run.stderr + run.stdout).toBe(0);
  return run.stdout;
}

async function expectNoChanges(fx: RosterFixture): Promise<void> {
  const run = await fx.run(['plan', '--detailed-exitcode']);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(run.stdout).toContain('No changes. Vault matches the desired state.');
}

describe('SiteVault person lifecycle', () => {
  it('creates, edits an add-on, removes a site, removes the person; every re-plan is empty', async () => {
    const fx = await fixture();

    // 1. Create: one POST, with exactly the YAML's assignments.
    const created = await planJson(fx);
    expect(created.changes.map((c) => [c.subject, c.key, c.action])).toEqual([['sitevault_person', EMAIL, 'sitevault_create']]);
    expect(created.operations.map((o) => [o.kind, wireCall(o).method, wireCall(o).path])).toEqual([['sitevault_create', 'POST', '/app/sitevault/useradmin/persons']]);
    expect(created.diagnostics.map((d) => d.code)).toContain('sitevault-state-only');
    fx.sim.clearRequestLog();
    expect(await applyOk(fx)).toMatch(/^Apply complete: created 0, updated 0, deactivated 0, promoted 0, SiteVault changes 1, failed 0\.$/m);
    expect(writes(fx)).toEqual([{ method: 'POST', path: '/api/v26.2/app/sitevault/useradmin/persons' }]);

    const [person, ...others] = await simPersons(fx);
    expect(others).toEqual([]);
    expect(person).toMatchObject({
      email: EMAIL,
      is_investigator: false,
      record_status: 'active__v',
      org_assignment: { org_id: ORG, system_role_id: 'org_admin__v', addons: ['org_patients__v'] },
      site_assignments: [
        { site_usn: 'US-CA-0002', system_role_id: 'study_team__v', addons: ['site_patients__v'] },
        { site_usn: 'US-NC-0001', system_role_id: 'regulatory__v', addons: ['site_budgets__v'] },
      ],
      study_assignments: [{ id: 'V0S000000001001', study_role: 'clinical_research_coordinator__v' }],
    });
    const personId = person?.person_id ?? '';
    expect(personId).toMatch(/^V0B\d{12}$/);
    const state = readState(fx.dir);
    expect(Object.keys(state.sitevault)).toEqual([EMAIL]);
    expect(state.sitevault[EMAIL]).toMatchObject({
      person_id: personId,
      org: { org_id: ORG, role: 'org_admin__v', addons: ['org_patients__v'] },
      sites: [
        { site_usn: 'US-CA-0002', role: 'study_team__v', addons: ['site_patients__v'] },
        { site_usn: 'US-NC-0001', role: 'regulatory__v', addons: ['site_budgets__v'] },
      ],
      studies: [{ study_id: 'V0S000000001001', role: 'clinical_research_coordinator__v' }],
    });
    await expectNoChanges(fx);

    // 2. An add-on changes: the edit names that site with every parameter (full replace), nothing else.
    writeFile(fx.dir, 'sitevault/staff.yaml', personYaml({ ncAddons: 'site_budgets__v, site_profiles__v', caSite: true }));
    const edit = await planJson(fx);
    expect(edit.changes.map((c) => [c.action, c.fields])).toEqual([
      ['sitevault_edit', [{ path: 'sites[US-NC-0001].addons', before: ['site_budgets__v'], after: ['site_budgets__v', 'site_profiles__v'] }]],
    ]);
    expect(edit.operations.map((o) => [o.kind, wireCall(o).method, wireCall(o).path, wireCall(o).bodies])).toEqual([
      [
        'sitevault_edit',
        'PUT',
        `/app/sitevault/useradmin/persons/${personId}`,
        [{ is_investigator: false, assignments: { site_assignments: [{ site_usn: 'US-NC-0001', system_role_id: 'regulatory__v', addons: ['site_budgets__v', 'site_profiles__v'] }] } }],
      ],
    ]);
    const before = await simPersons(fx);
    expect(await applyOk(fx)).toMatch(/updated 0, .*SiteVault changes 1, failed 0/);
    const afterEdit = await simPersons(fx);
    expect(afterEdit).toEqual([
      {
        ...before[0],
        site_assignments: [
          { site_usn: 'US-CA-0002', system_role_id: 'study_team__v', addons: ['site_patients__v'] },
          { site_usn: 'US-NC-0001', system_role_id: 'regulatory__v', addons: ['site_budgets__v', 'site_profiles__v'] },
        ],
      },
    ]);
    await expectNoChanges(fx);

    // 3. A site leaves the YAML: sent with no_access__v, never silently dropped.
    writeFile(fx.dir, 'sitevault/staff.yaml', personYaml({ ncAddons: 'site_budgets__v, site_profiles__v', caSite: false }));
    const removal = await planJson(fx);
    expect(removal.changes.map((c) => [c.action, c.risks, c.fields])).toEqual([
      [
        'sitevault_edit',
        ['deactivation'],
        [
          { path: 'sites[US-CA-0002].role', before: 'study_team__v', after: 'no_access__v' },
          { path: 'sites[US-CA-0002].addons', before: ['site_patients__v'], after: [] },
        ],
      ],
    ]);
    expect(wireCall(removal.operations[0]!).bodies[0]).toEqual({
      is_investigator: false,
      assignments: { site_assignments: [{ site_usn: 'US-CA-0002', system_role_id: 'no_access__v' }] },
    });
    const text = await fx.run(['plan']);
    expect(text.stdout).toMatch(/site US-CA-0002 › role\s+"study_team__v" → "no_access__v"/);
    await applyOk(fx);
    const afterRemoval = await simPersons(fx);
    expect(afterRemoval[0]?.site_assignments.map((s) => s.site_usn)).toEqual(['US-NC-0001']);
    expect(afterRemoval[0]).toMatchObject({ org_assignment: before[0]?.org_assignment, study_assignments: before[0]?.study_assignments, record_status: 'active__v' });
    expect(readState(fx.dir).sitevault[EMAIL]?.sites.map((s) => s.site_usn)).toEqual(['US-NC-0001']);
    await expectNoChanges(fx);

    // 4. The person leaves the YAML: org and sites revoked; the state file forgets them.
    writeFile(fx.dir, 'sitevault/staff.yaml', 'sitevault_users: []\n');
    const gone = await planJson(fx);
    expect(gone.changes.map((c) => [c.key, c.action, c.reason])).toEqual([[EMAIL, 'sitevault_edit', 'removed from YAML: org and site access revoked with the no-access roles']]);
    expect(wireCall(gone.operations[0]!).bodies[0]).toEqual({
      is_investigator: false,
      assignments: {
        org_assignment: { org_id: ORG, system_role_id: 'org_no_access__v' },
        site_assignments: [{ site_usn: 'US-NC-0001', system_role_id: 'no_access__v' }],
      },
    });
    await applyOk(fx);
    expect(await simPersons(fx)).toMatchObject([{ person_id: personId, record_status: 'inactive__v', org_assignment: null, site_assignments: [], study_assignments: [] }]);
    expect(readState(fx.dir).sitevault).toEqual({});
    await expectNoChanges(fx);
  });

  it('plan --refresh and apply --refresh re-send every managed person whole, overwriting out-of-band edits', async () => {
    const fx = await fixture();
    writeFile(
      fx.dir,
      'sitevault/other.yaml',
      `sitevault_users:
  - email: sofia.alvarez@apexcro.example
    first_name: Sofia
    last_name: Alvarez
    security_policy: VeevaID
    person_type: external__v
    investigator: false
    org: { id: ${ORG}, role: org_external__v }
    sites: [{ usn: US-CA-0002, role: external__v }]
    studies: [{ id: V0S000000001002, role: sponsor_cro__v }]
`,
    );
    await applyOk(fx);
    const persons = await simPersons(fx);
    expect(persons).toHaveLength(2);
    await expectNoChanges(fx);

    // Someone changes Jerry in SiteVault itself: vault-roster cannot see it (no read API) ...
    const jerry = persons.find((p) => p.email === EMAIL);
    const seed = fx.sim.dump();
    fx.sim.replaceState({
      ...seed,
      sitevault: {
        ...seed.sitevault!,
        persons: (seed.sitevault?.persons ?? []).map((p) =>
          p.email === EMAIL ? { ...p, site_assignments: [{ site_usn: 'US-NC-0001', system_role_id: 'site_viewer__v' }] } : p,
        ),
      },
    });
    await expectNoChanges(fx);

    // ... until a refresh re-sends everything.
    const refresh = await planJson(fx, ['--refresh']);
    expect(refresh.changes.map((c) => [c.key, c.action, c.fields])).toEqual([
      [EMAIL, 'sitevault_edit', []],
      ['sofia.alvarez@apexcro.example', 'sitevault_edit', []],
    ]);
    expect(refresh.operations.map((o) => wireCall(o).bodies[0])).toEqual([
      {
        is_investigator: false,
        assignments: {
          org_assignment: { org_id: ORG, system_role_id: 'org_admin__v', addons: ['org_patients__v'] },
          site_assignments: [
            { site_usn: 'US-CA-0002', system_role_id: 'study_team__v', addons: ['site_patients__v'] },
            { site_usn: 'US-NC-0001', system_role_id: 'regulatory__v', addons: ['site_budgets__v'] },
          ],
          study_assignments: [{ id: 'V0S000000001001', study_role: 'clinical_research_coordinator__v' }],
        },
      },
      {
        is_investigator: false,
        assignments: {
          org_assignment: { org_id: ORG, system_role_id: 'org_external__v' },
          site_assignments: [{ site_usn: 'US-CA-0002', system_role_id: 'external__v' }],
          study_assignments: [{ id: 'V0S000000001002', study_role: 'sponsor_cro__v' }],
        },
      },
    ]);
    const text = await fx.run(['plan', '--refresh']);
    expect(text.stdout).toContain('refresh: re-sending every assignment');
    fx.sim.clearRequestLog();
    expect(await applyOk(fx, ['--refresh'])).toMatch(/updated 0, .*SiteVault changes 2, failed 0/);
    expect(writes(fx)).toEqual([
      { method: 'PUT', path: `/api/v26.2/app/sitevault/useradmin/persons/${jerry?.person_id ?? ''}` },
      { method: 'PUT', path: `/api/v26.2/app/sitevault/useradmin/persons/${persons.find((p) => p.email !== EMAIL)?.person_id ?? ''}` },
    ]);
    expect(await simPersons(fx)).toEqual(persons);
    await expectNoChanges(fx);
  });
});

describe('what SiteVault Edit cannot change', () => {
  it('a renamed person is a warning whose hint works: rename in SiteVault, then apply --refresh records it', async () => {
    const fx = await fixture();
    await applyOk(fx);
    writeFile(fx.dir, 'sitevault/staff.yaml', personYaml({ ncAddons: 'site_budgets__v', caSite: true }).replace('first_name: Jerry', 'first_name: Gerald'));
    const plan = await planJson(fx);
    expect(plan.changes).toEqual([]);
    const warning = plan.diagnostics.find((d) => d.code === 'sitevault-not-editable');
    expect(warning).toMatchObject({ severity: 'warning', subject: { user: EMAIL, field: 'first_name' }, position: { file: 'sitevault/staff.yaml', line: 2 } });
    expect(warning?.hint).toBe('change these in SiteVault itself, then run apply --refresh so the state file records them');

    // Following the hint: the name is changed in SiteVault (out of band), then a refresh.
    const seed = fx.sim.dump();
    fx.sim.replaceState({
      ...seed,
      sitevault: { ...seed.sitevault!, persons: (seed.sitevault?.persons ?? []).map((p) => (p.email === EMAIL ? { ...p, first_name: 'Gerald' } : p)) },
    });
    fx.sim.clearRequestLog();
    await applyOk(fx, ['--refresh']);
    expect(writes(fx)).toHaveLength(1);
    expect(readState(fx.dir).sitevault[EMAIL]?.first_name).toBe('Gerald');
    const after = await planJson(fx);
    expect(after.diagnostics.map((d) => d.code)).toEqual(['sitevault-state-only']);
    await expectNoChanges(fx);
  });
});
