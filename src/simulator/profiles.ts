/**
 * Simulator profiles: each behaviour the simulator had to guess where Vault's documentation is
 * silent (see the header of index.ts) as a switch, so the client can be tried against every
 * plausible reading instead of only the one this team wrote down.
 *
 * A profile is plain data (`SimulatorProfile`): a named one from `PROFILES`, a JSON file in the
 * `ProfileSpec` form, or an object passed to `startSimulator({ profile })`. That is the seam for a
 * recorded capture of a real Vault (`doctor --record`, planned): it only has to produce a
 * `ProfileSpec` (and a seed).
 */
import { readFileSync } from 'node:fs';

/** How `vault_membership` / `app_licensing` appear in Retrieve User(s) answers. */
export const MEMBERSHIP_SHAPES = ['objects', 'string', 'string-array', 'objects-alt-keys', 'objects-picklist'] as const;
export type MembershipShape = (typeof MEMBERSHIP_SHAPES)[number];

/** What Retrieve All Users does with `limit`, `size` and domain-only users. */
export interface UsersReadBehaviour {
  /**
   * - `objects`: `[{vault_id, active__v, security_profile__v, license_type__v}]` (default);
   * - `string`: one encoded cell, vaults separated by `;` (the input grammar);
   * - `string-array`: one encoded cell per vault;
   * - `objects-alt-keys`: `vault_id__v` / `application_name__v`, ids and booleans as text;
   * - `objects-picklist`: keyed by `id`, `status__v: active__v|inactive__v`, license as `[value]`.
   */
  readonly membershipShape: MembershipShape;
  /** Largest page served (default 1000). */
  readonly pageCap: number;
  /** A `limit` above the cap: `clamp` it (default) or `refuse` the call (FAILURE INVALID_DATA). */
  readonly overCap: 'clamp' | 'refuse';
  /** `limit` in the answer: the one `applied` (default), the one `requested`, or `none`. */
  readonly limitEcho: 'applied' | 'requested' | 'none';
  /** `size` in the answer: users on this `page` (default) or the `total` the listing matches. */
  readonly size: 'page' | 'total';
  /** `vaults=all` lists users with no vault membership (default true). */
  readonly domainOnlyUsersListed: boolean;
}

/** How the write endpoints report and interpret what the docs leave open. */
export interface WriteBehaviour {
  /** Error type of a create (or rename) to a user name that exists (default ITEM_NAME_EXISTS). */
  readonly duplicateUserError: string;
  /** Promote Person to User: one result `per-row` (default), or a `whole-request` FAILURE when any person fails. */
  readonly promoteFailure: 'per-row' | 'whole-request';
  /** Promote's language / locale / security profile: `names-or-ids` (default), `ids-only` or `names-only`. */
  readonly promoteReferences: 'names-or-ids' | 'ids-only' | 'names-only';
  /**
   * What clears a field: `null-or-empty` (default: JSON null, `null` and `""`), `null-only` (`""` is
   * "not supplied"), `empty-only` (`""` clears; JSON null is "not supplied" and `null` is text).
   * A blank CSV cell is "not supplied" in every mode (Vault Loader).
   */
  readonly clearWith: 'null-or-empty' | 'null-only' | 'empty-only';
  /** More `user__sys` fields this Vault's configuration requires in Promote Person to User (default none). */
  readonly promoteRequiredFields: readonly string[];
}

/** How the group reads answer where the documentation leaves it open (VAULT-API.md §16.1). */
export interface GroupsBehaviour {
  /**
   * Rows of VQL `group_membership__sys`: `explicit-and-implied` (default: one row per user and
   * group, whether the user was added or is implied by a profile) or `explicit-only`.
   */
  readonly membershipRows: 'explicit-and-implied' | 'explicit-only';
  /** The list key of Retrieve All Groups and Retrieve Group: `groups` (default, VAPIL) or `data`. */
  readonly listingKey: 'groups' | 'data';
  /** `implied_members__v`: `objects` `{id, source_name, source_type}` (default, VAPIL) or bare `ids`. */
  readonly impliedMembers: 'objects' | 'ids';
}

export interface SimulatorProfile {
  readonly name: string;
  readonly description: string;
  readonly read: UsersReadBehaviour;
  readonly write: WriteBehaviour;
  readonly groups: GroupsBehaviour;
}

/** A profile as written in JSON: a base profile plus the switches that differ. */
export interface ProfileSpec {
  readonly format?: string;
  readonly name?: string;
  readonly description?: string;
  /** Named profile to start from (default `default`). */
  readonly extends?: string;
  readonly read?: Partial<UsersReadBehaviour>;
  readonly write?: Partial<WriteBehaviour>;
  readonly groups?: Partial<GroupsBehaviour>;
}

export const PROFILE_FORMAT = 'vault-roster-simulator-profile/1';

export class ProfileError extends Error {}

const DEFAULT_PROFILE: SimulatorProfile = {
  name: 'default',
  description: "the team's reading of VAULT-API.md (objects, 1000 per page, size = page length, limit echoed as applied)",
  read: { membershipShape: 'objects', pageCap: 1000, overCap: 'clamp', limitEcho: 'applied', size: 'page', domainOnlyUsersListed: true },
  write: { duplicateUserError: 'ITEM_NAME_EXISTS', promoteFailure: 'per-row', promoteReferences: 'names-or-ids', clearWith: 'null-or-empty', promoteRequiredFields: [] },
  groups: { membershipRows: 'explicit-and-implied', listingKey: 'groups', impliedMembers: 'objects' },
};

function variant(
  name: string,
  description: string,
  read: Partial<UsersReadBehaviour>,
  write: Partial<WriteBehaviour> = {},
  groups: Partial<GroupsBehaviour> = {},
): SimulatorProfile {
  return { name, description, read: { ...DEFAULT_PROFILE.read, ...read }, write: { ...DEFAULT_PROFILE.write, ...write }, groups: { ...DEFAULT_PROFILE.groups, ...groups } };
}

/** Profiles that change what reads return; the client must read each of them right. */
export const READ_PROFILES: readonly SimulatorProfile[] = [
  DEFAULT_PROFILE,
  variant('membership-string', 'vault_membership / app_licensing as one encoded string each (the input grammar)', { membershipShape: 'string' }),
  variant('membership-string-array', 'vault_membership / app_licensing as arrays of encoded strings, one per vault', { membershipShape: 'string-array' }),
  variant('membership-alt-keys', 'objects keyed vault_id__v / application_name__v, ids and booleans as text', { membershipShape: 'objects-alt-keys' }),
  variant('membership-picklist', 'objects keyed id, active as status__v active__v/inactive__v, license as a one-value picklist array', {
    membershipShape: 'objects-picklist',
  }),
  variant('page-cap-200', 'at most 200 users per page, limit echoed as applied', { pageCap: 200 }),
  variant('page-cap-200-echo-requested', 'at most 200 users per page, limit echoed as requested', { pageCap: 200, limitEcho: 'requested' }),
  variant('page-cap-200-no-echo', 'at most 200 users per page, no limit in the answer', { pageCap: 200, limitEcho: 'none' }),
  variant('page-cap-200-refuse', 'a limit above 200 fails with INVALID_DATA', { pageCap: 200, overCap: 'refuse' }),
  variant('size-total', 'size is the total the listing matches, not the page length', { size: 'total' }),
  variant('domain-only-hidden', 'vaults=all leaves out users with no vault membership', { domainOnlyUsersListed: false }),
];

/** Profiles that change how writes are answered or interpreted. */
export const WRITE_PROFILES: readonly SimulatorProfile[] = [
  variant('duplicate-invalid-data', 'a create for an existing user name fails with INVALID_DATA', {}, { duplicateUserError: 'INVALID_DATA' }),
  variant('duplicate-operation-not-allowed', 'a create for an existing user name fails with OPERATION_NOT_ALLOWED', {}, { duplicateUserError: 'OPERATION_NOT_ALLOWED' }),
  variant('promote-whole-request', 'Promote Person to User fails the whole request when one person fails; nothing is promoted', {}, { promoteFailure: 'whole-request' }),
  variant('promote-ids-only', 'Promote Person to User takes language, locale and security profile as record ids only', {}, { promoteReferences: 'ids-only' }),
  variant('promote-requires-field', "Promote Person to User requires a custom employee_number__c (a Vault's own configuration)", {}, { promoteRequiredFields: ['employee_number__c'] }),
  variant('clear-null-only', 'only null clears a field; an empty string means "not supplied"', {}, { clearWith: 'null-only' }),
  variant('clear-empty-only', 'only an empty string clears a field; the text null is stored as text', {}, { clearWith: 'empty-only' }),
];

/**
 * Profiles that change what the group reads return (not observed by `doctor --record`, which reads
 * no groups); the client's group read must give the same groups under each of them.
 */
export const GROUP_PROFILES: readonly SimulatorProfile[] = [
  variant('group-membership-explicit-only', 'VQL group_membership__sys lists explicit members only, not users implied by a security profile', {}, {}, { membershipRows: 'explicit-only' }),
  variant('groups-listing-data-key', 'Retrieve All Groups wraps the groups in "data" instead of "groups"', {}, {}, { listingKey: 'data' }),
  variant('implied-members-bare-ids', 'implied_members__v as bare user ids instead of {id, source_name, source_type} objects', {}, {}, { impliedMembers: 'ids' }),
];

export const PROFILES: ReadonlyMap<string, SimulatorProfile> = new Map([...READ_PROFILES, ...WRITE_PROFILES, ...GROUP_PROFILES].map((p) => [p.name, p]));

function oneOf<T extends string>(value: unknown, allowed: readonly T[], where: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ProfileError(`${where}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

function checkRead(read: UsersReadBehaviour): UsersReadBehaviour {
  oneOf(read.membershipShape, MEMBERSHIP_SHAPES, 'read.membershipShape');
  if (!Number.isSafeInteger(read.pageCap) || read.pageCap < 1) throw new ProfileError(`read.pageCap: expected a whole number of at least 1, got ${JSON.stringify(read.pageCap)}`);
  oneOf(read.overCap, ['clamp', 'refuse'], 'read.overCap');
  oneOf(read.limitEcho, ['applied', 'requested', 'none'], 'read.limitEcho');
  oneOf(read.size, ['page', 'total'], 'read.size');
  if (typeof read.domainOnlyUsersListed !== 'boolean') throw new ProfileError('read.domainOnlyUsersListed: expected true or false');
  return read;
}

function checkWrite(write: WriteBehaviour): WriteBehaviour {
  if (typeof write.duplicateUserError !== 'string' || !/^[A-Z][A-Z_]*$/.test(write.duplicateUserError)) {
    throw new ProfileError(`write.duplicateUserError: expected a Vault error type such as ITEM_NAME_EXISTS, got ${JSON.stringify(write.duplicateUserError)}`);
  }
  oneOf(write.promoteFailure, ['per-row', 'whole-request'], 'write.promoteFailure');
  oneOf(write.promoteReferences, ['names-or-ids', 'ids-only', 'names-only'], 'write.promoteReferences');
  oneOf(write.clearWith, ['null-or-empty', 'null-only', 'empty-only'], 'write.clearWith');
  if (!Array.isArray(write.promoteRequiredFields) || !write.promoteRequiredFields.every((f) => typeof f === 'string' && /^[a-z][a-z0-9_]*__(sys|c)$/.test(f))) {
    throw new ProfileError(`write.promoteRequiredFields: expected a list of user__sys field names such as employee_number__c, got ${JSON.stringify(write.promoteRequiredFields)}`);
  }
  return write;
}

function checkGroups(groups: GroupsBehaviour): GroupsBehaviour {
  oneOf(groups.membershipRows, ['explicit-and-implied', 'explicit-only'], 'groups.membershipRows');
  oneOf(groups.listingKey, ['groups', 'data'], 'groups.listingKey');
  oneOf(groups.impliedMembers, ['objects', 'ids'], 'groups.impliedMembers');
  return groups;
}

const KNOWN_SPEC_KEYS = new Set(['format', 'name', 'description', 'extends', 'read', 'write', 'groups']);

function named(name: string): SimulatorProfile {
  const profile = PROFILES.get(name);
  if (profile === undefined) throw new ProfileError(`unknown profile '${name}'; known profiles: ${[...PROFILES.keys()].join(', ')}`);
  return profile;
}

/** A profile from a name, a spec (JSON form) or a full profile; every switch is checked. */
export function resolveProfile(given: string | ProfileSpec | SimulatorProfile | undefined): SimulatorProfile {
  if (given === undefined) return DEFAULT_PROFILE;
  if (typeof given === 'string') return named(given);
  if (typeof given !== 'object' || Array.isArray(given)) throw new ProfileError('a profile is a name or an object');
  // A full profile is a spec that sets every switch.
  const input: ProfileSpec = given;
  const unknown = Object.keys(input).filter((k) => !KNOWN_SPEC_KEYS.has(k));
  if (unknown.length > 0) throw new ProfileError(`unknown profile key(s): ${unknown.join(', ')}`);
  if (input.format !== undefined && input.format !== PROFILE_FORMAT) throw new ProfileError(`format: expected ${PROFILE_FORMAT}`);
  const base = named(input.extends ?? 'default');
  const read = checkRead({ ...base.read, ...input.read });
  const write = checkWrite({ ...base.write, ...input.write });
  const groups = checkGroups({ ...base.groups, ...input.groups });
  const changed = input.read !== undefined || input.write !== undefined || input.groups !== undefined;
  return {
    name: input.name ?? (changed ? `${base.name}+custom` : base.name),
    description: input.description ?? base.description,
    read,
    write,
    groups,
  };
}

/** A profile file (JSON, `ProfileSpec`). */
export function readProfileFile(path: string): SimulatorProfile {
  let spec: unknown;
  try {
    spec = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new ProfileError(`profile file ${path}: ${(error as Error).message}`);
  }
  try {
    return resolveProfile(spec as ProfileSpec);
  } catch (error) {
    if (error instanceof ProfileError) throw new ProfileError(`profile file ${path}: ${error.message}`);
    throw error;
  }
}
