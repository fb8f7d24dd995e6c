/**
 * `readLiveState`: the target domain as it is, normalised to the shapes the desired state uses
 * (src/model.ts), so the planner compares like with like. Reads only; never writes.
 */
import { VaultApiError, VaultRosterError } from '../errors.js';
import {
  LICENSE_TYPES,
  normaliseIdentity,
  type AppliedSiteVaultPerson,
  type ClinicalPerson,
  type FieldValue,
  type LastLogin,
  type LicenseType,
  type LiveState,
  type LiveUser,
  type Membership,
} from '../model.js';
import type { VaultClient } from './client.js';
import { ReadProblems } from './read-problems.js';
import { asId, asString, type JsonRecord } from './envelope.js';
import {
  decodeBoolean,
  decodeId,
  decodeText,
  decodeUserMemberships,
  excerpt,
  READ_ONLY_USER_FIELDS,
  SYSTEM_USER_EMAIL,
  USER_FIELD_TO_VAULT,
  WireDecodeError,
} from '../vault-api/index.js';

export interface LiveStateScope {
  /**
   * Read Clinical persons (person__sys) too: only needed when the desired state promotes persons.
   * A promise lets the users be read while the desired state, which decides it, still loads.
   */
  readonly promotions: boolean | PromiseLike<boolean>;
  /** SiteVault persons from the last-applied state file (Vault has no read API for them). */
  readonly sitevault?: ReadonlyMap<string, AppliedSiteVaultPerson>;
  /** Read the session vault's groups: only when the desired state manages them (a promise, likewise). */
  readonly groups?: boolean | PromiseLike<boolean>;
}

export const PERSONS_VQL = 'SELECT id, email__sys, first_name__sys, last_name__sys, vault_user__sys FROM person__sys';

/** Vault fields that never go into `fields`: read-only ones and those mapped to named properties. */
const NOT_EXTRA_FIELDS: ReadonlySet<string> = new Set([...READ_ONLY_USER_FIELDS, ...Object.values(USER_FIELD_TO_VAULT)]);

function isLicenseType(value: string | undefined): value is LicenseType {
  return value !== undefined && (LICENSE_TYPES as readonly string[]).includes(value);
}

/** Vault's system-owned users (System, Application Owner, SDK service account, …) are not managed. */
export function isSystemUser(user: JsonRecord): boolean {
  return asString(user.user_email__v)?.trim().toLowerCase() === SYSTEM_USER_EMAIL;
}

/** Text properties and the Vault fields they come from (the policy arrives as a number on read). */
const TEXT_PROPERTIES = [
  ['first_name', USER_FIELD_TO_VAULT.first_name],
  ['last_name', USER_FIELD_TO_VAULT.last_name],
  ['email', USER_FIELD_TO_VAULT.email],
  ['timezone', USER_FIELD_TO_VAULT.timezone],
  ['locale', USER_FIELD_TO_VAULT.locale],
  ['language', USER_FIELD_TO_VAULT.language],
  ['security_policy', USER_FIELD_TO_VAULT.security_policy],
] as const;

type MutableLiveUser = { -readonly [K in keyof LiveUser]: LiveUser[K] };

/** A field the answer must carry: absent means the response is not shaped as vault-roster reads it. */
function present(user: JsonRecord, field: string): unknown {
  const value = user[field];
  if (value === undefined) throw new WireDecodeError(field, 'absent from the answer', value);
  return value;
}

/**
 * `vault_membership` / `app_licensing`, both asked for by the read. An absent block is only
 * believed to mean "none" when Vault says so elsewhere: no vault in `vault_id__v` for the
 * memberships, no membership for the app licences (a licence needs a membership).
 */
function membershipsOf(user: JsonRecord): Membership[] {
  const vaults = user.vault_id__v;
  const memberships = user.vault_membership === undefined && Array.isArray(vaults) && vaults.length === 0 ? [] : user.vault_membership;
  if (user.app_licensing !== undefined) return decodeUserMemberships(memberships, user.app_licensing);
  const bare = decodeUserMemberships(memberships, []);
  if (bare.length > 0) throw new WireDecodeError('app_licensing', 'absent from the answer', undefined);
  return bare;
}

/**
 * One Vault user in vault-roster's shape. Throws `WireDecodeError` naming the field it cannot
 * read: a field the read relies on that is absent or of another type is never guessed.
 * `null` in a text field is read as "no value" (the property stays unset). Runs once per user of
 * the domain (100,000+), so it builds the record in place.
 */
export function normaliseLiveUser(user: JsonRecord): LiveUser {
  const id = decodeId(present(user, 'id'), 'id');
  const userName = decodeText(present(user, 'user_name__v'), 'user_name__v');
  if (userName.trim() === '') throw new WireDecodeError('user_name__v', 'is empty', userName);
  const fields: Record<string, FieldValue> = {};
  for (const key in user) {
    if (NOT_EXTRA_FIELDS.has(key)) continue;
    const value = user[key];
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  const out: Partial<MutableLiveUser> = { id, user_name: normaliseIdentity(userName) };
  for (const [property, vaultName] of TEXT_PROPERTIES) {
    const value = present(user, vaultName);
    if (value !== null) out[property] = decodeText(value, vaultName);
  }
  const licenseType = user.license_type__v;
  // The calling vault's license: informative only (memberships carry the compared ones).
  if (typeof licenseType === 'string' && isLicenseType(licenseType)) out.license_type = licenseType;
  out.domain_admin = decodeBoolean(present(user, USER_FIELD_TO_VAULT.domain_admin), USER_FIELD_TO_VAULT.domain_admin);
  out.active = decodeBoolean(present(user, USER_FIELD_TO_VAULT.active), USER_FIELD_TO_VAULT.active);
  out.fields = fields;
  out.memberships = membershipsOf(user);
  out.last_login = lastLoginOf(user);
  return out as LiveUser;
}

/** An ISO-8601 UTC instant as §5.3 shows them (`2022-05-23T20:49:06.000Z`; millis optional). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** `last_login__v`, without guessing: an unreadable value is kept as such, never read as "never". */
export function lastLoginOf(user: JsonRecord): LastLogin {
  if (!Object.hasOwn(user, 'last_login__v')) return { kind: 'not_reported' };
  const value = user.last_login__v;
  if (value === null) return { kind: 'never' };
  if (typeof value === 'string' && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value))) {
    return { kind: 'at', at: new Date(value).toISOString() };
  }
  return { kind: 'unreadable', excerpt: excerpt(value) };
}

/** How a problem names a user: the user name if it can be read, else the id, else its place in the list. */
function subjectOf(raw: JsonRecord, position: number): string {
  const name = raw.user_name__v;
  if (typeof name === 'string' && name.trim() !== '') return `user ${name.trim().toLowerCase()}`;
  const id = asId(raw.id);
  return id === undefined ? `user #${position} of the listing (no id, no user name)` : `user id ${id}`;
}

const USERS_CALL = 'GET /api/…/objects/users (Retrieve All Users)';

/** Every user, decoded; stops requesting pages once `signal` aborts (another read failed). */
async function readUsers(client: VaultClient, signal: AbortSignal): Promise<Map<string, LiveUser>> {
  const users = new Map<string, LiveUser>();
  const problems = new ReadProblems((text) => client.redact(text));
  let position = 0;
  for await (const page of client.listUserPages({ signal })) {
    for (const raw of page) {
      position += 1;
      if (isSystemUser(raw)) continue;
      let user: LiveUser;
      try {
        user = normaliseLiveUser(raw);
      } catch (error) {
        if (!(error instanceof WireDecodeError)) throw error;
        problems.add(subjectOf(raw, position), error);
        continue;
      }
      if (users.has(user.user_name)) {
        throw new VaultRosterError('vault-paging', `${USERS_CALL}: Vault listed user ${user.user_name} twice`, {
          hint: 'Users may have changed while they were read (or two differ only in case or spaces); run again.',
        });
      }
      users.set(user.user_name, user);
    }
  }
  problems.throwIfAny(USERS_CALL, 'user records');
  return users;
}

const PERSONS_CALL = 'POST /api/…/query (person__sys)';

/** A person__sys field: text, `null`, or (ids) a number; absent or anything else is refused. */
function personText(row: JsonRecord, field: string): string | null {
  const value = present(row, field);
  if (value === null) return null;
  const text = decodeText(value, field);
  return text === '' ? null : text;
}

function toPerson(row: JsonRecord): ClinicalPerson {
  const id = personText(row, 'id');
  if (id === null) throw new WireDecodeError('id', 'is empty', row.id);
  return {
    id,
    email: personText(row, 'email__sys'),
    first_name: personText(row, 'first_name__sys'),
    last_name: personText(row, 'last_name__sys'),
    user_id: personText(row, 'vault_user__sys'),
  };
}

function personsOf(rows: readonly JsonRecord[], redact: (text: string) => string): Map<string, ClinicalPerson> {
  const persons = new Map<string, ClinicalPerson>();
  const problems = new ReadProblems(redact);
  rows.forEach((row, i) => {
    try {
      const person = toPerson(row);
      if (persons.has(person.id)) throw new WireDecodeError('id', 'listed twice', person.id);
      persons.set(person.id, person);
    } catch (error) {
      if (!(error instanceof WireDecodeError)) throw error;
      const id = row.id;
      problems.add(typeof id === 'string' && id !== '' ? `person ${id}` : `person #${i + 1}`, error);
    }
  });
  problems.throwIfAny(PERSONS_CALL, 'person records');
  return persons;
}

interface DomainVaults {
  readonly ids: number[];
  /** Applications per vault; undefined when the domain could not be read. */
  readonly apps?: Map<number, readonly string[]>;
}

async function readVaults(client: VaultClient): Promise<DomainVaults> {
  try {
    const domain = await client.getDomain();
    return { ids: domain.vaults.map((v) => v.id).sort((a, b) => a - b), apps: new Map(domain.vaults.map((v) => [v.id, [...v.applications].sort()])) };
  } catch (error) {
    // Only Domain Admins may read the domain; the vaults this user can reach are the next best list.
    if (!(error instanceof VaultApiError) || error.errorType !== 'INSUFFICIENT_ACCESS') throw error;
    const session = await client.session();
    if (session.vaults.length === 0) throw error;
    return { ids: session.vaults.map((v) => v.id).sort((a, b) => a - b) };
  }
}

function authenticatedUser(me: JsonRecord, redact: (text: string) => string): string {
  const name = me.user_name__v;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new VaultRosterError('vault-response', `GET /api/…/objects/users/me: the signed-in user has no user_name__v; Vault sent ${redact(excerpt(name))}`, {
      hint: 'Vault did not say who is signed in, so the protections for that user cannot work; nothing was planned or written.',
    });
  }
  return normaliseIdentity(name);
}

/**
 * Reads the live state. The small independent reads overlap with the user listing; the user
 * pages go at most one ahead (see `listUserPages`). When any read fails, the listing requests no
 * further page, so nothing keeps talking to Vault behind the error.
 */
export async function readLiveState(client: VaultClient, scope: LiveStateScope): Promise<LiveState> {
  // Log in first so the overlapping reads share one session instead of racing to create several.
  await client.session();
  const stop = new AbortController();
  const watch = <T>(read: Promise<T>): Promise<T> =>
    read.catch((error: unknown) => {
      stop.abort();
      throw error;
    });
  const [me, users, vaults, policies, licenses, profiles, persons, groups] = await Promise.all([
    watch(client.getUser('me')),
    watch(readUsers(client, stop.signal)),
    watch(readVaults(client)),
    watch(client.listSecurityPolicies()),
    watch(client.getLicenseUsage()),
    watch(client.listSecurityProfiles()),
    watch(Promise.resolve(scope.promotions).then((promotions) => (promotions ? client.query(PERSONS_VQL) : []))),
    watch(Promise.resolve(scope.groups ?? false).then((wanted) => (wanted ? client.readGroups({ signal: stop.signal }) : undefined))),
  ]);
  const vaultId = client.vaultId;
  if (vaultId === undefined) {
    throw new VaultRosterError('vault-response', 'Vault never said which vault the session is in (no X-VaultAPI-VaultId)');
  }
  const redact = (text: string): string => client.redact(text);
  return {
    vault_id: vaultId,
    authenticated_user: authenticatedUser(me, redact),
    users,
    vault_ids: vaults.ids,
    security_policies: policies.map((p) => p.name).sort(),
    persons: personsOf(persons, redact),
    licenses,
    ...(vaults.apps === undefined ? {} : { vault_apps: vaults.apps }),
    ...(profiles === undefined ? {} : { security_profiles: profiles }),
    sitevault: scope.sitevault ?? new Map(),
    ...(groups === undefined ? {} : { groups }),
  };
}
