/**
 * Identity collisions and the roster scope (`policy.scope.vaults`), applied while desired users
 * are compared with live ones (diff-users.ts).
 */
import type { Diagnostic } from '../diagnostics.js';
import { normaliseIdentity, type DesiredUser, type LiveState, type LiveUser, type Membership, type Policy } from '../model.js';

function positionOf(user: DesiredUser): Pick<Diagnostic, 'position'> {
  return { position: { file: user.source.file, line: user.source.line, col: user.source.col } };
}

function emailOf(user: { readonly email?: string | undefined }): string | undefined {
  const email = user.email === undefined ? undefined : normaliseIdentity(user.email);
  return email === undefined || email === '' ? undefined : email;
}

/** Two declared users with one email: Vault would hold two accounts for one person. */
export function duplicateEmails(users: readonly DesiredUser[]): Diagnostic[] {
  // One entry per email, and a list only for an email seen twice: this runs over every declared user.
  const first = new Map<string, DesiredUser>();
  const shared = new Map<string, DesiredUser[]>();
  for (const user of users) {
    const email = emailOf(user);
    if (email === undefined) continue;
    const earlier = first.get(email);
    if (earlier === undefined) first.set(email, user);
    else {
      const group = shared.get(email);
      if (group === undefined) shared.set(email, [earlier, user]);
      else group.push(user);
    }
  }
  const out: Diagnostic[] = [];
  for (const email of first.keys()) {
    const group = shared.get(email);
    if (group === undefined) continue;
    for (const user of group) {
      const others = group.filter((u) => u !== user).map((u) => `${u.user_name} (${u.source.file}:${u.source.line})`);
      out.push({
        severity: 'error',
        code: 'duplicate-email',
        summary: `email ${email} of ${user.user_name} is also declared for ${others.join(', ')}`,
        hint: 'give each person one user, or correct the email',
        ...positionOf(user),
        subject: { user: user.user_name, field: 'email' },
      });
    }
  }
  return out;
}

/** Live users by email; built only when a new user needs it. */
function liveByEmail(live: LiveState): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const user of live.users.values()) {
    const email = emailOf(user);
    if (email === undefined) continue;
    const names = index.get(email);
    if (names === undefined) index.set(email, [user.user_name]);
    else names.push(user.user_name);
  }
  return index;
}

/** A new user whose email belongs to an existing live user under another name: most likely the same person. */
export function emailsOfOtherUsers(newUsers: readonly DesiredUser[], live: LiveState): Diagnostic[] {
  const withEmail = newUsers.filter((u) => emailOf(u) !== undefined);
  if (withEmail.length === 0) return [];
  const index = liveByEmail(live);
  return withEmail.flatMap((user): Diagnostic[] => {
    const owners = (index.get(emailOf(user) ?? '') ?? []).filter((name) => name !== user.user_name);
    if (owners.length === 0) return [];
    return [
      {
        severity: 'error',
        code: 'email-of-other-user',
        summary: `new user ${user.user_name} has the email of existing Vault user${owners.length === 1 ? '' : 's'} ${owners.join(', ')}`,
        hint: `declare the existing user ${owners[0] ?? ''} instead (set active: true to reactivate it), or correct the email`,
        ...positionOf(user),
        subject: { user: user.user_name, field: 'email' },
      },
    ];
  });
}

export interface Scope {
  readonly vaults: ReadonlySet<number>;
  readonly text: string;
}

export function scopeOf(policy: Policy): Scope | undefined {
  if (policy.scope_vaults === undefined) return undefined;
  return { vaults: new Set(policy.scope_vaults), text: policy.scope_vaults.join(', ') };
}

/** Declared memberships of vaults outside the scope: errors, since this repo says it does not manage them. */
export function outsideScope(user: DesiredUser, scope: Scope): Diagnostic[] {
  return (user.memberships ?? [])
    .filter((m) => !scope.vaults.has(m.vault_id))
    .map((m) => ({
      severity: 'error' as const,
      code: 'membership-outside-scope' as const,
      summary: `${user.user_name} declares a membership of vault ${m.vault_id}, outside policy.scope.vaults (${scope.text})`,
      hint: `add ${m.vault_id} to policy.scope.vaults in roster.yaml, or remove the membership from this repo`,
      ...positionOf(user),
      subject: { user: user.user_name, field: `memberships[${m.vault_id}]`, vault_id: m.vault_id },
    }));
}

function withoutApps(m: Membership): Membership {
  const { apps: _apps, ...parts } = m;
  return parts;
}

/**
 * The desired user with the live memberships of vaults outside the scope added as they are, so
 * that "a live membership the YAML does not list is turned inactive" applies only within the scope.
 */
export function keepOutsideScope(user: DesiredUser, current: LiveUser, scope: Scope): DesiredUser {
  if (user.memberships === undefined) return user;
  const listed = new Set(user.memberships.map((m) => m.vault_id));
  const kept = current.memberships.filter((m) => !scope.vaults.has(m.vault_id) && !listed.has(m.vault_id)).map(withoutApps);
  if (kept.length === 0) return user;
  return { ...user, memberships: [...user.memberships, ...kept].sort((a, b) => a.vault_id - b.vault_id) };
}

/** An unmanaged user's memberships with those of the scope turned inactive (apps left unmanaged). */
export function scopedDeactivation(user: LiveUser, scope: Scope): { memberships: Membership[]; vaults: number[] } {
  const vaults = user.memberships.filter((m) => m.active && scope.vaults.has(m.vault_id)).map((m) => m.vault_id);
  const off = new Set(vaults);
  const memberships = user.memberships.map((m) => ({ ...withoutApps(m), active: off.has(m.vault_id) ? false : m.active }));
  return { memberships, vaults: vaults.sort((a, b) => a - b) };
}
