/**
 * Licence holders who never logged in, or not for `dormant_days`, each with the YAML edit that
 * would reclaim their seats in one vault: suggested, never applied. Holders are read from the
 * listing; the edit is checked against the plan's after-state, so seats the plan already frees
 * are said to be in the plan instead of suggested twice.
 */
import type { DesiredState, DesiredUser, LiveState } from '../model.js';
import type { HeldMembership, Holder } from './holdings.js';
import type { EntryLocator, MembershipPlace } from './locate.js';
import { loginStanding } from './login.js';
import type { InactiveHolder, SuggestedEdit, Suggestion, UnknownLoginHolder } from './types.js';

const FULL = 'full__v';

function heldSeats(m: HeldMembership | undefined): { full: boolean; apps: { application: string; license_type: string }[] } {
  if (m === undefined || !m.active) return { full: false, apps: [] };
  const apps = [...m.apps].filter(([, a]) => a.active).map(([application, a]) => ({ application, license_type: a.license_type }));
  return { full: m.license_type === FULL, apps: apps.sort((a, b) => (a.application < b.application ? -1 : 1)) };
}

function holdsAny(holder: Holder | undefined, vaultId: number): boolean {
  if (holder === undefined || !holder.active) return false;
  const seats = heldSeats(holder.memberships.get(vaultId));
  return seats.full || seats.apps.length > 0;
}

function edit(at: { file: string; line: number; col: number; text: string }, what: string, current = true): SuggestedEdit {
  return { file: at.file, line: at.line, col: at.col, current: current ? at.text : null, edit: what };
}

function deactivate(place: MembershipPlace, vaultId: number): Suggestion {
  const change = place.active === undefined ? edit(place.item, `add "active: false" to this membership of vault ${vaultId}`) : edit(place.active, 'change to "active: false"');
  return { kind: 'deactivate_membership', summary: `set the membership of vault ${vaultId} inactive (frees its full__v seat and its application seats)`, edits: [change] };
}

function removeApps(place: MembershipPlace, vaultId: number): Suggestion {
  const summary = `remove the application licences of vault ${vaultId} (the membership's licence type is not full__v)`;
  if (place.apps === undefined) {
    return { kind: 'remove_apps', summary, edits: [edit(place.item, 'add "apps: {}" to this membership (apps: is then the whole set, so every app licence of this vault is made inactive)')] };
  }
  // apps: is the whole set: every code written there is a seat the plan would keep or grant.
  const edits = [...place.apps.codes].map(([code, at]) => edit(at, `remove ${code} from apps`));
  return { kind: 'remove_apps', summary, edits: edits.length > 0 ? edits : [edit(place.apps.key, 'apps: lists none here, so the plan should already remove them: run vault-roster plan')] };
}

interface SuggestContext {
  readonly desired: ReadonlyMap<string, DesiredUser>;
  readonly scope: ReadonlySet<number> | undefined;
  readonly after: ReadonlyMap<string, Holder>;
  readonly locator: EntryLocator;
}

function suggest(ctx: SuggestContext, user: string, vaultId: number, full: boolean): Suggestion {
  if (!holdsAny(ctx.after.get(user), vaultId)) return { kind: 'in_plan', summary: 'the current plan already frees these seats: apply it', edits: [] };
  const declared = ctx.desired.get(user);
  if (declared === undefined) {
    return { kind: 'undeclared', summary: `not declared in the YAML: declare the user with an inactive membership of vault ${vaultId} (vault-roster import writes today's entry), or use policy.unmanaged_users: deactivate`, edits: [] };
  }
  if (ctx.scope !== undefined && !ctx.scope.has(vaultId)) {
    return { kind: 'outside_scope', summary: `vault ${vaultId} is outside policy.scope.vaults: change it in Vault or in the repo that manages that vault`, edits: [] };
  }
  const place = ctx.locator.membership(declared, vaultId);
  if (place === undefined) {
    const at = ctx.locator.user(declared);
    return {
      kind: 'declare_membership',
      summary: `the entry does not manage its memberships: declare them, with vault ${vaultId} inactive`,
      edits: [edit(at, `add "memberships:" with "- vault: ${vaultId}" and "active: false" (memberships: is then the whole set: list every vault the user keeps)`, false)],
    };
  }
  return full ? deactivate(place, vaultId) : removeApps(place, vaultId);
}

export interface InactiveInput {
  readonly live: LiveState;
  readonly desired: DesiredState;
  readonly before: ReadonlyMap<string, Holder>;
  readonly after: ReadonlyMap<string, Holder>;
  readonly locator: EntryLocator;
  readonly vaults: ReadonlySet<number>;
  readonly asOf: string;
  readonly dormantDays: number;
}

/** Inactive licence holders (sorted by vault, then user) and holders whose last login Vault did not report. */
export function inactiveHolders(input: InactiveInput): { inactive: InactiveHolder[]; unknown: UnknownLoginHolder[] } {
  const ctx: SuggestContext = {
    desired: new Map(input.desired.users.map((u) => [u.user_name, u])),
    scope: input.desired.policy.scope_vaults === undefined ? undefined : new Set(input.desired.policy.scope_vaults),
    after: input.after,
    locator: input.locator,
  };
  const inactive: InactiveHolder[] = [];
  const unknown: UnknownLoginHolder[] = [];
  for (const [name, holder] of [...input.before].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!holder.active) continue;
    const vaults = [...holder.memberships.keys()].filter((v) => holdsAny(holder, v) && input.vaults.has(v)).sort((a, b) => a - b);
    if (vaults.length === 0) continue;
    const standing = loginStanding(name, input.live.users.get(name)?.last_login, input.asOf, input.dormantDays);
    if (standing.kind === 'recent') continue;
    if (standing.kind === 'not_reported') {
      for (const vault_id of vaults) unknown.push({ user_name: name, vault_id });
      continue;
    }
    const multi = [...holder.memberships.values()].filter((m) => m.active).length > 1;
    for (const vault_id of vaults) {
      const seats = heldSeats(holder.memberships.get(vault_id));
      inactive.push({
        user_name: name,
        vault_id,
        standing: standing.kind,
        last_login: standing.kind === 'dormant' ? standing.at : null,
        days_since_login: standing.kind === 'dormant' ? standing.days : null,
        full_license: seats.full ? FULL : null,
        apps: seats.apps,
        multi_vault: multi,
        suggestion: suggest(ctx, name, vault_id, seats.full),
      });
    }
  }
  inactive.sort((a, b) => a.vault_id - b.vault_id || (a.user_name < b.user_name ? -1 : 1));
  unknown.sort((a, b) => a.vault_id - b.vault_id || (a.user_name < b.user_name ? -1 : 1));
  return { inactive, unknown };
}
