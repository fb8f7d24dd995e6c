/** Builders for desired and live state, and `planOf`, which also checks every plan against the schema. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { expect } from 'vitest';
import {
  DEFAULT_POLICY,
  type AppliedSiteVaultPerson,
  type ClinicalPerson,
  type DesiredGroup,
  type DesiredSiteVaultPerson,
  type DesiredState,
  type DesiredUser,
  type LicenseUsage,
  type LiveGroup,
  type LiveState,
  type LiveUser,
  type Policy,
} from '../../src/model.js';
import { createPlan, type Plan, type PlanOptions } from '../../src/plan/index.js';

export const SOURCE = { file: 'users/team.yaml', line: 3, col: 5 } as const;

const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../specs/plan.schema.json', import.meta.url)), 'utf8')) as object;
const validatePlan = new Ajv({ strict: true, allErrors: true }).compile(schema);

/** Fails the test when a plan does not match specs/plan.schema.json. */
export function expectValidPlan(plan: Plan): void {
  const valid = validatePlan(JSON.parse(JSON.stringify(plan)));
  expect(validatePlan.errors ?? [], 'plan matches specs/plan.schema.json').toEqual([]);
  expect(valid).toBe(true);
}

/** A desired user with every field managed; matches `liveUser` of the same name exactly. */
export function desiredUser(name: string, over: Partial<DesiredUser> = {}): DesiredUser {
  return {
    user_name: name,
    first_name: 'Kate',
    last_name: 'Grossman',
    email: name,
    timezone: 'America/New_York',
    locale: 'en_US',
    language: 'en',
    security_policy: '821',
    license_type: 'full__v',
    domain_admin: false,
    active: true,
    fields: { company__v: 'VeevaPharm' },
    memberships: [
      { vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: { rimReg_v: { active: true, license_type: 'full__v' } } },
    ],
    source: SOURCE,
    ...over,
  };
}

/** The user without the given properties (unmanaged). */
export function omit(user: DesiredUser, ...keys: (keyof DesiredUser)[]): DesiredUser {
  const copy: Record<string, unknown> = { ...user };
  for (const key of keys) Reflect.deleteProperty(copy, key);
  return copy as unknown as DesiredUser;
}

export function liveUser(name: string, id: number, over: Partial<LiveUser> = {}): LiveUser {
  return {
    id,
    user_name: name,
    first_name: 'Kate',
    last_name: 'Grossman',
    email: name,
    timezone: 'America/New_York',
    locale: 'en_US',
    language: 'en',
    security_policy: '821',
    license_type: 'full__v',
    domain_admin: false,
    active: true,
    fields: { company__v: 'VeevaPharm' },
    memberships: [
      { vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: { rimReg_v: { active: true, license_type: 'full__v' } } },
    ],
    ...over,
  };
}

/** The integration user vault-roster signs in as: a domain admin in every fixture. */
export const ADMIN = liveUser('integration@veepharm.com', 1, { domain_admin: true, memberships: [{ vault_id: 3003, active: true, security_profile: 'system_admin__v', license_type: 'full__v', apps: {} }] });
export const ADMIN_DESIRED = desiredUser('integration@veepharm.com', {
  domain_admin: true,
  memberships: [{ vault_id: 3003, active: true, security_profile: 'system_admin__v', license_type: 'full__v', apps: {} }],
});

export function sitevaultPerson(email: string, over: Partial<DesiredSiteVaultPerson> = {}): DesiredSiteVaultPerson {
  return {
    email,
    first_name: 'Jerry',
    last_name: 'Cotter',
    security_policy: 'VeevaID',
    person_type: 'staff__v',
    investigator: false,
    org: { org_id: 'V42000000001001', role: 'org_full__v', addons: [] },
    sites: [{ site_usn: 'US-NC-0001', role: 'regulatory__v', addons: ['site_budgets__v'] }],
    studies: [{ study_id: 'V0S000000001001', role: 'clinical_research_coordinator__v' }],
    source: { file: 'sitevault/staff.yaml', line: 2, col: 5 },
    ...over,
  };
}

export function appliedPerson(person: DesiredSiteVaultPerson, personId: string): AppliedSiteVaultPerson {
  const { source: _source, ...rest } = person;
  return { ...rest, person_id: personId };
}

export interface StateParts {
  readonly users?: readonly DesiredUser[];
  readonly sitevault?: readonly DesiredSiteVaultPerson[];
  readonly policy?: Partial<Policy>;
  /** Present: the repo manages groups. */
  readonly groups?: readonly DesiredGroup[];
}

export function desiredState(parts: StateParts = {}): DesiredState {
  return {
    config_path: '/repo/roster.yaml',
    target: { url: 'https://vault.example.com', api_version: 'v26.2', vault_id: 3003 },
    policy: { ...DEFAULT_POLICY, max_deactivation_share: 1, ...parts.policy },
    state_path: '/repo/.vault-roster/state.json',
    users: [...(parts.users ?? [])].sort((a, b) => (a.user_name < b.user_name ? -1 : 1)),
    sitevault: [...(parts.sitevault ?? [])].sort((a, b) => (a.email < b.email ? -1 : 1)),
    ...(parts.groups === undefined ? {} : { groups: [...parts.groups].sort((a, b) => (a.key < b.key ? -1 : 1)) }),
    files: [
      { path: 'roster.yaml', sha256: 'a'.repeat(64) },
      { path: 'users/team.yaml', sha256: 'b'.repeat(64) },
    ],
  };
}

export interface LiveParts {
  readonly users?: readonly LiveUser[];
  readonly persons?: readonly ClinicalPerson[];
  readonly sitevault?: readonly AppliedSiteVaultPerson[];
  readonly licenses?: readonly LicenseUsage[];
  readonly authenticated_user?: string;
  /** `null`: the domain's application lists were not read. */
  readonly vault_apps?: ReadonlyMap<number, readonly string[]> | null;
  readonly security_profiles?: readonly string[];
  /** Present: the vault's groups were read. */
  readonly groups?: readonly LiveGroup[];
}

export const GROUP_SOURCE = { file: 'groups/teams.yaml', line: 2, col: 5 } as const;

/** A declared user-managed group; `members` are user names (declared at GROUP_SOURCE lines). */
export function desiredGroup(label: string, members: readonly string[] | undefined, over: Partial<DesiredGroup> = {}): DesiredGroup {
  return {
    key: label.trim().toLowerCase(),
    label,
    ...(members === undefined ? {} : { members: [...members].sort().map((user_name, i) => ({ user_name, source: { ...GROUP_SOURCE, line: GROUP_SOURCE.line + 2 + i } })) }),
    source: GROUP_SOURCE,
    ...over,
  };
}

/** A live group; `members` are explicit member ids. */
export function liveGroup(label: string, id: number, members: readonly number[], over: Partial<LiveGroup> = {}): LiveGroup {
  return {
    id,
    key: label.trim().toLowerCase(),
    label,
    name: `${label.toLowerCase().replace(/[^a-z0-9]+/g, '_')}__c`,
    kind: 'user_managed',
    members: [...members].sort((a, b) => a - b),
    implied_members: [],
    active: true,
    description: '',
    allow_delegation: false,
    security_profiles: [],
    ...over,
  };
}

/** Seats of the session's vault (3003) in every fixture unless a test gives its own: plenty. */
export const DEFAULT_LICENSES: readonly LicenseUsage[] = [
  { application: 'rimReg_v', license_type: 'full__v', licensed: 100_000, used: 0 },
  { application: 'rimReg_v', license_type: 'read_only__v', licensed: 100_000, used: 0 },
];

export const DEFAULT_VAULT_APPS: ReadonlyMap<number, readonly string[]> = new Map([
  [3003, ['rimReg_v', 'rimSubs_v']],
  [4004, ['rimReg_v']],
  [5005, []],
]);

export function liveState(parts: LiveParts = {}): LiveState {
  return {
    vault_id: 3003,
    authenticated_user: parts.authenticated_user ?? ADMIN.user_name,
    users: new Map((parts.users ?? []).map((u) => [u.user_name, u])),
    vault_ids: [3003, 4004, 5005],
    security_policies: ['821', '822', 'VeevaID'],
    persons: new Map((parts.persons ?? []).map((p) => [p.id, p])),
    licenses: parts.licenses ?? DEFAULT_LICENSES,
    sitevault: new Map((parts.sitevault ?? []).map((p) => [p.email, p])),
    vault_apps: parts.vault_apps === null ? undefined : (parts.vault_apps ?? DEFAULT_VAULT_APPS),
    ...(parts.security_profiles === undefined ? {} : { security_profiles: parts.security_profiles }),
    ...(parts.groups === undefined ? {} : { groups: new Map(parts.groups.map((g) => [g.key, g])) }),
  };
}

export const OPTIONS: PlanOptions = {
  tool_version: '0.1.0',
  created_at: '2026-01-02T03:04:05.000Z',
  target: { url: 'https://vault.example.com', server: 'https://vault.example.com', vault_id: 3003, api_version: 'v26.2' },
  allow: {},
};

/** createPlan + schema check. */
export function planOf(desired: DesiredState, live: LiveState, options: Partial<PlanOptions> = {}): Plan {
  const plan = createPlan(desired, live, { ...OPTIONS, ...options });
  expectValidPlan(plan);
  return plan;
}
