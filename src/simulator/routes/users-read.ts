/**
 * Retrieve All Users, Retrieve User and Validate Session User (VAULT-API.md §5.2, §5.3, §2.4).
 * Paging by id over all users is a slice of the store's sorted id array; other filters and
 * sorts are computed once per store version and cached. Page cap, the `limit` echo, the meaning
 * of `size` and whether domain-only users are listed come from the profile (profiles.ts).
 */
import { authedRoute, success, VaultFailure, type AuthedContext, type Route } from '../http.js';
import { membershipOf, userName, type SimUser } from '../records.js';
import { renderUser, type UserViewOptions } from '../user-view.js';
import type { SimCore } from '../core.js';

const SORTABLE = new Set([
  'id',
  'user_name__v',
  'user_first_name__v',
  'user_last_name__v',
  'user_email__v',
  'created_date__v',
  'modified_date__v',
  'last_login__v',
]);
const DEFAULT_LIMIT = 200;

/** `false` includes the block; `true` or omitted excludes it (v18.1+ default). */
function includeFlag(ctx: AuthedContext, name: string): boolean {
  const raw = ctx.query[name];
  if (raw === undefined || raw.toLowerCase() === 'true') return false;
  if (raw.toLowerCase() === 'false') return true;
  throw new VaultFailure('INVALID_DATA', `invalid value [${raw}] for parameter [${name}]; use true or false`);
}

export function viewOptions(ctx: AuthedContext, core: SimCore): UserViewOptions {
  return {
    memberships: includeFlag(ctx, 'exclude_vault_membership'),
    apps: includeFlag(ctx, 'exclude_app_licensing'),
    shape: core.profile.read.membershipShape,
  };
}

function nonNegativeInt(ctx: AuthedContext, name: string, fallback: number): number {
  const raw = ctx.query[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new VaultFailure('INVALID_DATA', `invalid value [${raw}] for parameter [${name}]`);
  return Number(raw);
}

interface VaultFilter {
  readonly key: string;
  /** Vault ids the caller needs admin access to. */
  readonly vaults: readonly number[];
  readonly test: ((user: SimUser) => boolean) | undefined;
}

function vaultFilter(ctx: AuthedContext, core: SimCore): VaultFilter {
  const raw = ctx.query.vaults;
  const here = ctx.vault.id;
  const memberOfAny = (ids: ReadonlySet<number>) => (u: SimUser) => u.systemOwned || u.memberships.some((m) => ids.has(m.vault_id));
  if (raw === undefined || raw === '') return { key: `v${here}`, vaults: [], test: memberOfAny(new Set([here])) };
  if (raw === 'all') {
    const vaults = core.store.vaultList.map((v) => v.id);
    // A profile may play "assigned to all vaults" literally: users with no membership are left out.
    if (!core.profile.read.domainOnlyUsersListed) return { key: 'all-members', vaults, test: (u) => u.systemOwned || u.memberships.length > 0 };
    return { key: 'all', vaults, test: undefined };
  }
  if (raw === '-1') {
    const others = core.store.vaultList.map((v) => v.id).filter((id) => id !== here);
    return { key: `not${here}`, vaults: others, test: memberOfAny(new Set(others)) };
  }
  const ids = raw.split(',').map((s) => s.trim());
  const parsed = ids.map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  parsed.forEach((id, i) => {
    if (Number.isNaN(id) || !core.store.vaults.has(id)) throw new VaultFailure('INVALID_DATA', `invalid vault id [${ids[i] ?? ''}] in parameter [vaults]`);
  });
  const set = new Set(parsed);
  return { key: `in${[...set].sort((a, b) => a - b).join(',')}`, vaults: [...set], test: memberOfAny(set) };
}

function sortSpec(ctx: AuthedContext): { field: string; desc: boolean; text: string } {
  const raw = (ctx.query.sort ?? 'id asc').trim();
  const [field = '', dir = 'asc', ...rest] = raw.split(/\s+/);
  const lower = dir.toLowerCase();
  if (!SORTABLE.has(field) || (lower !== 'asc' && lower !== 'desc') || rest.length > 0) {
    throw new VaultFailure('INVALID_DATA', `invalid sort [${raw}]; use a field name and asc or desc`);
  }
  return { field, desc: lower === 'desc', text: `${field} ${lower}` };
}

function sortedIds(core: SimCore, filter: VaultFilter, sort: { field: string; desc: boolean }): readonly number[] {
  const store = core.store;
  if (filter.test === undefined && sort.field === 'id' && !sort.desc) return store.allIds();
  return store.cachedList(`${filter.key}|${sort.field}|${sort.desc ? 'd' : 'a'}`, () => {
    const test = filter.test;
    const base = test === undefined ? [...store.allIds()] : store.allIds().filter((id) => { const u = store.user(id); return u !== undefined && test(u); });
    if (sort.field !== 'id') {
      const key = (id: number): string => String(store.user(id)?.fields[sort.field] ?? '').toLowerCase();
      const keyed = base.map((id) => ({ id, k: key(id) }));
      keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.id - b.id));
      const ids = keyed.map((e) => e.id);
      return sort.desc ? ids.reverse() : ids;
    }
    return sort.desc ? base.reverse() : base;
  });
}

function listUsers(ctx: AuthedContext, core: SimCore) {
  const filter = vaultFilter(ctx, core);
  for (const vaultId of filter.vaults) {
    if (!core.isAdminOf(ctx.caller, vaultId)) {
      throw new VaultFailure('INSUFFICIENT_ACCESS', `User [${ctx.caller.id}] has no admin access to vault [${vaultId}]`);
    }
  }
  const options = viewOptions(ctx, core);
  const limit = pageLimit(ctx, core);
  const start = nonNegativeInt(ctx, 'start', 0);
  const sort = sortSpec(ctx);
  const ids = sortedIds(core, filter, sort);
  const users: { user: Record<string, unknown> }[] = [];
  for (let i = start; i < ids.length && users.length < limit; i++) {
    const user = core.store.user(ids[i] ?? -1);
    if (user !== undefined) users.push({ user: renderUser(user, core.store, ctx.vault.id, options) });
  }
  const read = core.profile.read;
  const echoed = read.limitEcho === 'none' ? {} : { limit: read.limitEcho === 'applied' ? limit : nonNegativeInt(ctx, 'limit', DEFAULT_LIMIT) };
  return success({ size: read.size === 'total' ? ids.length : users.length, start, ...echoed, sort: sort.text, users });
}

/** The page length to serve: the requested `limit` up to the profile's cap (clamped, or refused). */
function pageLimit(ctx: AuthedContext, core: SimCore): number {
  const requested = nonNegativeInt(ctx, 'limit', DEFAULT_LIMIT);
  if (requested === 0) throw new VaultFailure('INVALID_DATA', 'parameter [limit] must be at least 1');
  const cap = core.profile.read.pageCap;
  if (requested > cap && core.profile.read.overCap === 'refuse') {
    throw new VaultFailure('INVALID_DATA', `invalid value [${requested}] for parameter [limit]; the maximum is ${cap}`);
  }
  return Math.min(requested, cap);
}

function findUser(ctx: AuthedContext, core: SimCore, raw: string | undefined): SimUser {
  if (raw === 'me') return ctx.caller;
  const user = raw !== undefined && /^\d+$/.test(raw) ? core.store.user(Number(raw)) : undefined;
  if (user === undefined) throw new VaultFailure('MALFORMED_URL', `user [${raw ?? ''}] not found`);
  return user;
}

function retrieveUser(ctx: AuthedContext, core: SimCore) {
  const user = findUser(ctx, core, ctx.params.id);
  const visible = user.id === ctx.caller.id || user.systemOwned || user.memberships.some((m) => core.isAdminOf(ctx.caller, m.vault_id)) || membershipOf(user, ctx.vault.id) !== undefined;
  if (!visible && !core.isAdminOf(ctx.caller, ctx.vault.id)) {
    throw new VaultFailure('INSUFFICIENT_ACCESS', `User [${ctx.caller.id}] may not read user [${userName(user)}]`);
  }
  return success({ users: [{ user: renderUser(user, core.store, ctx.vault.id, viewOptions(ctx, core)) }] });
}

export function usersReadRoutes(core: SimCore): Route[] {
  return [
    authedRoute('GET', '/objects/users', (ctx) => listUsers(ctx, core)),
    authedRoute('GET', '/objects/users/:id', (ctx) => retrieveUser(ctx, core)),
  ];
}
