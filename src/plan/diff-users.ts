/**
 * Desired users against live users: one change per user that differs, the unmanaged-user
 * policy, Clinical promotions, and the diagnostics only this comparison can see.
 */
import type { Diagnostic } from '../diagnostics.js';
import {
  normaliseIdentity,
  PROMOTE_REFERENCES,
  type DesiredState,
  type DesiredUser,
  type LiveState,
  type LiveUser,
  type PromoteReference,
  type PromoteReferenceIds,
} from '../model.js';
import { liveRecordDigest } from './digest.js';
import { duplicateEmails, emailsOfOtherUsers, keepOutsideScope, outsideScope, scopedDeactivation, scopeOf, type Scope } from './guards-identity.js';
import { risksOf } from './risks.js';
import { diffTrees, restrictToTarget } from './trees.js';
import type { Change, ChangeAction, FieldChange, PromoteRow } from './types.js';
import { deactivated, userChange, type UserAfter, type UserDelta } from './user-delta.js';
import { liveUserTree, userMatches, userTargetTree } from './user-trees.js';

/** A user change plus what the operation builder and guards need to act on it. */
export interface UserPlanItem {
  readonly change: Change;
  readonly kind: 'new' | 'promote' | 'existing';
  readonly live?: LiveUser;
  readonly desired?: DesiredUser;
  /** The user as it will be after apply (live merged with the target). */
  readonly after: UserAfter;
  readonly delta: UserDelta;
  readonly person_id?: string;
  /** Record ids a promotion sends instead of names (roster.yaml `vault.promote_reference_ids`). */
  readonly references?: PromoteRow['references'];
}

export interface UserDiff {
  readonly items: UserPlanItem[];
  readonly unchanged: number;
  readonly unmanaged: number;
  readonly diagnostics: Diagnostic[];
  /** Users by name, and Clinical persons by id, the plan relied on. */
  readonly digests: { readonly users: Record<string, string | null>; readonly persons: Record<string, string | null> };
}

/** How many unmanaged user names a `report` diagnostic lists before "and N more". */
const REPORT_LIST_LIMIT = 20;

function positionOf(user: DesiredUser): Pick<Diagnostic, 'position'> {
  return { position: { file: user.source.file, line: user.source.line, col: user.source.col } };
}

function existingAction(fields: readonly FieldChange[]): ChangeAction {
  const active = fields.find((f) => f.path === 'active');
  if (active?.after === false) return 'deactivate';
  if (active?.after === true) return 'reactivate';
  return 'update';
}

function existingReason(action: ChangeAction, fields: readonly FieldChange[], where: string): string {
  if (action === 'deactivate') return `active: false in ${where}`;
  if (action === 'reactivate') return `active: true in ${where}; memberships are re-activated too (Vault does not do it)`;
  return fields.length === 1 ? `1 managed field differs from ${where}` : `${fields.length} managed fields differ from ${where}`;
}

function where(user: DesiredUser): string {
  return `${user.source.file}:${user.source.line}`;
}

interface KnownReferences {
  readonly vaults: ReadonlySet<number>;
  readonly policies: ReadonlySet<string>;
}

function checkReferences(user: DesiredUser, live: LiveState, known: KnownReferences, out: Diagnostic[]): void {
  if (known.vaults.size > 0) {
    for (const m of user.memberships ?? []) {
      if (known.vaults.has(m.vault_id)) continue;
      out.push({
        severity: 'error',
        code: 'unknown-vault',
        summary: `vault ${m.vault_id} is not a vault of this domain`,
        hint: `use one of the domain's vault ids: ${[...live.vault_ids].sort((a, b) => a - b).join(', ')}`,
        ...positionOf(user),
        subject: { user: user.user_name, field: `memberships[${m.vault_id}]`, vault_id: m.vault_id },
      });
    }
  }
  if (user.security_policy !== undefined && known.policies.size > 0) {
    if (!known.policies.has(user.security_policy.trim())) {
      out.push({
        severity: 'error',
        code: 'unknown-security-policy',
        summary: `security policy '${user.security_policy}' does not exist in this domain`,
        hint: `use the name__v of an existing policy: ${[...live.security_policies].sort().join(', ')}`,
        ...positionOf(user),
        subject: { user: user.user_name, field: 'security_policy' },
      });
    }
  }
}

function planNewUser(user: DesiredUser, live: LiveState, out: UserDiff, referenceIds: PromoteReferenceIds | undefined): void {
  if (user.active === false) {
    out.diagnostics.push({
      severity: 'info',
      code: 'inactive-user-not-created',
      summary: `user ${user.user_name} is declared inactive and does not exist in Vault; nothing to do`,
      hint: 'remove the user from YAML, or set active: true to create it',
      ...positionOf(user),
      subject: { user: user.user_name, field: 'active' },
    });
    return;
  }
  const target = userTargetTree(user, undefined);
  const fields = diffTrees({}, target);
  const personId = user.promote_from_person;
  if (personId !== undefined) {
    const person = live.persons.get(personId);
    out.digests.persons[personId] = liveRecordDigest(person);
    if (person === undefined || person.user_id !== null) {
      const missing = person === undefined;
      out.diagnostics.push({
        severity: 'warning',
        code: missing ? 'promote-person-not-found' : 'promote-person-has-user',
        summary: missing
          ? `Clinical person ${personId} does not exist, so ${user.user_name} cannot be promoted from it`
          : `Clinical person ${personId} already has a user (${String(person.user_id)}), so ${user.user_name} is not promoted`,
        hint: missing
          ? 'check promote_from_person against person__sys ids, or remove it to create the user directly'
          : 'remove promote_from_person, or point it at a person without a user',
        ...positionOf(user),
        subject: { user: user.user_name, field: 'promote_from_person' },
      });
      return;
    }
    const references = promoteReferences(user, live.vault_id, referenceIds);
    if (!references.ok) {
      out.diagnostics.push(...references.diagnostics);
      return;
    }
    out.digests.users[user.user_name] = null;
    const change: Change = {
      subject: 'user',
      key: user.user_name,
      action: 'promote',
      fields,
      reason: `not in Vault; promoted from Clinical person ${personId} (${where(user)})`,
      risks: risksOf('promote', fields),
      source: user.source,
    };
    out.items.push({
      change,
      kind: 'promote',
      desired: user,
      ...userChange(user, undefined),
      person_id: personId,
      ...(references.ids === undefined ? {} : { references: references.ids }),
    });
    return;
  }
  out.digests.users[user.user_name] = null;
  const change: Change = {
    subject: 'user',
    key: user.user_name,
    action: 'create',
    fields,
    reason: `not in Vault; declared in ${where(user)}`,
    risks: risksOf('create', fields),
    source: user.source,
  };
  out.items.push({ change, kind: 'new', desired: user, ...userChange(user, undefined) });
}

function planExistingUser(user: DesiredUser, current: LiveUser, out: UserDiff): boolean {
  if (userMatches(user, current)) return false;
  const target = userTargetTree(user, current);
  const liveTree = liveUserTree(current);
  const restricted = restrictToTarget(liveTree, target);
  if (restricted.equal) return false;
  const fields = diffTrees(restricted.tree, target);
  if (fields.length === 0) return false;
  const action = existingAction(fields);
  out.digests.users[user.user_name] = liveRecordDigest(current);
  const change: Change = {
    subject: 'user',
    key: user.user_name,
    action,
    fields,
    reason: existingReason(action, fields, where(user)),
    risks: risksOf(action, fields),
    source: user.source,
  };
  out.items.push({ change, kind: 'existing', live: current, desired: user, ...userChange(user, current) });
  return true;
}

function planUnmanaged(users: readonly DesiredUser[], desired: DesiredState, live: LiveState, out: UserDiff): number {
  const declared = new Set(users.map((u) => u.user_name));
  const protectedUsers = new Set(desired.policy.protected_users);
  const scope = scopeOf(desired.policy);
  // Within a scope, a user with no membership of its vaults is another repo's business.
  const unmanaged = [...live.users.values()]
    .filter((u) => !declared.has(u.user_name) && (scope === undefined || u.memberships.some((m) => scope.vaults.has(m.vault_id))))
    .sort((a, b) => (a.user_name < b.user_name ? -1 : 1));
  const activeOnes = unmanaged.filter((u) => u.active !== false);
  const policy = desired.policy.unmanaged_users;
  if (policy === 'report' && activeOnes.length > 0) {
    const names = activeOnes.slice(0, REPORT_LIST_LIMIT).map((u) => u.user_name);
    const more = activeOnes.length - names.length;
    out.diagnostics.push({
      severity: 'warning',
      code: 'unmanaged-users',
      summary: `${activeOnes.length} active Vault user${activeOnes.length === 1 ? ' is' : 's are'} not in the desired state: ${names.join(', ')}${more > 0 ? `, and ${more} more` : ''}`,
      hint: 'declare them in YAML (vault-roster import can write them), or set policy.unmanaged_users to ignore or deactivate',
    });
  }
  if (policy === 'deactivate') {
    const spared: string[] = [];
    const scoped: string[] = [];
    for (const u of activeOnes) {
      // Never sweep away the tool's own account or a protected one just because YAML omits it.
      if (u.user_name === live.authenticated_user || protectedUsers.has(u.user_name)) {
        spared.push(u.user_name);
        continue;
      }
      if (scope !== undefined) {
        if (deactivateInScope(u, scope, out)) scoped.push(u.user_name);
        continue;
      }
      const fields: FieldChange[] = [{ path: 'active', before: true, after: false }];
      out.digests.users[u.user_name] = liveRecordDigest(u);
      out.items.push({
        change: {
          subject: 'user',
          key: u.user_name,
          action: 'deactivate',
          fields,
          reason: 'not declared in any desired file (policy.unmanaged_users: deactivate)',
          risks: risksOf('deactivate', fields),
        },
        kind: 'existing',
        live: u,
        ...deactivated(u),
      });
    }
    if (scope !== undefined && scoped.length > 0) out.diagnostics.push(scopeNote(scoped, scope));
    if (spared.length > 0) {
      out.diagnostics.push({
        severity: 'info',
        code: 'unmanaged-user-spared',
        summary: `not deactivated although undeclared (authenticated or protected): ${spared.join(', ')}`,
        hint: 'declare these users in YAML to manage them',
      });
    }
  }
  return unmanaged.length;
}

/**
 * Within a scope, an unmanaged user loses the memberships of the scope's vaults; the domain
 * account and other vaults' memberships stay as they are. False when the user has none there.
 */
function deactivateInScope(u: LiveUser, scope: Scope, out: UserDiff): boolean {
  const { memberships, vaults } = scopedDeactivation(u, scope);
  if (vaults.length === 0) return false;
  const fields: FieldChange[] = vaults.map((v) => ({ path: `memberships[${v}].active`, before: true, after: false }));
  out.digests.users[u.user_name] = liveRecordDigest(u);
  out.items.push({
    change: {
      subject: 'user',
      key: u.user_name,
      action: 'update',
      fields,
      reason: `not declared in any desired file (policy.unmanaged_users: deactivate within policy.scope.vaults ${scope.text}): membership of vault ${vaults.join(', ')} deactivated; the domain account stays active`,
      risks: risksOf('update', fields),
    },
    kind: 'existing',
    live: u,
    ...userChange({ user_name: u.user_name, memberships }, u),
  });
  return true;
}

function scopeNote(names: readonly string[], scope: Scope): Diagnostic {
  const shown = names.slice(0, REPORT_LIST_LIMIT).join(', ');
  const more = names.length > REPORT_LIST_LIMIT ? `, and ${names.length - REPORT_LIST_LIMIT} more` : '';
  return {
    severity: 'info',
    code: 'unmanaged-scope-deactivation',
    summary: `${names.length} undeclared user${names.length === 1 ? ' loses' : 's lose'} their memberships of vaults ${scope.text} only (policy.scope.vaults); domain accounts and other vaults are untouched: ${shown}${more}`,
    hint: 'declare these users in YAML to keep their access, or set policy.unmanaged_users to report',
  };
}

/**
 * The record ids a promotion sends for its language, locale and security profile, for the
 * categories `vault.promote_reference_ids` lists; a value a listed category has no id for is an
 * error (sending the name to a Vault that wants ids would fail at apply).
 */
function promoteReferences(
  user: DesiredUser,
  sessionVaultId: number,
  referenceIds: PromoteReferenceIds | undefined,
): { ok: true; ids?: PromoteRow['references'] } | { ok: false; diagnostics: Diagnostic[] } {
  if (referenceIds === undefined) return { ok: true };
  const memberships = user.memberships ?? [];
  const primary = memberships.find((m) => m.vault_id === sessionVaultId) ?? memberships[0];
  const values: Record<PromoteReference, string | undefined> = { language: user.language, locale: user.locale, security_profile: primary?.security_profile };
  const ids: Partial<Record<PromoteReference, string>> = {};
  const diagnostics: Diagnostic[] = [];
  for (const category of PROMOTE_REFERENCES) {
    const table = referenceIds[category];
    const value = values[category];
    if (table === undefined || value === undefined) continue;
    const id = table[value];
    if (id !== undefined) ids[category] = id;
    else
      diagnostics.push({
        severity: 'error',
        code: 'promote-reference-id-missing',
        summary: `vault.promote_reference_ids.${category} has no record id for ${JSON.stringify(value)}, which the promotion of ${user.user_name} sends`,
        hint: `add ${JSON.stringify(value)} with its ${category}__sys record id under vault.promote_reference_ids.${category} in roster.yaml`,
        ...positionOf(user),
        subject: { user: user.user_name, field: category },
      });
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  return Object.keys(ids).length === 0 ? { ok: true } : { ok: true, ids };
}

/** Compares every desired user with Vault and applies the unmanaged-user policy. */
export function diffUsers(desired: DesiredState, live: LiveState): UserDiff {
  const out: UserDiff = { items: [], unchanged: 0, unmanaged: 0, diagnostics: [], digests: { users: {}, persons: {} } };
  let unchanged = 0;
  // Loaders lower-case identities already; doing it again here keeps the planner safe on its own.
  const users = desired.users.map((u) => {
    const key = normaliseIdentity(u.user_name);
    return key === u.user_name ? u : { ...u, user_name: key };
  });
  // Empty lists mean the reader could not see them; then nothing can be checked.
  const known: KnownReferences = { vaults: new Set(live.vault_ids), policies: new Set(live.security_policies) };
  const scope = scopeOf(desired.policy);
  out.diagnostics.push(...duplicateEmails(users));
  for (const user of users) {
    checkReferences(user, live, known, out.diagnostics);
    if (scope !== undefined) out.diagnostics.push(...outsideScope(user, scope));
    const current = live.users.get(user.user_name);
    if (current === undefined) planNewUser(user, live, out, desired.target.promote_reference_ids);
    else if (!planExistingUser(scope === undefined ? user : keepOutsideScope(user, current, scope), current, out)) unchanged++;
  }
  // Only users the plan creates or promotes: one held back (a diagnostic already) creates nothing.
  const created = out.items.flatMap((i) => (i.kind !== 'existing' && i.desired !== undefined ? [i.desired] : []));
  out.diagnostics.push(...emailsOfOtherUsers(created, live));
  const unmanaged = planUnmanaged(users, desired, live, out);
  return { ...out, unchanged, unmanaged };
}
