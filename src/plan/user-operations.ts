/**
 * User changes → API calls (VAULT-API.md §5.4-5.8, §9.1). Bulk wherever Vault allows it:
 * creates and promotions in batches, further vaults of new users as upserts keyed by user
 * name, existing users' fields and memberships in bulk PUTs (one vault per row), app licenses
 * as upserts keyed by id. Only domain-level flags and cleared values use the single-user PUT.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Membership } from '../model.js';
import { USER_FIELD_TO_VAULT, encodeAppLicensing, encodeMembership } from '../vault-api/index.js';
import { batchDrafts, type OperationDraft } from './batch.js';
import type { UserPlanItem } from './diff-users.js';
import { parseFieldPath } from './field-paths.js';
import { isTree, type Tree } from './trees.js';
import type { JsonValue, OperationRow } from './types.js';
import { USER_SCALAR_KEYS, membershipFromTree, type UserScalarKey } from './user-trees.js';

/** Calls in execution order; each stage may depend on the ones before it. */
export interface UserStages {
  readonly promote: OperationDraft[];
  readonly create: OperationDraft[];
  readonly upsertByName: OperationDraft[];
  /** Single PUTs that grant admin or re-enable a user: before anything revokes. */
  readonly grants: OperationDraft[];
  readonly singles: OperationDraft[];
  /** Single PUTs that take domain admin away: after every grant. */
  readonly revokes: OperationDraft[];
  readonly bulkUpdate: OperationDraft[];
  readonly upsertById: OperationDraft[];
}

type Body = Record<string, JsonValue>;

/** Fields Create Multiple Users requires (§5.4). */
const CREATE_REQUIRED: readonly UserScalarKey[] = ['first_name', 'last_name', 'email', 'timezone', 'locale', 'language', 'security_policy'];

/** Promote Person to User body names (§9.1) of the user properties it takes. */
const PROMOTE_FIELDS: Partial<Record<UserScalarKey, string>> = {
  first_name: 'first_name__sys',
  last_name: 'last_name__sys',
  email: 'email__sys',
  language: 'language__sys',
  timezone: 'timezone__sys',
  locale: 'locale__sys',
};

function membershipsOf(tree: Tree): Membership[] {
  const ms = tree.memberships;
  if (!isTree(ms)) return [];
  return Object.keys(ms).flatMap((vault) => {
    const value = ms[vault];
    const m = membershipFromTree(Number(vault), isTree(value) ? value : undefined);
    return m === undefined ? [] : [m];
  });
}

function extraFields(tree: Tree, body: Body): void {
  const fields = tree.fields;
  if (!isTree(fields)) return;
  for (const [name, value] of Object.entries(fields)) if (value !== null && value !== '') body[name] = value;
}

function appLicensing(m: Membership): string | undefined {
  return m.apps !== undefined && Object.keys(m.apps).length > 0 ? encodeAppLicensing(m.vault_id, m.apps) : undefined;
}

function membershipRow(key: string, idField: Body, m: Membership): OperationRow {
  const body: Body = { ...idField, vault_membership: encodeMembership(m) };
  const apps = appLicensing(m);
  if (apps !== undefined) body.app_licensing = apps;
  return { key, body };
}

/** The vault a new user is created in: the session's vault when listed, else the lowest id. */
function primaryMembership(memberships: readonly Membership[], liveVaultId: number): Membership | undefined {
  return memberships.find((m) => m.vault_id === liveVaultId) ?? memberships[0];
}

function createRows(item: UserPlanItem, liveVaultId: number, rows: { create: OperationRow[]; upsert: OperationRow[] }, diagnostics: Diagnostic[]): void {
  const key = item.change.key;
  const tree = item.after;
  const missing = CREATE_REQUIRED.filter((k) => tree[k] === undefined);
  if (missing.length > 0) {
    diagnostics.push({
      severity: 'error',
      code: 'create-missing-field',
      summary: `new user ${key} lacks ${missing.join(', ')}, which Vault requires to create a user`,
      hint: 'set the fields on the user or in roster.yaml defaults',
      ...(item.desired ? { position: { file: item.desired.source.file, line: item.desired.source.line, col: item.desired.source.col } } : {}),
      subject: { user: key, field: missing.join(',') },
    });
  }
  const body: Body = { user_name__v: key };
  for (const k of USER_SCALAR_KEYS) {
    const value = tree[k];
    if (value === undefined || k === 'active' || k === 'domain_admin') continue;
    body[USER_FIELD_TO_VAULT[k]] = value;
  }
  if (tree.domain_admin === true) body.is_domain_admin__v = true;
  extraFields(tree, body);
  const memberships = membershipsOf(tree);
  const primary = primaryMembership(memberships, liveVaultId);
  if (primary !== undefined) {
    // Row-level security_profile__v and license_type__v describe the calling vault (VAULT-API.md
    // §5.3), so only send them for that vault; vault_membership carries both either way.
    if (primary.vault_id === liveVaultId) {
      body.security_profile__v = primary.security_profile;
      body.license_type__v = primary.license_type;
    }
    body.vault_membership = encodeMembership(primary);
    const apps = appLicensing(primary);
    if (apps !== undefined) body.app_licensing = apps;
  } else if (tree.memberships !== undefined) {
    body.domain = true;
  }
  rows.create.push({ key, body });
  for (const m of memberships) if (m !== primary) rows.upsert.push(membershipRow(key, { user_name__v: key }, m));
}

function promoteRows(item: UserPlanItem, liveVaultId: number, rows: { promote: OperationRow[]; upsert: OperationRow[] }): void {
  const key = item.change.key;
  const tree = item.after;
  const body: Body = { source_person_id: item.person_id ?? '', username__sys: key };
  for (const [prop, name] of Object.entries(PROMOTE_FIELDS)) {
    const value = tree[prop];
    if (value !== undefined) body[name] = value;
  }
  const memberships = membershipsOf(tree);
  const primary = primaryMembership(memberships, liveVaultId);
  if (primary !== undefined) {
    body.security_profile__sys = primary.security_profile;
    body.license_type__sys = primary.license_type;
  }
  if (tree.domain_admin === true) body.domain_admin__sys = true;
  rows.promote.push({ key, body });
  // Promotion sets only the fields above; the rest (policy, extra fields, every vault's
  // membership and app licenses) follows as idempotent upserts keyed by user name.
  const first: Body = { user_name__v: key };
  if (tree.security_policy !== undefined) first.security_policy_id__v = tree.security_policy;
  extraFields(tree, first);
  if (memberships.length === 0) {
    if (Object.keys(first).length > 1) rows.upsert.push({ key, body: first });
    return;
  }
  memberships.forEach((m, i) => rows.upsert.push(membershipRow(key, i === 0 ? first : { user_name__v: key }, m)));
}

interface ExistingRows {
  bulk: OperationRow[];
  apps: OperationRow[];
  grants: OperationDraft[];
  singles: OperationDraft[];
  revokes: OperationDraft[];
}

function singleDraft(id: number, key: string, body: Body): OperationDraft {
  return { kind: 'update', method: 'PUT', path: `/objects/users/${id}`, body_format: 'form', rows: [{ key, body }] };
}

function existingRows(item: UserPlanItem, out: ExistingRows): void {
  const live = item.live;
  if (live === undefined) return;
  const key = item.change.key;
  const single: Body = {};
  const bulk: Body = {};
  const vaults = new Set<number>();
  const apps = new Map<number, Set<string>>();
  for (const f of item.change.fields) {
    const [head = '', second = '', third, fourth] = parseFieldPath(f.path);
    if (head === 'active') single.domain_active__v = f.after;
    else if (head === 'domain_admin') single.is_domain_admin__v = f.after;
    else if (head === 'fields') (f.after === null || f.after === '' ? single : bulk)[second] = f.after === '' ? null : f.after;
    else if (head === 'memberships') {
      const vault = Number(second);
      if (third === 'apps' && fourth !== undefined) apps.set(vault, (apps.get(vault) ?? new Set()).add(fourth));
      else vaults.add(vault);
    } else if (head in USER_FIELD_TO_VAULT) {
      (f.after === null ? single : bulk)[USER_FIELD_TO_VAULT[head as UserScalarKey]] = f.after;
    }
  }
  const memberships = membershipsOf(item.after);
  if (item.change.action === 'reactivate') {
    // Re-enabling at domain level leaves memberships inactive (§5.6): send the active ones again.
    for (const m of memberships) if (m.active) vaults.add(m.vault_id);
  }
  if (Object.keys(single).length > 0) {
    const draft = singleDraft(live.id, key, single);
    const revokesAdmin = single.is_domain_admin__v === false || (single.domain_active__v === false && live.domain_admin === true);
    if (revokesAdmin) out.revokes.push(draft);
    else if (single.is_domain_admin__v === true || single.domain_active__v === true) out.grants.push(draft);
    else out.singles.push(draft);
  }
  const changed = memberships.filter((m) => vaults.has(m.vault_id));
  if (changed.length === 0 && Object.keys(bulk).length > 0) out.bulk.push({ key, body: { id: live.id, ...bulk } });
  changed.forEach((m, i) => {
    const body: Body = { id: live.id, ...(i === 0 ? bulk : {}), vault_membership: encodeMembership(m) };
    out.bulk.push({ key, body });
  });
  for (const m of memberships) {
    const codes = apps.get(m.vault_id);
    if (codes === undefined) continue;
    const changedApps = Object.fromEntries(Object.entries(m.apps ?? {}).filter(([code]) => codes.has(code)));
    if (Object.keys(changedApps).length > 0) out.apps.push({ key, body: { id: live.id, app_licensing: encodeAppLicensing(m.vault_id, changedApps) } });
  }
}

/** Builds every user call, grouped in stages. */
export function buildUserOperations(items: readonly UserPlanItem[], liveVaultId: number): { stages: UserStages; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fresh = { create: [] as OperationRow[], promote: [] as OperationRow[], upsert: [] as OperationRow[] };
  const existing: ExistingRows = { bulk: [], apps: [], grants: [], singles: [], revokes: [] };
  for (const item of items) {
    if (item.kind === 'new') createRows(item, liveVaultId, fresh, diagnostics);
    else if (item.kind === 'promote') promoteRows(item, liveVaultId, fresh);
    else existingRows(item, existing);
  }
  const users = '/objects/users';
  const create = batchDrafts({ kind: 'create', method: 'POST', path: users, body_format: 'json-array' }, fresh.create);
  const promote = batchDrafts(
    { kind: 'promote', method: 'POST', path: '/app/clinical/persons/actions/promote_to_user', body_format: 'json-array' },
    fresh.promote,
  );
  const newAdmins = [...create, ...promote].filter((d) => d.rows.some((r) => r.body.is_domain_admin__v === true || r.body.domain_admin__sys === true));
  const grantsFirst = [...existing.grants, ...newAdmins];
  const revokes = existing.revokes.map((d) => ({ ...d, after: grantsFirst }));
  return {
    stages: {
      promote,
      create,
      upsertByName: batchDrafts(
        { kind: 'upsert', method: 'POST', path: users, query: { operation: 'upsert', idParam: 'user_name__v' }, body_format: 'json-array' },
        fresh.upsert,
      ),
      grants: existing.grants,
      singles: existing.singles,
      revokes,
      bulkUpdate: batchDrafts({ kind: 'update', method: 'PUT', path: users, body_format: 'json-array' }, existing.bulk),
      upsertById: batchDrafts(
        { kind: 'upsert', method: 'POST', path: users, query: { operation: 'upsert', idParam: 'id' }, body_format: 'json-array' },
        existing.apps,
      ),
    },
    diagnostics,
  };
}
