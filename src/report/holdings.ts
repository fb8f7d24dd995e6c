/**
 * Who holds which seat, now and after the current plan. "Now" is the user listing; "after" is
 * the listing with the plan's own field changes laid over it (the plan document says what apply
 * will set, so the report reads it instead of planning a second time). A change the report cannot
 * read stops it: a count it guessed would be worse than none.
 */
import type { LiveState, LiveUser } from '../model.js';
import { parseFieldPath, type Change, type JsonValue, type Plan } from '../plan/index.js';

export interface HeldApp {
  readonly active: boolean;
  readonly license_type: string;
}

export interface HeldMembership {
  readonly active: boolean;
  readonly license_type: string;
  readonly apps: ReadonlyMap<string, HeldApp>;
}

/** A user as far as seats go: domain-active or not, and each vault's membership. */
export interface Holder {
  readonly user_name: string;
  readonly active: boolean;
  readonly memberships: ReadonlyMap<number, HeldMembership>;
}

/** One seat: a vault licence type (`application` null) or an application licence, in one vault. */
export interface SeatKey {
  readonly vault_id: number;
  readonly application: string | null;
  readonly license_type: string;
}

export function holderOf(user: LiveUser): Holder {
  const memberships = new Map<number, HeldMembership>();
  for (const m of user.memberships) {
    const apps = new Map(Object.entries(m.apps ?? {}).map(([code, app]) => [code, { active: app.active, license_type: app.license_type }]));
    memberships.set(m.vault_id, { active: m.active, license_type: m.license_type, apps });
  }
  return { user_name: user.user_name, active: user.active !== false, memberships };
}

/** Seats a holder takes: in each active membership of an active user, its licence type and each active app. */
export function seatsHeld(holder: Holder): SeatKey[] {
  if (!holder.active) return [];
  const seats: SeatKey[] = [];
  for (const [vault_id, m] of holder.memberships) {
    if (!m.active) continue;
    seats.push({ vault_id, application: null, license_type: m.license_type });
    for (const [code, app] of m.apps) if (app.active) seats.push({ vault_id, application: code, license_type: app.license_type });
  }
  return seats;
}

function unreadable(change: Change, path: string, value: JsonValue): Error {
  return new Error(`the plan's change of ${change.key} at ${path} has a value the seat report cannot read: ${JSON.stringify(value).slice(0, 120)}`);
}

interface Draft {
  active: boolean;
  memberships: Map<number, { active?: boolean; license_type?: string; apps: Map<string, HeldApp> }>;
}

function draftOf(holder: Holder | undefined): Draft {
  const memberships = new Map<number, { active?: boolean; license_type?: string; apps: Map<string, HeldApp> }>();
  for (const [id, m] of holder?.memberships ?? []) memberships.set(id, { active: m.active, license_type: m.license_type, apps: new Map(m.apps) });
  // A user the plan creates (or promotes) is active unless a change says otherwise.
  return { active: holder?.active ?? true, memberships };
}

function setMembershipField(draft: Draft, change: Change, path: string, segments: readonly string[], value: JsonValue): void {
  const vaultId = Number(segments[1]);
  if (!Number.isInteger(vaultId)) throw unreadable(change, path, value);
  let m = draft.memberships.get(vaultId);
  if (m === undefined) {
    m = { apps: new Map() };
    draft.memberships.set(vaultId, m);
  }
  const field = segments[2];
  if (field === 'active') {
    if (typeof value !== 'boolean') throw unreadable(change, path, value);
    m.active = value;
  } else if (field === 'license_type') {
    if (typeof value !== 'string') throw unreadable(change, path, value);
    m.license_type = value;
  } else if (field === 'apps' && segments[3] !== undefined) {
    if (value === null) m.apps.delete(segments[3]);
    else if (typeof value === 'object' && !Array.isArray(value) && typeof value.active === 'boolean' && typeof value.license_type === 'string') {
      m.apps.set(segments[3], { active: value.active, license_type: value.license_type });
    } else throw unreadable(change, path, value);
  }
  // Other membership fields (security profile, time boxes) take no seat.
}

function applyChange(draft: Draft, change: Change): void {
  for (const field of change.fields) {
    const segments = parseFieldPath(field.path);
    if (segments[0] === 'active' && segments.length === 1) {
      if (typeof field.after !== 'boolean') throw unreadable(change, field.path, field.after);
      draft.active = field.after;
    } else if (segments[0] === 'memberships') {
      setMembershipField(draft, change, field.path, segments, field.after);
    }
  }
}

function finish(userName: string, draft: Draft): Holder {
  const memberships = new Map<number, HeldMembership>();
  for (const [id, m] of draft.memberships) {
    // A new membership's licence type always travels in the plan (desired memberships are
    // normalised); one missing would mean a change this report does not understand.
    if (m.license_type === undefined || m.active === undefined) {
      throw new Error(`the plan gives ${userName} a membership of vault ${id} without its ${m.license_type === undefined ? 'license_type' : 'active'}; the seat report cannot count it`);
    }
    memberships.set(id, { active: m.active, license_type: m.license_type, apps: m.apps });
  }
  return { user_name: userName, active: draft.active, memberships };
}

/** Every user's seats now (from the listing) and after the plan, keyed by lower-cased user name. */
export function holdersBeforeAndAfter(live: LiveState, plan: Plan): { before: Map<string, Holder>; after: Map<string, Holder> } {
  const before = new Map<string, Holder>();
  for (const [name, user] of live.users) before.set(name, holderOf(user));
  const after = new Map(before);
  for (const change of plan.changes) {
    if (change.subject !== 'user') continue;
    const draft = draftOf(before.get(change.key));
    applyChange(draft, change);
    after.set(change.key, finish(change.key, draft));
  }
  return { before, after };
}
