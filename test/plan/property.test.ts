import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  AppLicense,
  AppliedSiteVaultPerson,
  ClinicalPerson,
  DesiredSiteVaultPerson,
  DesiredUser,
  LicenseType,
  LiveUser,
  Membership,
} from '../../src/model.js';
import type { Plan } from '../../src/plan/index.js';
import { restrictToTarget } from '../../src/plan/trees.js';
import { liveUserTree, userMatches, userTargetTree } from '../../src/plan/user-trees.js';
import { applyPlanChanges } from './apply-changes.js';
import { desiredState, liveState, planOf } from './fixtures.js';

const NAMES = ['ann', 'bob', 'cy', 'dee', 'eve', 'fay'].map((n) => `${n}@veepharm.com`);
const VAULTS = [3003, 4004, 5005];
const LICENSES: LicenseType[] = ['full__v', 'read_only__v', 'external__v'];
const PROFILES = ['document_user__v', 'system_admin__v', 'read_only_user__v'];
const APPS = ['rimReg_v', 'rimSubs_v'];

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });
const text = fc.constantFrom('Kate', ' Kate', 'Bob', 'x', '');
const apps = fc.dictionary(fc.constantFrom(...APPS), fc.record<AppLicense>({ active: fc.boolean(), license_type: fc.constantFrom(...LICENSES) }), { maxKeys: 2 });
const membership = (vault: number, withApps: boolean): fc.Arbitrary<Membership> =>
  fc.record({
    vault_id: fc.constant(vault),
    active: fc.boolean(),
    security_profile: fc.constantFrom(...PROFILES),
    license_type: fc.constantFrom(...LICENSES),
    apps: withApps ? apps : fc.constant(undefined),
  }).map((m) => (m.apps === undefined ? { vault_id: m.vault_id, active: m.active, security_profile: m.security_profile, license_type: m.license_type } : (m as Membership)));
const memberships = (withApps: fc.Arbitrary<boolean>): fc.Arbitrary<Membership[]> =>
  fc.subarray(VAULTS).chain((vs) => fc.tuple(...vs.map((v) => withApps.chain((a) => membership(v, a)))).map((ms) => [...ms]));
const fields = fc.dictionary(fc.constantFrom('company__v', 'site__v'), fc.oneof(fc.constantFrom('Veeva', 'Acme ', '', null), fc.constant(42)), { maxKeys: 2 });

const liveUserArb = (name: string, id: number): fc.Arbitrary<LiveUser> =>
  fc.record({
    first_name: text,
    email: fc.constantFrom(name, name.toUpperCase()),
    security_policy: fc.constantFrom('821', '822'),
    // Vault reports no license type for users outside the calling vault.
    license_type: fc.option(fc.constantFrom(...LICENSES), { nil: undefined, freq: 4 }),
    domain_admin: fc.boolean(),
    active: fc.boolean(),
    fields: fields.map((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== null))),
    memberships: memberships(fc.constant(true)),
  }).map((u) => {
    const { license_type, ...rest } = u;
    return license_type === undefined ? { id, user_name: name, ...rest } : { id, user_name: name, ...rest, license_type };
  });

const desiredUserArb = (name: string): fc.Arbitrary<DesiredUser> =>
  fc.record({
    first_name: maybe(text),
    last_name: maybe(fc.constant('Lee')),
    email: maybe(fc.constantFrom(name, name.toUpperCase(), `other.${name}`)),
    timezone: maybe(fc.constant('America/New_York')),
    locale: maybe(fc.constant('en_US')),
    language: maybe(fc.constant('en')),
    security_policy: maybe(fc.constantFrom('821', '822')),
    license_type: maybe(fc.constantFrom(...LICENSES)),
    domain_admin: maybe(fc.boolean()),
    active: maybe(fc.boolean()),
    fields: maybe(fields),
    memberships: maybe(memberships(fc.boolean())),
    promote_from_person: maybe(fc.constantFrom('P1', 'P2', 'P9')),
  }).map((u) => {
    const out: Record<string, unknown> = { user_name: name, source: { file: 'u.yaml', line: 1, col: 1 } };
    for (const [k, v] of Object.entries(u)) if (v !== undefined) out[k] = v;
    return out as unknown as DesiredUser;
  });

const SV_EMAILS = ['p1@site.org', 'p2@site.org', 'p3@site.org'];
const personArb = (email: string): fc.Arbitrary<DesiredSiteVaultPerson> =>
  fc.record({
    investigator: fc.boolean(),
    org: fc.record({ org_id: fc.constantFrom('ORG1', 'ORG2'), role: fc.constantFrom('org_admin__v', 'org_full__v'), addons: fc.subarray(['org_patients__v']) }),
    sites: fc.subarray(['US-1', 'US-2']).chain((usns) =>
      fc.tuple(...usns.map((usn) => fc.record({ site_usn: fc.constant(usn), role: fc.constantFrom('regulatory__v', 'study_team__v', 'no_access__v'), addons: fc.subarray(['site_budgets__v', 'site_patients__v']) }))),
    ),
    studies: fc.subarray(['S1', 'S2']).chain((ids) => fc.tuple(...ids.map((id) => fc.record({ study_id: fc.constant(id), role: fc.constantFrom('research_nurse__v', 'other__v') })))),
  }).map((p) => ({
    email,
    first_name: 'Jo',
    last_name: 'Doe',
    security_policy: 'VeevaID',
    person_type: 'staff__v' as const,
    ...p,
    sites: [...p.sites],
    studies: [...p.studies],
    source: { file: 'sv.yaml', line: 1, col: 1 },
  }));

const scenario = fc.record({
  live: fc.subarray(NAMES).chain((ns) => fc.tuple(...ns.map((n, i) => liveUserArb(n, 100 + i)))),
  desired: fc.subarray(NAMES).chain((ns) => fc.tuple(...ns.map((n) => desiredUserArb(n)))),
  persons: fc.tuple(fc.constantFrom<string | null>(null, '7'), fc.constantFrom<string | null>(null, '8')),
  desiredSv: fc.subarray(SV_EMAILS).chain((es) => fc.tuple(...es.map(personArb))),
  appliedSv: fc.subarray(SV_EMAILS).chain((es) => fc.tuple(...es.map(personArb))),
  unmanaged: fc.constantFrom('ignore' as const, 'report' as const, 'deactivate' as const),
});

function expectBatchesSound(plan: Plan): void {
  const seen = new Set<string>();
  for (const op of plan.operations) {
    expect(op.rows.length).toBeLessThanOrEqual(500);
    expect(new Set(op.rows.map((r) => r.key)).size).toBe(op.rows.length);
    for (const dep of op.depends_on) expect(seen.has(dep)).toBe(true);
    seen.add(op.id);
  }
}

describe('property: applying a plan converges', () => {
  it('a plan\'s after values applied to live state leave nothing to plan, in batches of ≤ 500 without repeats', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const persons: ClinicalPerson[] = s.persons.map((userId, i) => ({ id: `P${i + 1}`, email: null, first_name: null, last_name: null, user_id: userId }));
        const applied: AppliedSiteVaultPerson[] = s.appliedSv.map((p, i) => {
          const { source: _s, ...rest } = p;
          return { ...rest, person_id: `SV${i}` };
        });
        const desired = desiredState({ users: s.desired, sitevault: s.desiredSv, policy: { unmanaged_users: s.unmanaged } });
        const live = liveState({ users: s.live, persons, sitevault: applied, authenticated_user: 'nobody@veepharm.com' });
        const first = planOf(desired, live);
        expectBatchesSound(first);
        const second = planOf(desired, applyPlanChanges(live, first));
        expect(second.changes).toEqual([]);
        expect(second.operations).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

/** A desired user built from the live one: each part omitted, copied (with a cosmetic twist) or randomised. */
const derivedPair = (name: string): fc.Arbitrary<[DesiredUser, LiveUser]> =>
  fc.tuple(liveUserArb(name, 1), desiredUserArb(name), fc.array(fc.constantFrom('omit', 'copy', 'copy', 'copy', 'random'), { minLength: 8, maxLength: 8 })).map(([live, random, how]) => {
    const out: Record<string, unknown> = { user_name: name, source: { file: 'u.yaml', line: 1, col: 1 } };
    const keys = ['first_name', 'email', 'security_policy', 'license_type', 'domain_admin', 'active', 'fields', 'memberships'] as const;
    keys.forEach((key, i) => {
      const mode = how[i];
      if (mode === 'omit') return;
      const value = mode === 'copy' ? live[key] : random[key];
      if (value === undefined) return;
      out[key] = mode === 'copy' && typeof value === 'string' ? ` ${key === 'email' ? value.toUpperCase() : value} ` : value;
    });
    if (how[7] === 'copy' && Array.isArray(out.memberships) && how[0] === 'copy') {
      out.memberships = live.memberships.map((m) => ({ ...m, apps: undefined })).map(({ apps: _a, ...m }) => m);
    }
    return [out as unknown as DesiredUser, live];
  });

describe('property: the fast path agrees with the tree comparison', () => {
  it('userMatches(desired, live) is true exactly when the restricted live tree equals the target', () => {
    const pair = fc.oneof(
      fc.constantFrom(...NAMES).chain((name) => derivedPair(name)),
      fc.constantFrom(...NAMES).chain((name) => fc.tuple(desiredUserArb(name), liveUserArb(name, 1))),
    );
    let matched = 0;
    let differed = 0;
    fc.assert(
      fc.property(pair, ([desired, live]) => {
        const equal = restrictToTarget(liveUserTree(live), userTargetTree(desired, live)).equal;
        if (equal) matched++;
        else differed++;
        expect(userMatches(desired, live)).toBe(equal);
      }),
      { numRuns: 2000 },
    );
    // Only meaningful when both outcomes occur often.
    expect(matched).toBeGreaterThan(100);
    expect(differed).toBeGreaterThan(100);
  });
});
