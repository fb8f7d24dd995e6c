/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any -- contract tests assert on raw Vault JSON */
/**
 * Simulator groups (VAULT-API.md §16.1) over real HTTP: the listing with and without implied
 * members, Auto Managed groups, one group, metadata, create / update (replace, add, delete) /
 * delete, what is refused, VQL on group__sys and group_membership__sys, the group profiles, faults
 * and the request log.
 */
import { describe, expect, it } from 'vitest';
import { defaultSeed, humanSeedUser } from '../../src/simulator/default-state.js';
import { SeedError, type SimulatorOptions, type SimulatorSeed } from '../../src/simulator/index.js';
import { parseSeed } from '../../src/simulator/seed.js';
import { adminSession, startTestSimulator } from '../helpers/simulator.js';
import { call, type CallResult } from './api.js';

const CLINICAL = 'veepharm-clinical.veevavault.com';
const READER = 30001;
const WRITER = 30002;
const IDLE_READER = 30003;
const EXTERNAL = 30004;
const RIM_ONLY = 30005;
const STUDY_MANAGERS = 1394917493801;
const REVIEWERS = 1394917493802;
const AUTO = 1394917493804;

function seed(): SimulatorSeed {
  const base = defaultSeed();
  const member = (id: number, profile: string, extra: { active?: boolean; license?: 'full__v' | 'external__v' } = {}) =>
    humanSeedUser(id, `u${id}@veepharm.com`, 5005, {
      vault_membership: [{ vault_id: 5005, active__v: extra.active ?? true, security_profile__v: profile, license_type__v: extra.license ?? 'full__v' }],
    });
  return {
    ...base,
    users: [
      ...(base.users ?? []),
      member(READER, 'read_only_user__v'),
      member(WRITER, 'document_user__v'),
      member(IDLE_READER, 'read_only_user__v', { active: false }),
      member(EXTERNAL, 'external_user__v', { license: 'external__v' }),
      humanSeedUser(RIM_ONLY, 'rim.only@veepharm.com', 3003),
    ],
  };
}

async function start(options: SimulatorOptions = {}) {
  const sim = await startTestSimulator({ seed: seed(), ...options });
  const sid = await adminSession(sim, CLINICAL, 'v26.1');
  const api = (method: string, path: string, form?: Record<string, string>): Promise<CallResult> =>
    call(sim, method, path, { sid, version: 'v26.1', ...(form === undefined ? {} : { form }) });
  return { sim, sid, api };
}

function groupsOf(r: CallResult, key = 'groups'): Record<string, any>[] {
  expect(r.body.responseStatus).toBe('SUCCESS');
  return (r.body[key] as { group: Record<string, any> }[]).map((g) => g.group);
}

function byLabel(groups: readonly Record<string, any>[], label: string): Record<string, any> {
  const g = groups.find((x) => x.label__v === label);
  expect(g, label).toBeDefined();
  return g as Record<string, any>;
}

function failure(r: CallResult): string {
  expect(r.body.responseStatus).toBe('FAILURE');
  return r.body.errors[0].type as string;
}

async function vql(api: Awaited<ReturnType<typeof start>>['api'], q: string): Promise<CallResult> {
  return api('POST', '/query', { q });
}

describe('groups: reads', () => {
  it('lists every group of the session vault but the Auto Managed ones; system groups per standard profile and All Internal Users', async () => {
    const { api } = await start();
    const groups = groupsOf(await api('GET', '/objects/groups'));
    expect(groups.map((g) => g.label__v).sort()).toEqual([
      'All Internal Users',
      'Business Admin',
      'Clinical Reviewers',
      'Document User',
      'External User',
      'Read Only User',
      'Study Managers',
      'System Admin',
      'Vault Owner',
      'View Based User',
    ]);
    const managers = byLabel(groups, 'Study Managers');
    expect(managers).toMatchObject({
      id: STUDY_MANAGERS,
      name__v: 'study_managers__c',
      members__v: [25001],
      security_profiles__v: [],
      active__v: true,
      editable__v: true,
      system_group__v: false,
      type__v: 'User Managed Group',
    });
    expect(managers.implied_members__v).toBeUndefined();
    expect(byLabel(groups, 'Read Only User')).toMatchObject({ system_group__v: true, editable__v: false, security_profiles__v: ['read_only_user__v'], members__v: [] });
  });

  it('includeImplied=true adds the users whose active membership has one of the profiles, as objects', async () => {
    const { api } = await start();
    const groups = groupsOf(await api('GET', '/objects/groups?includeImplied=true'));
    expect(byLabel(groups, 'Clinical Reviewers').implied_members__v).toEqual([{ id: READER, source_name: 'read_only_user__v', source_type: 'security_profile' }]);
    expect(byLabel(groups, 'Study Managers').implied_members__v).toEqual([]);
    // All Internal Users: every active member of the vault without an external licence.
    expect(byLabel(groups, 'All Internal Users').implied_members__v.map((m: { id: number }) => m.id)).toEqual([1, 2, 3, 25001, READER, WRITER]);
    expect(failure(await api('GET', '/objects/groups?includeImplied=maybe'))).toBe('INVALID_DATA');
  });

  it('lists Auto Managed groups apart, paged by limit and offset (1 to 1000)', async () => {
    const { api } = await start();
    const auto = await api('GET', '/objects/groups/auto?limit=1&offset=0');
    expect(auto.body.responseDetails).toMatchObject({ limit: 1, offset: 0, size: 1, total: 1 });
    expect(groupsOf(auto, 'data').map((g) => [g.id, g.type__v, g.members__v])).toEqual([[AUTO, 'Auto Managed Group', [25001]]]);
    expect(groupsOf(await api('GET', '/objects/groups/auto?offset=1'), 'data')).toEqual([]);
    expect(failure(await api('GET', '/objects/groups/auto?limit=0'))).toBe('INVALID_DATA');
    expect(failure(await api('GET', '/objects/groups/auto?limit=1001'))).toBe('INVALID_DATA');
  });

  it('retrieves one group of the session vault; another vault’s group or a bad id is MALFORMED_URL; metadata lists the fields', async () => {
    const { api } = await start();
    expect(groupsOf(await api('GET', `/objects/groups/${REVIEWERS}?includeImplied=true`))[0]).toMatchObject({ label__v: 'Clinical Reviewers', implied_members__v: [{ id: READER }] });
    expect(failure(await api('GET', '/objects/groups/1394917493803'))).toBe('MALFORMED_URL'); // vault 3003's
    expect(failure(await api('GET', '/objects/groups/abc'))).toBe('MALFORMED_URL');
    const meta = await api('GET', '/metadata/objects/groups');
    expect(meta.body.properties.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['label__v', 'group_description__v', 'allow_delegation_among_members__v', 'active__v', 'members__v', 'security_profiles__v']),
    );
    expect(meta.body.properties.find((p: { name: string }) => p.name === 'label__v').required).toBe(true);
  });
});

describe('groups: writes', () => {
  it('creates a group: name derived from the label, members and profiles from comma lists, answer with the new id', async () => {
    const { api } = await start();
    const created = await api('POST', '/objects/groups', {
      label__v: 'EU Study-Team (2026)',
      members__v: `${WRITER},${READER}`,
      security_profiles__v: 'external_user__v',
      group_description__v: 'Europe',
      allow_delegation_among_members__v: 'true',
    });
    expect(created.body).toEqual({ responseStatus: 'SUCCESS', responseMessage: 'Group successfully created.', id: expect.any(Number) });
    const [group] = groupsOf(await api('GET', `/objects/groups/${created.body.id as number}?includeImplied=true`));
    expect(group).toMatchObject({
      label__v: 'EU Study-Team (2026)',
      name__v: 'eu_study_team_2026__c',
      members__v: [READER, WRITER],
      security_profiles__v: ['external_user__v'],
      implied_members__v: [{ id: EXTERNAL, source_name: 'external_user__v' }],
      group_description__v: 'Europe',
      active__v: true,
      allow_delegation_among_members__v: true,
    });
  });

  it.each([
    ['a label another group has, in another case', { label__v: 'study MANAGERS' }, 'ITEM_NAME_EXISTS'],
    ['a label that derives an existing name', { label__v: 'Study-Managers' }, 'ITEM_NAME_EXISTS'],
    ['no label', { members__v: String(WRITER) }, 'PARAMETER_REQUIRED'],
    ['an unknown user id', { label__v: 'New', members__v: '99999' }, 'INVALID_DATA'],
    ['a user of another vault only', { label__v: 'New', members__v: String(RIM_ONLY) }, 'INVALID_DATA'],
    ['an unknown profile', { label__v: 'New', security_profiles__v: 'made_up__c' }, 'INVALID_DATA'],
    ['name__v (Vault derives it)', { label__v: 'New', name__v: 'new__c' }, 'ATTRIBUTE_NOT_SUPPORTED'],
    ['add (…) on create', { label__v: 'New', members__v: `add (${WRITER})` }, 'INVALID_DATA'],
  ])('refuses a create with %s', async (_name, form, type) => {
    const { api, sim } = await start();
    const before = sim.dump().groups;
    expect(failure(await api('POST', '/objects/groups', form))).toBe(type);
    expect(sim.dump().groups).toEqual(before);
  });

  it('members__v=1,2 replaces the explicit members; add (…) and delete (…) change them incrementally', async () => {
    const { api } = await start();
    const members = async () => groupsOf(await api('GET', `/objects/groups/${STUDY_MANAGERS}`))[0]?.members__v;
    expect((await api('PUT', `/objects/groups/${STUDY_MANAGERS}`, { members__v: `add (${WRITER}, ${READER})` })).body).toEqual({ responseStatus: 'SUCCESS', id: STUDY_MANAGERS });
    expect(await members()).toEqual([25001, READER, WRITER]);
    await api('PUT', `/objects/groups/${STUDY_MANAGERS}`, { members__v: `add (${WRITER})` });
    expect(await members()).toEqual([25001, READER, WRITER]);
    await api('PUT', `/objects/groups/${STUDY_MANAGERS}`, { members__v: `delete (25001,${EXTERNAL})` });
    expect(await members()).toEqual([READER, WRITER]);
    await api('PUT', `/objects/groups/${STUDY_MANAGERS}`, { members__v: String(EXTERNAL) });
    expect(await members()).toEqual([EXTERNAL]);
    for (const bad of ['add (', 'add ()', 'add (1,x)', 'remove (1)', '1;2', `delete ${WRITER}`]) {
      expect(failure(await api('PUT', `/objects/groups/${STUDY_MANAGERS}`, { members__v: bad })), bad).toBe('INVALID_DATA');
    }
    expect(failure(await api('PUT', `/objects/groups/${STUDY_MANAGERS}`, { members__v: 'add (99999)' }))).toBe('INVALID_DATA');
    expect(await members()).toEqual([EXTERNAL]);
  });

  it('updates values; changing security_profiles__v replaces the implied members; labels stay unique', async () => {
    const { api } = await start();
    const update = await api('PUT', `/objects/groups/${REVIEWERS}`, {
      security_profiles__v: 'document_user__v',
      active__v: 'false',
      group_description__v: '',
      label__v: 'Clinical Reviewers EU',
    });
    expect(update.body.responseStatus).toBe('SUCCESS');
    const [group] = groupsOf(await api('GET', `/objects/groups/${REVIEWERS}?includeImplied=true`));
    expect(group).toMatchObject({ label__v: 'Clinical Reviewers EU', name__v: 'clinical_reviewers__c', active__v: false, group_description__v: '', members__v: [25001] });
    expect(group?.implied_members__v).toEqual([{ id: WRITER, source_name: 'document_user__v', source_type: 'security_profile' }]);
    expect(failure(await api('PUT', `/objects/groups/${REVIEWERS}`, { label__v: 'STUDY managers' }))).toBe('ITEM_NAME_EXISTS');
    expect(failure(await api('PUT', `/objects/groups/${REVIEWERS}`, { active__v: 'yes' }))).toBe('INVALID_DATA');
    expect(failure(await api('PUT', `/objects/groups/${REVIEWERS}`, {}))).toBe('PARAMETER_REQUIRED');
  });

  it('refuses writes to system, Auto Managed groups and by non-admins; deletes only user-managed groups', async () => {
    const { api, sim } = await start({ passwords: { 'u30002@veepharm.com': 'pw' } });
    const system = byLabel(groupsOf(await api('GET', '/objects/groups')), 'System Admin');
    expect(failure(await api('PUT', `/objects/groups/${system.id as number}`, { members__v: `add (${WRITER})` }))).toBe('INSUFFICIENT_ACCESS');
    expect(failure(await api('PUT', `/objects/groups/${AUTO}`, { members__v: `add (${WRITER})` }))).toBe('OPERATION_NOT_ALLOWED');
    expect(failure(await api('DELETE', `/objects/groups/${system.id as number}`))).toBe('INSUFFICIENT_ACCESS');
    expect(failure(await api('DELETE', `/objects/groups/${AUTO}`))).toBe('OPERATION_NOT_ALLOWED');
    const login = await call(sim, 'POST', '/auth', { version: 'v26.1', form: { username: 'u30002@veepharm.com', password: 'pw', vaultDNS: CLINICAL } });
    const plain = await call(sim, 'POST', '/objects/groups', { sid: login.body.sessionId as string, version: 'v26.1', form: { label__v: 'Mine' } });
    expect(failure(plain)).toBe('INSUFFICIENT_ACCESS');
    expect((await api('DELETE', `/objects/groups/${STUDY_MANAGERS}`)).body).toEqual({ responseStatus: 'SUCCESS', id: STUDY_MANAGERS });
    expect(failure(await api('GET', `/objects/groups/${STUDY_MANAGERS}`))).toBe('MALFORMED_URL');
  });
});

describe('groups: VQL', () => {
  it('group__sys has the documented fields; type__sys and system_group__sys tell the kinds apart', async () => {
    const { api } = await start();
    const r = await vql(api, "SELECT id, name__v, label__v, status__v, system_group__sys, type__sys FROM group__sys WHERE label__v = 'study managers'");
    expect(r.body.data).toEqual([{ id: STUDY_MANAGERS, name__v: 'study_managers__c', label__v: 'Study Managers', status__v: 'active__v', system_group__sys: false, type__sys: 'user_managed__sys' }]);
    const kinds = await vql(api, 'SELECT type__sys, system_group__sys FROM group__sys');
    const seen = new Set((kinds.body.data as { type__sys: string; system_group__sys: boolean }[]).map((k) => `${k.type__sys}:${String(k.system_group__sys)}`));
    expect([...seen].sort()).toEqual(['auto_managed__sys:false', 'system_managed__sys:true', 'user_managed__sys:false']);
    expect(failure(await vql(api, 'SELECT nope__v FROM group__sys'))).toBe('INCORRECT_QUERY_SYNTAX_ERROR');
  });

  it('group_membership__sys lists explicit and implied members (one row per user and group) by default, explicit only under its profile', async () => {
    const { api, sim } = await start();
    const q = `SELECT user_id__sys, group_id__sys FROM group_membership__sys WHERE group_id__sys IN (${REVIEWERS}, ${AUTO})`;
    const rows = (r: CallResult) => (r.body.data as { user_id__sys: number; group_id__sys: number }[]).map((m) => [m.group_id__sys, m.user_id__sys]);
    expect(rows(await vql(api, q))).toEqual([
      [REVIEWERS, 25001],
      [REVIEWERS, READER],
      [AUTO, 25001],
    ]);
    sim.setProfile('group-membership-explicit-only');
    expect(rows(await vql(api, q))).toEqual([
      [REVIEWERS, 25001],
      [AUTO, 25001],
    ]);
  });

  it('pages group_membership__sys like every VQL target', async () => {
    const { api } = await start();
    const first = await vql(api, 'SELECT id, user_id__sys, group_id__sys FROM group_membership__sys PAGESIZE 5');
    const total = first.body.responseDetails.total as number;
    expect(total).toBeGreaterThan(10);
    const all = [...first.body.data];
    let next = first.body.responseDetails.next_page as string | undefined;
    while (next !== undefined) {
      const page = await api('POST', next);
      all.push(...page.body.data);
      next = page.body.responseDetails.next_page;
    }
    expect(all).toHaveLength(total);
    expect(new Set(all.map((r) => r.id)).size).toBe(total);
  });
});

describe('groups: profiles, faults, request log, seed', () => {
  it('groups-listing-data-key wraps the listing in data; implied-members-bare-ids sends ids', async () => {
    const { api, sim } = await start({ profile: 'groups-listing-data-key' });
    const listing = await api('GET', '/objects/groups?includeImplied=true');
    expect(listing.body.groups).toBeUndefined();
    expect(byLabel(groupsOf(listing, 'data'), 'Clinical Reviewers').implied_members__v).toEqual([{ id: READER, source_name: 'read_only_user__v', source_type: 'security_profile' }]);
    sim.setProfile('implied-members-bare-ids');
    expect(byLabel(groupsOf(await api('GET', '/objects/groups?includeImplied=true')), 'Clinical Reviewers').implied_members__v).toEqual([READER]);
  });

  it('faults apply to group calls: fail-rows by member or label, random faults; the request log records them', async () => {
    const { api, sim } = await start({ faults: `fail-rows=u${WRITER}@veepharm.com|Blocked Group` });
    sim.clearRequestLog();
    expect(failure(await api('PUT', `/objects/groups/${STUDY_MANAGERS}`, { members__v: `add (${WRITER})` }))).toBe('INVALID_DATA');
    expect(failure(await api('POST', '/objects/groups', { label__v: 'Blocked Group' }))).toBe('INVALID_DATA');
    sim.setFaults('race=1');
    expect(failure(await api('GET', '/objects/groups'))).toBe('RACE_CONDITION');
    sim.setFaults('none');
    expect(sim.requestLog().map((e) => [e.method, e.path, e.status, e.errorTypes])).toEqual([
      ['PUT', `/api/v26.1/objects/groups/${STUDY_MANAGERS}`, 'FAILURE', ['INVALID_DATA']],
      ['POST', '/api/v26.1/objects/groups', 'FAILURE', ['INVALID_DATA']],
      ['GET', '/api/v26.1/objects/groups', 'FAILURE', ['RACE_CONDITION']],
    ]);
  });

  it('a dumped state with groups starts again the same; a bad group in a seed is a SeedError naming its path', async () => {
    const { api, sim } = await start();
    await api('POST', '/objects/groups', { label__v: 'Saved', members__v: String(WRITER) });
    const dumped = sim.dump();
    expect(dumped.groups?.find((g) => g.label__v === 'Saved')).toMatchObject({ kind: 'user_managed', members__v: [WRITER], vault_id: 5005 });
    const again = await startTestSimulator({ seed: dumped });
    expect(again.dump()).toEqual(dumped);
    const bad = (groups: unknown[]) => () => parseSeed({ ...seed(), groups });
    expect(bad([{ vault_id: 5005, label__v: 'X', members__v: [99999] }])).toThrow(new SeedError('groups[0].members__v[0]: unknown user 99999'));
    expect(bad([{ vault_id: 5005, label__v: 'X', members__v: ['Nobody@veepharm.com'] }])).toThrow(/groups\[0\].members__v\[0\]: unknown user "Nobody@veepharm.com"/);
    // Members may be named: the demo's groups name the admin, so a seed that re-adds it under another id still loads.
    expect(parseSeed({ ...seed(), groups: [{ vault_id: 5005, label__v: 'X', members__v: ['U30001@VEEPHARM.COM', READER] }] }).groups.find((g) => g.label === 'X')?.members).toEqual([READER]);
    expect(bad([{ vault_id: 42, label__v: 'X' }])).toThrow(/groups\[0\].vault_id: unknown vault 42/);
    expect(bad([{ vault_id: 5005, label__v: 'x' }, { vault_id: 5005, label__v: 'X' }])).toThrow(/groups\[1\]: vault 5005 already has a group labelled X/);
    expect(bad([{ vault_id: 5005, label__v: 'X', kind: 'dynamic' }])).toThrow(/groups\[0\].kind: must be one of/);
  });
});
