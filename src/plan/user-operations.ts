/**
 * User changes → typed operations (VAULT-API.md §5.4-5.8, §9.1). Bulk wherever Vault allows:
 * creates and promotions in batches, further vaults of new users as upserts keyed by user
 * name, existing users' values and memberships in bulk updates (one vault per row), app
 * licences as upserts keyed by id. Only domain-level flags and cleared values use the
 * single-user update. Works from typed records (user-delta.ts), never from display paths.
 */
import type { Diagnostic } from '../diagnostics.js';
import { USER_VALUE_KEYS, type AppLicense, type FieldValue } from '../model.js';
import { batchDrafts, type OperationDraft } from './batch.js';
import type { UserPlanItem } from './diff-users.js';
import type { AppGrants, DomainUserRow, MembershipGrant, NewUserRow, PromoteRow, UserValues, UserWriteRow } from './types.js';
import { membershipOf, type MembershipAfter, type UserAfter, type UserDelta } from './user-delta.js';
import type { UserScalarKey } from './user-trees.js';

/** Calls in execution order; each stage may depend on the ones before it. */
export interface UserStages {
  readonly promote: OperationDraft[];
  readonly create: OperationDraft[];
  readonly upsertByName: OperationDraft[];
  /** Single updates that grant admin or re-enable a user: before anything revokes. */
  readonly grants: OperationDraft[];
  readonly singles: OperationDraft[];
  /** Single updates that take domain admin away: after every grant. */
  readonly revokes: OperationDraft[];
  readonly bulkUpdate: OperationDraft[];
  readonly upsertById: OperationDraft[];
}

/** Fields Create Multiple Users requires (§5.4). */
const CREATE_REQUIRED: readonly UserScalarKey[] = ['first_name', 'last_name', 'email', 'timezone', 'locale', 'language', 'security_policy'];


type MutableValues = { -readonly [K in keyof UserValues]: UserValues[K] };

function grant(m: MembershipAfter): MembershipGrant {
  const { apps: _apps, ...parts } = m;
  return parts;
}

function appGrants(m: MembershipAfter, only?: readonly string[]): AppGrants | undefined {
  const apps: Record<string, AppLicense> = {};
  for (const code of [...(only ?? Object.keys(m.apps))].sort()) {
    const app = m.apps[code];
    if (app !== undefined) apps[code] = app;
  }
  return Object.keys(apps).length === 0 ? undefined : { vault_id: m.vault_id, apps };
}

function settable(value: FieldValue | undefined): value is string | number | boolean {
  return value !== undefined && value !== null && value !== '';
}

/** Everything a new user gets set: scalar values and non-empty extra fields. */
function allValues(after: UserAfter): MutableValues {
  const values: MutableValues = {};
  for (const key of USER_VALUE_KEYS) {
    const value = after.values[key];
    if (typeof value === 'string') values[key] = value;
  }
  const fields = Object.fromEntries(Object.entries(after.fields).filter((e): e is [string, string | number | boolean] => settable(e[1])));
  if (Object.keys(fields).length > 0) values.fields = fields;
  return values;
}

/** The vault a new user is created in: the session's vault when listed, else the lowest id. */
function primaryMembership(after: UserAfter, liveVaultId: number): MembershipAfter | undefined {
  return membershipOf(after, liveVaultId) ?? after.memberships[0];
}

function withMembership(key: string, m: MembershipAfter, values: UserValues = {}): UserWriteRow {
  const apps = appGrants(m);
  return { key, values, membership: grant(m), ...(apps === undefined ? {} : { apps }) };
}

interface NewRows {
  readonly create: NewUserRow[];
  readonly promote: PromoteRow[];
  readonly upsert: UserWriteRow[];
}

function createRows(item: UserPlanItem, liveVaultId: number, rows: NewRows, diagnostics: Diagnostic[]): void {
  const key = item.change.key;
  const after = item.after;
  const missing = CREATE_REQUIRED.filter((k) => after.values[k] === undefined);
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
  const values = allValues(after);
  if (after.values.domain_admin === true) values.domain_admin = true;
  const primary = primaryMembership(after, liveVaultId);
  const apps = primary === undefined ? undefined : appGrants(primary);
  rows.create.push({
    key,
    values,
    ...(primary === undefined ? {} : { membership: grant(primary) }),
    ...(apps === undefined ? {} : { apps }),
    ...(primary === undefined && item.desired?.memberships !== undefined ? { domain_only: true } : {}),
  });
  for (const m of after.memberships) if (m !== primary) rows.upsert.push(withMembership(key, m));
}

function promoteRows(item: UserPlanItem, liveVaultId: number, rows: NewRows): void {
  const key = item.change.key;
  const after = item.after;
  const primary = primaryMembership(after, liveVaultId);
  const values: PromoteRow['values'] = {};
  const v = values as MutableValues;
  for (const name of ['first_name', 'last_name', 'email', 'language', 'timezone', 'locale'] as const) {
    const value = after.values[name];
    if (typeof value === 'string') v[name] = value;
  }
  if (after.values.domain_admin === true) v.domain_admin = true;
  rows.promote.push({
    key,
    person_id: item.person_id ?? '',
    values,
    ...(primary === undefined ? {} : { security_profile: primary.security_profile, license_type: primary.license_type }),
    ...(item.references === undefined ? {} : { references: item.references }),
    ...(item.desired?.promote_fields === undefined ? {} : { fields: item.desired.promote_fields }),
  });
  // Promotion sets only the values above; the rest (policy, extra fields, every vault's
  // membership and app licences) follows as idempotent upserts keyed by user name.
  const rest: MutableValues = {};
  const policy = after.values.security_policy;
  if (typeof policy === 'string') rest.security_policy = policy;
  const fields = allValues(after).fields;
  if (fields !== undefined) rest.fields = fields;
  if (after.memberships.length === 0) {
    if (Object.keys(rest).length > 0) rows.upsert.push({ key, values: rest });
    return;
  }
  after.memberships.forEach((m, i) => rows.upsert.push(withMembership(key, m, i === 0 ? rest : {})));
}

interface ExistingRows {
  readonly bulk: UserWriteRow[];
  readonly apps: UserWriteRow[];
  readonly grants: OperationDraft[];
  readonly singles: OperationDraft[];
  readonly revokes: OperationDraft[];
}

function singleDraft(row: DomainUserRow): OperationDraft {
  return { kind: 'update_user', rows: [row] };
}

/** The single-user update of one existing user, if it needs one: domain flags and clears. */
function domainRow(key: string, userId: number, delta: UserDelta, after: UserAfter): DomainUserRow | undefined {
  const clears: string[] = [];
  // A scalar the YAML manages always has a value (the schema gives no way to clear one).
  for (const k of delta.values) if (after.values[k] === undefined) clears.push(k);
  for (const name of delta.fields) if (!settable(after.fields[name])) clears.push(name);
  const active = delta.values.includes('active') ? after.values.active : undefined;
  const admin = delta.values.includes('domain_admin') ? after.values.domain_admin : undefined;
  if (clears.length === 0 && active === undefined && admin === undefined) return undefined;
  return {
    key,
    user_id: userId,
    ...(typeof active === 'boolean' ? { active } : {}),
    ...(typeof admin === 'boolean' ? { domain_admin: admin } : {}),
    clears: clears.sort(),
  };
}

/** Values of an existing user that the bulk update sets. */
function bulkValues(delta: UserDelta, after: UserAfter): MutableValues {
  const values: MutableValues = {};
  for (const k of delta.values) {
    if (k === 'active' || k === 'domain_admin') continue;
    const value = after.values[k];
    if (typeof value === 'string') values[k] = value;
  }
  const fields: Record<string, string | number | boolean> = {};
  for (const name of delta.fields) {
    const value = after.fields[name];
    if (settable(value)) fields[name] = value;
  }
  if (Object.keys(fields).length > 0) values.fields = fields;
  return values;
}

function existingRows(item: UserPlanItem, out: ExistingRows): void {
  const live = item.live;
  if (live === undefined) return;
  const key = item.change.key;
  const { delta, after } = item;
  const single = domainRow(key, live.id, delta, after);
  if (single !== undefined) {
    const revokesAdmin = single.domain_admin === false || (single.active === false && live.domain_admin === true);
    if (revokesAdmin) out.revokes.push(singleDraft(single));
    else if (single.domain_admin === true || single.active === true) out.grants.push(singleDraft(single));
    else out.singles.push(singleDraft(single));
  }
  const vaults = new Set(delta.memberships);
  // Re-enabling at domain level leaves memberships inactive (§5.6): send the active ones again.
  if (item.change.action === 'reactivate') for (const m of after.memberships) if (m.active) vaults.add(m.vault_id);
  const values = bulkValues(delta, after);
  const changed = after.memberships.filter((m) => vaults.has(m.vault_id));
  if (changed.length === 0 && Object.keys(values).length > 0) out.bulk.push({ key, user_id: live.id, values });
  changed.forEach((m, i) => out.bulk.push({ key, user_id: live.id, values: i === 0 ? values : {}, membership: grant(m) }));
  for (const m of after.memberships) {
    const codes = delta.apps.get(m.vault_id);
    const apps = codes === undefined ? undefined : appGrants(m, codes);
    if (apps !== undefined) out.apps.push({ key, user_id: live.id, values: {}, apps });
  }
}

function grantsAdmin(draft: OperationDraft): boolean {
  return draft.rows.some((r) => 'values' in r && (r.values as UserValues).domain_admin === true);
}

/** Builds every user call, grouped in stages. */
export function buildUserOperations(items: readonly UserPlanItem[], liveVaultId: number): { stages: UserStages; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fresh: NewRows = { create: [], promote: [], upsert: [] };
  const existing: ExistingRows = { bulk: [], apps: [], grants: [], singles: [], revokes: [] };
  for (const item of items) {
    if (item.kind === 'new') createRows(item, liveVaultId, fresh, diagnostics);
    else if (item.kind === 'promote') promoteRows(item, liveVaultId, fresh);
    else existingRows(item, existing);
  }
  const create = batchDrafts({ kind: 'create_users' }, fresh.create);
  const promote = batchDrafts({ kind: 'promote_persons' }, fresh.promote);
  const grantsFirst = [...existing.grants, ...create.filter(grantsAdmin), ...promote.filter(grantsAdmin)];
  return {
    stages: {
      promote,
      create,
      upsertByName: batchDrafts({ kind: 'upsert_users', match: 'user_name' }, fresh.upsert),
      grants: existing.grants,
      singles: existing.singles,
      revokes: existing.revokes.map((d) => ({ ...d, after: grantsFirst })),
      bulkUpdate: batchDrafts({ kind: 'update_users' }, existing.bulk),
      upsertById: batchDrafts({ kind: 'upsert_users', match: 'id' }, existing.apps),
    },
    diagnostics,
  };
}
