/**
 * The demo domain the simulator serves without `--seed` (DEMO-DOMAIN.md), and the admin
 * user every state gets when its seed does not already contain it.
 */
import type { SeedApplication, SeedGroup, SeedUser, SimulatorSeed } from './types.js';

export const DEFAULT_ADMIN_USER = 'admin@sim.veevavault.local';
export const DEFAULT_ADMIN_PASSWORD = 'admin';

const SEATS = { full__v: 200, external__v: 50, read_only__v: 100, learner_user__v: 0 } as const;

function app(name: string, label: string): SeedApplication {
  return { name, label, licenses: SEATS };
}

function systemUser(id: number, name: string, first: string, last: string, vaults: readonly number[]): SeedUser {
  return {
    id,
    user_name__v: name,
    user_first_name__v: first,
    user_last_name__v: last,
    user_email__v: 'no-reply@veeva.com',
    security_policy_id__v: null,
    system_owned: true,
    vault_membership: vaults.map((v) => ({ vault_id: v, active__v: true, security_profile__v: 'system_admin__v', license_type__v: 'full__v' })),
  };
}

/**
 * A plain human user with the demo domain's usual values (New York time, en_US, policy 821,
 * active, not an admin) and one membership; `extra` adds or overrides fields.
 */
export function humanSeedUser(id: number, userName: string, vaultId: number, extra: Partial<SeedUser> = {}): SeedUser {
  return {
    id,
    user_name__v: userName,
    user_first_name__v: 'User',
    user_last_name__v: String(id),
    user_email__v: userName,
    user_timezone__v: 'America/New_York',
    user_locale__v: 'en_US',
    user_language__v: 'en',
    security_policy_id__v: '821',
    is_domain_admin__v: false,
    domain_active__v: true,
    vault_membership: [{ vault_id: vaultId, active__v: true, security_profile__v: 'document_user__v', license_type__v: 'full__v' }],
    ...extra,
  };
}

/** The admin as DEMO-DOMAIN.md describes it: Domain Admin, system admin in every vault. */
export function adminSeedUser(id: number, userName: string, vaultIds: readonly number[], policy: string): SeedUser {
  return {
    id,
    user_name__v: userName,
    user_first_name__v: 'Simulator',
    user_last_name__v: 'Admin',
    user_email__v: userName,
    user_timezone__v: 'America/New_York',
    user_locale__v: 'en_US',
    user_language__v: 'en',
    security_policy_id__v: policy,
    is_domain_admin__v: true,
    domain_active__v: true,
    vault_membership: vaultIds.map((v) => ({ vault_id: v, active__v: true, security_profile__v: 'system_admin__v', license_type__v: 'full__v' })),
  };
}

/**
 * The demo's groups besides the system ones (which every vault gets): user-managed groups with the
 * admin as explicit member (one also implies read-only users), and one Auto Managed group.
 */
export function demoGroups(adminUser: string = DEFAULT_ADMIN_USER): SeedGroup[] {
  // By user name: a seed that drops the admin gets one added later, under another id.
  const admin = [adminUser];
  return [
    { id: 1394917493801, vault_id: 5005, label__v: 'Study Managers', group_description__v: 'Runs the studies of VeePharm Clinical', members__v: admin },
    {
      id: 1394917493802,
      vault_id: 5005,
      label__v: 'Clinical Reviewers',
      group_description__v: 'Reviews study documents',
      members__v: admin,
      security_profiles__v: ['read_only_user__v'],
    },
    { id: 1394917493803, vault_id: 3003, label__v: 'Regulatory Submissions', members__v: admin, allow_delegation_among_members__v: true },
    { id: 1394917493804, vault_id: 5005, label__v: 'Active Study Staff', kind: 'auto', group_description__v: 'Dynamic Access Control', members__v: admin },
  ];
}

export function defaultSeed(adminUser: string = DEFAULT_ADMIN_USER): SimulatorSeed {
  const vaultIds = [3003, 4004, 5005];
  const person = (seq: number, first: string, last: string) => ({
    id: `V0B${String(seq).padStart(12, '0')}`,
    first_name__sys: first,
    last_name__sys: last,
    email__sys: `${first}.${last}@veepharm.com`.toLowerCase(),
    vault_user__sys: null,
  });
  return {
    domain: { name: 'veepharm', type: 'Production', id: 1001 },
    vaults: [
      {
        id: 3003,
        name: 'VeePharm RIM',
        dns: 'veepharm-rim.veevavault.com',
        family: 'rim__v',
        applications: [app('rimReg_v', 'RIM Registrations'), app('rimSubs_v', 'RIM Submissions'), app('rimSubsArch_v', 'RIM Submissions Archive')],
      },
      {
        id: 4004,
        name: 'VeePharm Quality',
        dns: 'veepharm-quality.veevavault.com',
        family: 'quality__v',
        applications: [app('qualityQms_v', 'QMS'), app('qualityDocs_v', 'QualityDocs')],
      },
      {
        id: 5005,
        name: 'VeePharm Clinical',
        dns: 'veepharm-clinical.veevavault.com',
        family: 'clinical__v',
        applications: [app('ctms_v', 'CTMS'), app('etmf_v', 'eTMF')],
      },
    ],
    security_policies: [
      { name__v: '821', label__v: 'Basic', authentication_type: 'password' },
      { name__v: '822', label__v: 'Single Sign-on Okta', authentication_type: 'sso' },
    ],
    users: [
      systemUser(1, 'system@veepharm.com', 'System', '', vaultIds),
      systemUser(2, 'appowner@veepharm.com', 'Application', 'Owner', vaultIds),
      systemUser(3, 'sdk.service@veepharm.com', 'Java SDK Service', 'Account', vaultIds),
      adminSeedUser(25001, adminUser, vaultIds, '821'),
    ],
    sitevault: {
      org: { id: 'V42000000001001', name: 'VeePharm Research Network' },
      sites: [
        { usn: 'US-NC-0001', name: 'Raleigh Clinical Research' },
        { usn: 'US-CA-0002', name: 'San Diego Trials' },
      ],
      studies: [
        { id: 'V0S000000001001', name: 'VP-ONC-301', site_usn: 'US-NC-0001' },
        { id: 'V0S000000001002', name: 'VP-CARD-202', site_usn: 'US-CA-0002' },
      ],
      security_policies: ['VeevaID', 'noUser'],
      persons: [],
    },
    clinical: {
      vault_id: 5005,
      persons: [
        person(1, 'Maria', 'Lopez'),
        person(2, 'Kenji', 'Watanabe'),
        person(3, 'Aisha', 'Bello'),
        person(4, 'Tomas', 'Novak'),
        person(5, 'Priya', 'Raman'),
      ],
    },
    groups: demoGroups(adminUser),
    counters: { next_user_id: 25002, next_sitevault_person: 1001, next_group_id: 1394917493805 },
  };
}
