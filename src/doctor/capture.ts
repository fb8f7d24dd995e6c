/**
 * `doctor --record DIR`: what the doctor saw, as files the simulator can start from
 * (`vault-roster simulator --capture DIR`): a profile (`ProfileSpec`) with the read switches the
 * probes could tell, a seed with every listed user pseudonymised, the findings, and capture.json
 * saying what was and was not observed. No secret is ever in the inputs (the probe's events and
 * errors are redacted); no real user name or e-mail survives pseudonymisation, and the files are
 * checked for them before anything is written.
 */
import { join } from 'node:path';
import { VaultRosterError } from '../errors.js';
import { LICENSE_TYPES, STANDARD_SECURITY_PROFILES, type LicenseType, type LicenseUsage, type Membership } from '../model.js';
import type { ProfileSpec, SeedApplication, SeedUser, SeedVault, SimulatorSeed, UsersReadBehaviour } from '../simulator/index.js';
import { writeFileAtomic } from '../state/index.js';
import type { JsonRecord } from '../vault/envelope.js';
import { isSystemUser, normaliseLiveUser, type DomainInfo, type SecurityPolicy } from '../vault/index.js';
import { decodeId, WireDecodeError } from '../vault-api/index.js';
import { TOOL_VERSION } from '../version.js';
import type { DoctorReport } from './findings.js';
import type { PagingInference } from './paging.js';
import { Pseudonyms } from './pseudonyms.js';

export const CAPTURE_FORMAT = 'vault-roster-capture/1';
const PROFILE_FORMAT = 'vault-roster-simulator-profile/1';
const SEED_FORMAT = 'vault-roster-simulator/1';
export const CAPTURE_FILES = { profile: 'profile.json', seed: 'seed.json', findings: 'findings.json', capture: 'capture.json' } as const;

/** Every switch of a simulator profile; the ones not observed are listed as such in capture.json. */
const READ_SWITCHES = ['membershipShape', 'pageCap', 'overCap', 'limitEcho', 'size', 'domainOnlyUsersListed'] as const;
const WRITE_SWITCHES = ['duplicateUserError', 'promoteFailure', 'promoteReferences', 'clearWith'] as const;

export interface CaptureInput {
  readonly report: DoctorReport;
  readonly apiVersion: string;
  /** Every user Retrieve All Users listed (vaults=all, with memberships), raw. */
  readonly users: readonly JsonRecord[];
  readonly sessionVaultId: number | undefined;
  readonly sessionVaults: readonly number[];
  readonly domain: DomainInfo | undefined;
  readonly usage: readonly LicenseUsage[] | undefined;
  readonly policies: readonly SecurityPolicy[] | undefined;
  readonly paging: PagingInference | undefined;
  readonly shape: UsersReadBehaviour['membershipShape'] | undefined;
  readonly domainOnlySeen: boolean;
}

/** Fields derived per calling vault or from structure: the simulator computes them itself. */
const DERIVED = new Set(['id', 'vault_membership', 'app_licensing', 'active__v', 'security_profile__v', 'license_type__v', 'vault_id__v', 'group_id__v', 'domain_id__v', 'domain_name__v']);
/** Fields that never hold anything personal: copied as they are. */
const KEPT = new Set([
  'user_timezone__v', 'user_locale__v', 'user_language__v', 'security_policy_id__v', 'created_date__v', 'modified_date__v', 'last_login__v',
  'created_by__v', 'modified_by__v', 'is_domain_admin__v', 'domain_active__v', 'user_needs_to_change_password__v', 'source_person_id__v',
]);
const SHORT_FIELDS: Readonly<Record<string, number>> = { fax__v: 20, office_phone__v: 20, mobile_phone__v: 20, alias__v: 40 };

function personalValue(key: string, value: string, system: boolean, ps: Pseudonyms): string {
  if (key === 'user_name__v') return system ? ps.systemEmail(value) : ps.email(value);
  if (system && (key === 'user_email__v' || key === 'user_first_name__v' || key === 'user_last_name__v')) return value;
  if (key === 'user_email__v' || key === 'salesforce_user_name__v') return ps.email(value);
  if (key === 'user_first_name__v') return ps.firstName(value);
  if (key === 'user_last_name__v') return ps.lastName(value);
  return ps.text(key, value, SHORT_FIELDS[key] ?? 100);
}

function seedMemberships(memberships: readonly Membership[]): Pick<SeedUser, 'vault_membership' | 'app_licensing'> {
  return {
    vault_membership: memberships.map((m) => ({ vault_id: m.vault_id, active__v: m.active, security_profile__v: m.security_profile, license_type__v: m.license_type })),
    app_licensing: memberships.flatMap((m) =>
      Object.entries(m.apps ?? {}).map(([app, a]) => ({ vault_id: m.vault_id, application_name: app, active__v: a.active, license_type__v: a.license_type })),
    ),
  };
}

/** One listed user as a seed user, or undefined when vault-roster cannot read it (reported as a finding). */
function seedUser(raw: JsonRecord, ps: Pseudonyms): { user: SeedUser; memberships: readonly Membership[]; custom: string[] } | undefined {
  let memberships: readonly Membership[];
  let id: number;
  try {
    id = decodeId(raw.id, 'id');
    memberships = normaliseLiveUser(raw).memberships;
  } catch (error) {
    if (error instanceof WireDecodeError) return undefined;
    throw error;
  }
  const system = isSystemUser(raw);
  const fields: Record<string, string | number | boolean | null> = {};
  const custom: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (DERIVED.has(key)) continue;
    if (key.endsWith('__c')) custom.push(key);
    if (typeof value === 'string') fields[key] = KEPT.has(key) ? value : personalValue(key, value, system, ps);
    else if (value === null || typeof value === 'boolean' || (typeof value === 'number' && (KEPT.has(key) || !key.endsWith('__c')))) fields[key] = value;
  }
  const user = { ...fields, id, user_name__v: String(fields.user_name__v), ...(system ? { system_owned: true } : {}), ...seedMemberships(memberships) } as SeedUser;
  return { user, memberships, custom };
}

function seatsFor(app: string, usage: readonly LicenseUsage[] | undefined): SeedApplication['licenses'] | undefined {
  const rows = (usage ?? []).filter((u) => u.application === app && (LICENSE_TYPES as readonly string[]).includes(u.license_type));
  if (rows.length === 0) return undefined;
  return Object.fromEntries(rows.map((u) => [u.license_type as LicenseType, u.licensed]));
}

function seedVaults(input: CaptureInput, memberships: readonly Membership[]): SeedVault[] {
  const ids = new Set<number>([...(input.domain?.vaults.map((v) => v.id) ?? []), ...input.sessionVaults, ...memberships.map((m) => m.vault_id)]);
  if (input.sessionVaultId !== undefined) ids.add(input.sessionVaultId);
  return [...ids].sort((a, b) => a - b).map((id) => {
    const domainVault = input.domain?.vaults.find((v) => v.id === id);
    const here = memberships.filter((m) => m.vault_id === id);
    const profiles = new Set<string>([...STANDARD_SECURITY_PROFILES, ...here.map((m) => m.security_profile)]);
    const apps = new Set<string>([...(domainVault?.applications ?? []), ...here.flatMap((m) => Object.keys(m.apps ?? {}))]);
    const applications = [...apps].sort().map((name): SeedApplication => {
      const seats = id === input.sessionVaultId ? seatsFor(name, input.usage) : undefined;
      return seats === undefined ? { name } : { name, licenses: seats };
    });
    return {
      id,
      name: `Vault ${id}`,
      dns: `vault-${id}.capture.example.com`,
      status: domainVault?.status === 'Inactive' ? 'Inactive' : 'Active',
      security_profiles: [...profiles],
      applications,
    };
  });
}

export interface Capture {
  readonly profile: ProfileSpec;
  readonly seed: SimulatorSeed;
  readonly capture: JsonRecord;
}

function observedRead(input: CaptureInput): { read: Partial<UsersReadBehaviour>; why: Record<string, string> } {
  const read: { -readonly [K in keyof UsersReadBehaviour]?: UsersReadBehaviour[K] } = { ...input.paging?.read };
  const why: Record<string, string> = {};
  for (const key of Object.keys(read)) why[key] = 'Retrieve All Users probe (see notes)';
  if (input.shape !== undefined) {
    read.membershipShape = input.shape;
    why.membershipShape = 'vault_membership / app_licensing of the listed users';
  }
  // Only a user with no membership that IS listed proves it; hidden ones cannot be seen by a read.
  if (input.domainOnlySeen) {
    read.domainOnlyUsersListed = true;
    why.domainOnlyUsersListed = 'a user with no vault membership was listed under vaults=all';
  }
  return { read, why };
}

export function buildCapture(input: CaptureInput): Capture {
  const ps = new Pseudonyms();
  const converted = input.users.map((raw) => ({ raw, seed: seedUser(raw, ps) }));
  const users = converted.flatMap((c) => (c.seed === undefined ? [] : [c.seed]));
  const leftOut = converted.filter((c) => c.seed === undefined).map((c) => String(c.raw.id));
  const allMemberships = users.flatMap((u) => u.memberships);
  const policyNames = new Set<string>([
    ...(input.policies?.map((p) => p.name) ?? []),
    ...users.map((u) => u.user.security_policy_id__v).filter((p): p is string | number => typeof p === 'string' || typeof p === 'number').map(String),
  ]);
  const domainIds = input.users.map((u) => u.domain_id__v).filter((v): v is number => typeof v === 'number');
  const type = input.domain?.type;
  const seed: SimulatorSeed = {
    format: SEED_FORMAT,
    domain: {
      name: 'captured',
      type: type !== undefined && ['Production', 'Sandbox', 'Demo', 'Test'].includes(type) ? type : 'Sandbox',
      ...(domainIds[0] === undefined ? {} : { id: domainIds[0] }),
      custom_user_fields: [...new Set(users.flatMap((u) => u.custom))].sort(),
    },
    vaults: seedVaults(input, allMemberships),
    security_policies: [...policyNames].sort().map((name) => ({ name__v: name, label__v: `Policy ${name}` })),
    users: users.map((u) => u.user),
    sitevault: null,
    clinical: null,
  };
  const { read, why } = observedRead(input);
  const created = input.report.created_at;
  const profile: ProfileSpec = { format: PROFILE_FORMAT, name: 'capture', description: `recorded by vault-roster doctor ${TOOL_VERSION} on ${created}`, extends: 'default', read };
  const notObserved = [
    ...READ_SWITCHES.filter((k) => read[k] === undefined).map((k) => `read.${k}`),
    // A read-only doctor never sends a write, so how Vault answers writes stays the simulator's default.
    ...WRITE_SWITCHES.map((k) => `write.${k}`),
  ];
  const capture: JsonRecord = {
    format: CAPTURE_FORMAT,
    tool_version: TOOL_VERSION,
    created_at: created,
    api_version: input.apiVersion,
    files: CAPTURE_FILES,
    observed: why,
    not_observed: notObserved,
    paging_notes: input.paging?.notes ?? [],
    users: { listed: input.users.length, in_seed: users.length, left_out_ids: leftOut },
    redaction: 'user names, e-mails, first and last names and other personal text fields are replaced consistently; vault and domain names are replaced; ids, dates, time zones, locales and access are kept',
  };
  return { profile, seed, capture };
}

/** Real user names and e-mails (all but system users'), to prove none is written. */
function realIdentities(users: readonly JsonRecord[]): string[] {
  const out = new Set<string>();
  for (const u of users) {
    if (isSystemUser(u)) continue;
    for (const key of ['user_name__v', 'user_email__v', 'salesforce_user_name__v']) {
      const v = u[key];
      if (typeof v === 'string' && v.includes('@')) out.add(v.trim().toLowerCase());
    }
  }
  return [...out];
}

/** Writes the four files atomically; refuses (writing nothing) if a real identity slipped through. */
export function writeCapture(dir: string, capture: Capture, report: DoctorReport, users: readonly JsonRecord[]): string[] {
  const files: [string, string][] = [
    [CAPTURE_FILES.profile, capture.profile],
    [CAPTURE_FILES.seed, capture.seed],
    [CAPTURE_FILES.findings, report],
    [CAPTURE_FILES.capture, capture.capture],
  ].map(([name, value]) => [name as string, `${JSON.stringify(value, null, 2)}\n`]);
  const identities = realIdentities(users);
  for (const [name, text] of files) {
    const lower = text.toLowerCase();
    const leak = identities.find((id) => lower.includes(id));
    if (leak !== undefined) {
      throw new VaultRosterError('output-file', `doctor --record: ${name} would contain a real user name; nothing was written to ${dir}`, {
        hint: 'This is a bug in vault-roster; report it without the capture.',
      });
    }
  }
  for (const [name, text] of files) writeFileAtomic(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}
