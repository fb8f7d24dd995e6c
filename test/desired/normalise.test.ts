/** Normalisation: defaults, lower-cased identities, sorted lists, paths, digests, source positions. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDesiredState } from '../../src/desired/index.js';
import type { DesiredState } from '../../src/model.js';
import { makeRepo, removeRepo, summarise, type RepoFiles } from './temp-repo.js';

const ROSTER = `vault: { url: "https://x.veevavault.com", api_version: v26.2, vault_id: 3003, dns: x.veevavault.com }
include: [people/*.yaml]
defaults: { timezone: Europe/Paris, locale: fr_FR, language: fr, security_policy: 821, license_type: external__v, security_profile: external_user__v }
policy: { unmanaged_users: deactivate, protected_users: [" Admin@Sim.VeevaVault.local ", admin@sim.veevavault.local] }
state: state/last.json
`;

const USERS = `users:
  - user_name: "  Zed.Ward@VeePharm.com "
    email: Zed.Ward@veepharm.com
    license_type: full__v
    memberships:
      - { vault: 5005 }
      - { vault: 3003, security_profile: system_admin__v, license_type: full__v, active: false, apps: { rimSubs_v: read_only__v, rimReg_v: full__v } }
  - user_name: amy.adams@veepharm.com
    security_policy: "822"
    timezone: Asia/Tokyo
`;

const PERSONS = `sitevault_users:
  - email: Zoe@Site.Example
    first_name: Zoe
    last_name: Z
    security_policy: VeevaID
    person_type: staff__v
    investigator: true
    org: { id: V42000000001001, role: org_full__v }
    sites: [{ usn: US-NC-0002, role: regulatory__v, addons: [site_profiles__v, site_budgets__v] }, { usn: US-CA-0001, role: study_team__v }]
    studies: [{ id: V0S000000001002, role: subinvestigator__v }, { id: V0S000000001001, role: principal_investigator__v }]
  - email: abe@site.example
    username: Abe@VeePharm.com
    first_name: Abe
    last_name: A
    security_policy: 821
    person_type: external__v
    investigator: false
    org: { id: V42000000001001, role: org_external__v }
`;

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) removeRepo(root);
});

async function loadOk(files: RepoFiles): Promise<{ root: string; state: DesiredState }> {
  const root = makeRepo(files);
  roots.push(root);
  const result = await loadDesiredState('repo-roster.yaml', { cwd: root });
  expect(summarise(result.diagnostics)).toEqual([]);
  if (!result.ok) throw new Error('expected a valid repo');
  return { root, state: result.state };
}

describe('normalisation', () => {
  const files = { 'repo-roster.yaml': ROSTER, 'people/b-users.yaml': USERS, 'people/a-site.yaml': PERSONS };

  it('fills defaults, lower-cases identities and sorts', async () => {
    const { root, state } = await loadOk(files);
    expect(state.config_path).toBe(join(root, 'repo-roster.yaml'));
    expect(state.state_path).toBe(join(root, 'state/last.json'));
    expect(state.target).toEqual({ url: 'https://x.veevavault.com', api_version: 'v26.2', vault_id: 3003, dns: 'x.veevavault.com' });
    expect(state.policy).toEqual({ unmanaged_users: 'deactivate', max_deactivations: 10, max_deactivation_share: 0.1, max_access_removals: 10, max_access_removal_share: 0.1, protected_users: ['admin@sim.veevavault.local'], max_admin_grants: 3, unmanaged_groups: 'report', max_group_member_removals: 25, expiry_warning_days: 14 });
    expect(state.users.map((u) => u.user_name)).toEqual(['amy.adams@veepharm.com', 'zed.ward@veepharm.com']);
    const [amy, zed] = state.users;
    expect(amy).toEqual({
      user_name: 'amy.adams@veepharm.com',
      timezone: 'Asia/Tokyo',
      locale: 'fr_FR',
      language: 'fr',
      security_policy: '822',
      license_type: 'external__v',
      source: { file: 'people/b-users.yaml', line: 8, col: 5 },
    });
    expect(zed?.security_policy).toBe('821');
    expect(zed?.email).toBe('Zed.Ward@veepharm.com');
    expect(zed?.memberships).toEqual([
      {
        vault_id: 3003,
        active: false,
        security_profile: 'system_admin__v',
        license_type: 'full__v',
        apps: { rimReg_v: { active: true, license_type: 'full__v' }, rimSubs_v: { active: true, license_type: 'read_only__v' } },
      },
      { vault_id: 5005, active: true, security_profile: 'external_user__v', license_type: 'external__v' },
    ]);
    expect(zed?.memberships?.[1] && 'apps' in zed.memberships[1]).toBe(false);
    expect(zed && 'domain_admin' in zed).toBe(false);
    expect(zed && 'fields' in zed).toBe(false);
  });

  it('normalises SiteVault persons', async () => {
    const { state } = await loadOk(files);
    expect(state.sitevault.map((p) => p.email)).toEqual(['abe@site.example', 'zoe@site.example']);
    const [abe, zoe] = state.sitevault;
    expect(abe).toMatchObject({ username: 'abe@veepharm.com', security_policy: '821', org: { org_id: 'V42000000001001', role: 'org_external__v', addons: [] }, sites: [], studies: [] });
    expect(zoe?.username).toBeUndefined();
    expect(zoe?.sites).toEqual([
      { site_usn: 'US-CA-0001', role: 'study_team__v', addons: [] },
      { site_usn: 'US-NC-0002', role: 'regulatory__v', addons: ['site_budgets__v', 'site_profiles__v'] },
    ]);
    expect(zoe?.studies.map((s) => s.study_id)).toEqual(['V0S000000001001', 'V0S000000001002']);
    expect(zoe?.source).toEqual({ file: 'people/a-site.yaml', line: 2, col: 5 });
  });

  it('lists files config first then includes sorted, relative to the config, with sha256 of the bytes', async () => {
    const { state } = await loadOk(files);
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(state.files).toEqual([
      { path: 'repo-roster.yaml', sha256: sha(ROSTER) },
      { path: 'people/a-site.yaml', sha256: sha(PERSONS) },
      { path: 'people/b-users.yaml', sha256: sha(USERS) },
    ]);
  });

  it('reports positions relative to the working directory', async () => {
    const root = makeRepo({ 'repo/roster.yaml': 'vault: { api_version: v26.2 }\ninclude: [u/*.yaml]\n', 'repo/u/x.yaml': 'users:\n  - user_nme: a@b.c\n' });
    roots.push(root);
    const result = await loadDesiredState('repo/roster.yaml', { cwd: root });
    expect(summarise(result.diagnostics)).toContain('repo/u/x.yaml:2:5 unknown-key');
  });

  it('accepts a byte order mark and still digests the raw bytes', async () => {
    const bom = `\uFEFF${USERS}`;
    const { state } = await loadOk({ ...files, 'people/b-users.yaml': bom });
    expect(state.users).toHaveLength(2);
    expect(state.files[2]?.sha256).toBe(createHash('sha256').update(bom).digest('hex'));
    expect(state.users[0]?.source).toEqual({ file: 'people/b-users.yaml', line: 8, col: 5 });
  });

  it('does not depend on the order users are written in (property)', async () => {
    const names = ['ann@v.com', 'bob@v.com', 'cy@v.com', 'dee@v.com', 'eve@v.com'];
    const roster = 'vault: { api_version: v26.2 }\ninclude: [users.yaml]\n';
    const baseline = await loadOk({ 'repo-roster.yaml': roster, 'users.yaml': `users:\n${names.map((n) => `  - user_name: ${n}\n`).join('')}` });
    const strip = (s: DesiredState) => s.users.map(({ source: _source, ...rest }) => rest);
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(names, { minLength: names.length }), fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), async (order, upper) => {
        const body = order.map((n, i) => `  - user_name: ${upper[i] === true ? n.toUpperCase() : n}\n`).join('');
        const { state } = await loadOk({ 'repo-roster.yaml': roster, 'users.yaml': `users:\n${body}` });
        expect(strip(state)).toEqual(strip(baseline.state));
      }),
      { numRuns: 15 },
    );
  });
});
