/**
 * The local Vault simulator: a node:http server on 127.0.0.1 that follows
 * ../shared/VAULT-API.md closely enough that a client working against it works against Vault.
 *
 * Owns: the simulated domain (store), the Vault API routes (routes/*), sessions, burst
 * limits, faults, the request log, /_sim/ inspection and the state file.
 * Must not: import src/vault/** (its parsers are independent on purpose, so one mistake cannot
 * pass every test), listen on anything but 127.0.0.1, or write secrets (passwords and
 * session ids are never logged or persisted).
 *
 * Choices where VAULT-API.md is silent or marked [INF]. Those marked (profile: …) are the
 * `default` profile's answer and can be switched (profiles.ts; `--profile`, the switch flags,
 * `startSimulator({ profile })`), so the client can be tried against every plausible reading:
 * - Every API-level error is HTTP 200 + envelope; unknown path MALFORMED_URL, wrong method or
 *   unsupported API version METHOD_NOT_SUPPORTED. Wrong Content-Type, malformed JSON, ragged
 *   CSV, empty input and more than 500 rows fail the WHOLE request with INVALID_DATA.
 * - Responses are JSON (or CSV for bulk user results); `Accept: application/xml` is ignored.
 * - Retrieve users: `vault_membership` / `app_licensing` are arrays of objects in the §5.3
 *   shape (profile: membershipShape), all of the user's vaults; `exclude_*` omitted ⇒ excluded.
 *   Top-level `active__v`, `security_profile__v`, `license_type__v` describe the calling vault
 *   and are omitted when the user is not a member there. `vaults=all` includes domain users with
 *   no membership (profile: domainOnlyUsersListed); system-owned users (ids 1-3) appear in every
 *   listing. `limit` > 1000 is clamped to 1000 (profile: pageCap, overCap) and echoed as applied
 *   (profile: limitEcho); `size` is the page length (profile: size). Ids: list/retrieve/
 *   update-single numbers, bulk/create strings.
 * - Auth: `vaultDNS` (else the Host header) picks the vault when the user is an active member
 *   of an active vault; otherwise the last vault logged into, else the lowest-id active vault
 *   with an active membership, else FAILURE INACTIVE_USER. The session is bound to that vault.
 *   vaultIds urls are `https://{dns}/api`. Auth failures carry `errorType: AUTHENTICATION_FAILED`.
 *   Auth budget: per (username, vaultDNS) per minute (default 100); delayed from half, then
 *   FAILURE API_LIMIT_EXCEEDED. Auth calls are not counted in the general burst bucket.
 * - Burst limit: fixed windows per (vault, user); calls without a valid session share one
 *   `anonymous` bucket. Delay mode sleeps burstDelayMs and sets X-VaultAPI-ResponseDelay.
 * - Sessions: default idle timeout 10 min, 48 h cap, not persisted; a session dies when its
 *   user is disabled at domain level or loses active membership of the session's vault.
 * - Bulk create without `vault_membership` makes a domain user with no membership (the seed
 *   says so); single create joins the calling vault unless `domain=true`. Row-level
 *   `active__v` / `security_profile__v` / `license_type__v` set the calling vault's membership
 *   and are defaults for omitted parts of new memberships in the same row.
 * - Encodings: several vaults in one `vault_membership` cell are `;`-separated; an empty or
 *   missing part means "default" for a new membership and "unchanged" for an existing one
 *   (also in Update Vault Membership, §5.8 caution). app_licensing needs the `|` after the
 *   vault id; omitted active/license on an existing app license keep their values.
 * - Bulk CSV: a blank cell is "not supplied", the literal `null` clears. JSON / form: `null`,
 *   `""` and `"null"` clear (profile: clearWith). Required fields and booleans cannot be
 *   cleared (INVALID_DATA).
 * - Row errors: duplicate user name (case-insensitive) ITEM_NAME_EXISTS (profile:
 *   duplicateUserError); duplicate federated
 *   id FEDERATED_ID_ALREADY_EXISTS; unknown vault id INVALID_DATA; unknown / read-only /
 *   not-on-create field ATTRIBUTE_NOT_SUPPORTED (also `security_profile__v` in Update Multiple
 *   Users); unknown id USER_NOT_FOUND (upsert by id with a blank id creates); app license more
 *   permissive than the membership's or the row's license OPERATION_NOT_ALLOWED; app license
 *   type absent from the application's seat table, unknown app, or app in a vault the user is
 *   not a member of INVALID_DATA; last active Domain Admin OPERATION_NOT_ALLOWED; changing a
 *   Domain-Admin-only field as a non-Domain-Admin INSUFFICIENT_ACCESS; system-owned users are
 *   read-only (OPERATION_NOT_ALLOWED). Seat counts are reported, never enforced.
 * - 24R2 correction: when a vault license is lowered, app licenses it no longer allows (and
 *   that the same row does not set) drop to the vault license, or are removed when that
 *   license type is invalid for the application.
 * - Disable: DELETE makes the membership of the calling vault inactive; `domain=true` sets
 *   `domain_active__v=false`, which also makes every membership inactive (re-enabling does not
 *   re-activate them). Nothing is ever deleted.
 * - Unknown user / vault / person / policy in a path: MALFORMED_URL.
 * - Permissions: writes need a Domain Admin or an active system_admin__v / vault_owner__v of
 *   the vault concerned; users may update their own plain profile fields.
 * - VQL: user__sys over members of the session's vault (ids as strings, `status__v`
 *   active__v/inactive__v), person__sys over the Clinical persons of that vault; `=` `!=` `<`
 *   `>` `<=` `>=` `LIKE` `IN`, AND only, case-insensitive strings; unknown fields/objects
 *   INCORRECT_QUERY_SYNTAX_ERROR; page size at most 1000; page links re-run the query.
 * - Promote: API v26.2+; the body is read as JSON whatever the Content-Type; per-element
 *   results (`responseStatus`/`errors` only on failures; profile: promoteFailure);
 *   `username__sys` required, names/email default from the person; language/locale/profile
 *   as names or record ids that map through a small table (profile: promoteReferences),
 *   `america_new_york__sys` style time zones are converted; policy = the domain's first
 *   policy. Already-linked person OPERATION_NOT_ALLOWED.
 * - SiteVault: create = array of exactly one; edit = one object. Creating an existing email
 *   reuses (re-activates) that person. `site_usn` or `site_USN`; site/study assignments inside
 *   `assignments` or beside it. Study assignments must be at a site the person is assigned to
 *   (else OPERATION_NOT_ALLOWED); removing a site removes its study assignments;
 *   `study_role: no_access__v` removes a study; `org_no_access__v` removes all access and makes
 *   the person inactive. Add-ons only on org_admin/org_full and regulatory/study_team roles.
 * - Groups belong to one vault. Every vault has a system group per standard profile it offers and
 *   All Internal Users (added when a seed lacks them). Implied members are computed, never stored:
 *   users whose active membership (and domain account) has a profile in `security_profiles__v`.
 *   `name__v` derives from the label and never changes; labels are unique per vault in any case
 *   (ITEM_NAME_EXISTS, also for a label deriving an existing name). Writes to system groups are
 *   INSUFFICIENT_ACCESS, to Auto Managed / Manager groups OPERATION_NOT_ALLOWED; member ids must be
 *   users of the vault. group_membership__sys rows include implied members (profile:
 *   membershipRows); the listing key (profile: listingKey) and implied_members__v objects
 *   `{id, source_name, source_type}` (profile: impliedMembers). Deleting a member not in the group
 *   is a no-op; adding one already there too.
 * - Faults never apply to /_sim/, and to /auth only with `auth=true`.
 * - OAuth (routes/oauth.ts): `POST /auth/oauth/session/{profile}` with a Bearer access token logs in
 *   like /auth; `POST /oauth2/token` is a client-credentials token endpoint. Defaults: profile
 *   `_sim_oauth_profile`, client `vault-roster-sim` / `sim-client-secret` logging in as the admin.
 */
import type { AddressInfo } from 'node:net';
import { SimCore } from './core.js';
import { adminSeedUser, DEFAULT_ADMIN_PASSWORD, DEFAULT_ADMIN_USER, defaultSeed } from './default-state.js';
import { StatePersister, stateFileExists } from './persistence.js';
import { parseSeed, readSeedFile } from './seed.js';
import { createSimulatorServer } from './server.js';
import { Store } from './store.js';
import { authRoutes } from './routes/auth.js';
import { usersReadRoutes } from './routes/users-read.js';
import { usersWriteRoutes } from './routes/users-write.js';
import { membershipRoutes } from './routes/membership.js';
import { domainRoutes } from './routes/domain.js';
import { vqlRoutes } from './routes/vql.js';
import { siteVaultRoutes } from './routes/sitevault.js';
import { clinicalRoutes } from './routes/clinical.js';
import { groupRoutes } from './routes/groups.js';
import { handleTokenRequest, oauthRoutes } from './routes/oauth.js';
import { AccessTokens } from './sessions.js';
import type { SimControl } from './routes/sim.js';
import { resolveProfile } from './profiles.js';
import type { RunningSimulator, SimulatorOptions, SimulatorSeed, SeedUser } from './types.js';

export type * from './types.js';
export { SEED_FORMAT } from './types.js';
export { SeedError } from './seed.js';
export { CaptureError, loadCapture, type LoadedCapture } from './capture.js';
export { FaultSpecError, parseFaultSpec, formatFaultSpec, prng } from './faults.js';
export { defaultSeed, humanSeedUser, DEFAULT_ADMIN_USER, DEFAULT_ADMIN_PASSWORD } from './default-state.js';
export {
  GROUP_PROFILES,
  MEMBERSHIP_SHAPES,
  PROFILE_FORMAT,
  PROFILES,
  ProfileError,
  READ_PROFILES,
  readProfileFile,
  resolveProfile,
  WRITE_PROFILES,
  type MembershipShape,
  type GroupsBehaviour,
  type ProfileSpec,
  type SimulatorProfile,
  type UsersReadBehaviour,
  type WriteBehaviour,
} from './profiles.js';

/** Adds the admin (Domain Admin, system admin everywhere) when the seed lacks that user. */
function withAdmin(seed: SimulatorSeed, adminUser: string): SimulatorSeed {
  const users = seed.users ?? [];
  if (users.some((u) => typeof u.user_name__v === 'string' && u.user_name__v.toLowerCase() === adminUser.toLowerCase())) return seed;
  // A loop, not Math.max(...ids): spreading a 300,000-user seed overflowed the stack.
  let id = Math.max(25000, seed.counters?.next_user_id ?? 0);
  for (const u of users) if (typeof u.id === 'number' && u.id + 1 > id) id = u.id + 1;
  const vaultIds = Array.isArray(seed.vaults) ? seed.vaults.map((v: { id: number }) => v.id) : [];
  const policy = seed.security_policies?.[0]?.name__v ?? '821';
  const admin: SeedUser = adminSeedUser(id, adminUser, vaultIds, policy);
  return { ...seed, users: [...users, admin] };
}

function loadInitialSeed(options: SimulatorOptions, adminUser: string): SimulatorSeed {
  if (options.statePath !== undefined && stateFileExists(options.statePath)) return readSeedFile(options.statePath);
  if (typeof options.seed === 'string') return readSeedFile(options.seed);
  return options.seed ?? defaultSeed(adminUser);
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const adminUser = options.adminUser ?? DEFAULT_ADMIN_USER;
  const clock = options.clock ?? Date.now;
  const profile = resolveProfile(options.profile);
  const store = new Store(parseSeed(withAdmin(loadInitialSeed(options, adminUser), adminUser)));
  const passwords = new Map(Object.entries(options.passwords ?? {}).map(([name, pw]) => [name.toLowerCase(), pw]));
  const core = new SimCore(
    store,
    {
      adminUser,
      adminPassword: options.adminPassword ?? DEFAULT_ADMIN_PASSWORD,
      passwords,
      burstLimit: options.burstLimit ?? 2000,
      burstWindowMs: options.burstWindowMs ?? 300_000,
      burstDelayMs: options.burstDelayMs ?? 500,
      burstMode: options.burstMode ?? 'delay',
      authBurstLimit: options.authBurstLimit ?? 100,
      latencyMs: options.latencyMs ?? 0,
      sessionIdleMs: options.sessionIdleMs ?? 10 * 60 * 1000,
      profile,
    },
    clock,
    options.randomSeed ?? 1,
  );
  if (options.faults !== undefined) core.faults.set(options.faults);
  if (options.statePath !== undefined) {
    const persister = new StatePersister(options.statePath, () => store.dump(), options.persistDelayMs ?? 200);
    core.persister = persister;
    store.onChange = () => {
      persister.markDirty();
    };
    persister.markDirty();
    await persister.flush();
    if (persister.lastError !== undefined) throw new Error(`cannot write state file ${options.statePath}: ${persister.lastError}`);
  }
  const control: SimControl = {
    dump: () => store.dump(),
    replaceState: (seed) => {
      store.load(parseSeed(withAdmin(seed as SimulatorSeed, adminUser)));
      core.sessions.endAll();
      core.cursors.clear();
    },
    requestLog: () => core.log.list(),
    clearRequestLog: () => {
      core.log.clear();
    },
    setFaults: (spec) => {
      core.faults.set(spec);
    },
    faults: () => core.faults.current,
    expireSessions: () => {
      core.sessions.endAll();
    },
    sitevault: () => store.dump().sitevault ?? null,
    persistError: () => core.persister?.lastError,
    profile: () => core.profile,
    setProfile: (spec) => {
      core.settings.profile = resolveProfile(spec as Parameters<typeof resolveProfile>[0]);
    },
  };
  const tokens = new AccessTokens(options.oauth ?? {}, adminUser, clock);
  const routes = [
    ...authRoutes(core),
    ...oauthRoutes(core, tokens),
    ...usersReadRoutes(core),
    ...usersWriteRoutes(core),
    ...membershipRoutes(core),
    ...domainRoutes(core),
    ...vqlRoutes(core),
    ...siteVaultRoutes(core),
    ...clinicalRoutes(core),
    ...groupRoutes(core),
  ];
  const server = createSimulatorServer(core, routes, control, (method, headers, body) => handleTokenRequest(core, tokens, method, headers, body));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    adminUser,
    get profile() {
      return core.profile;
    },
    setProfile: (spec) => {
      control.setProfile(spec);
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }).then(() => core.persister?.flush());
      return closing;
    },
    requestLog: () => control.requestLog(),
    clearRequestLog: () => {
      control.clearRequestLog();
    },
    setFaults: (spec) => {
      control.setFaults(spec);
    },
    dump: () => control.dump(),
    replaceState: (seed) => {
      control.replaceState(seed);
    },
    expireSessions: () => {
      control.expireSessions();
    },
    flush: () => core.persister?.flush() ?? Promise.resolve(),
  };
}
