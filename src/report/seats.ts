/**
 * Seat rows per vault, application and licence type: Vault's figures where its licence usage
 * answered (the session's vault only, VAULT-API.md §5.10), else counts of the user listing marked
 * unverified; and what the current plan changes, checked against the plan's own seat preview.
 */
import type { LiveState } from '../model.js';
import type { Plan } from '../plan/index.js';
import { seatsHeld, type Holder, type SeatKey } from './holdings.js';
import type { SeatRow } from './types.js';

function keyOf(seat: SeatKey): string {
  return `${seat.vault_id}\u0000${seat.application ?? ''}\u0000${seat.license_type}`;
}

function count(holders: ReadonlyMap<string, Holder>): Map<string, { seat: SeatKey; n: number }> {
  const counts = new Map<string, { seat: SeatKey; n: number }>();
  for (const holder of holders.values()) {
    for (const seat of seatsHeld(holder)) {
      const entry = counts.get(keyOf(seat)) ?? { seat, n: 0 };
      entry.n += 1;
      counts.set(keyOf(seat), entry);
    }
  }
  return counts;
}

/**
 * The report's application seat changes must be the plan's own preview, both ways: a difference
 * is a defect of this report, never shown as a figure.
 */
function checkAgainstPreview(plan: Plan, changed: ReadonlyMap<string, number>): void {
  const preview = new Map((plan.seats ?? []).map((r) => [keyOf({ vault_id: r.vault_id, application: r.application, license_type: r.license_type }), r.change]));
  for (const key of new Set([...preview.keys(), ...changed.keys()])) {
    if ((preview.get(key) ?? 0) !== (changed.get(key) ?? 0)) {
      throw new Error(`seat report and plan disagree on ${key.split('\u0000').join(' ')}: ${changed.get(key) ?? 0} vs ${preview.get(key) ?? 0}`);
    }
  }
}

function unverifiedNote(seat: SeatKey, sessionVault: number): string {
  if (seat.application === null) return 'counted from the user listing: Vault reports no usage figures for vault licence types';
  if (seat.vault_id !== sessionVault) return `counted from the user listing: Vault reports licence usage only for the session's vault (${sessionVault})`;
  return "counted from the user listing: Vault's licence usage does not list this application and licence type";
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rows for `vaults`, sorted by vault, then vault licence types before applications. */
export function seatRows(live: LiveState, plan: Plan, holders: { before: ReadonlyMap<string, Holder>; after: ReadonlyMap<string, Holder> }, vaults: ReadonlySet<number>): SeatRow[] {
  const before = count(holders.before);
  const after = count(holders.after);
  const change = (key: string): number => (after.get(key)?.n ?? 0) - (before.get(key)?.n ?? 0);
  const appChanges = new Map<string, number>();
  for (const [key, { seat }] of [...before, ...after]) if (seat.application !== null && change(key) !== 0) appChanges.set(key, change(key));
  checkAgainstPreview(plan, appChanges);
  const reported = new Map(
    live.licenses.map((u) => [keyOf({ vault_id: live.vault_id, application: u.application, license_type: u.license_type }), u]),
  );
  const seats = new Map<string, SeatKey>();
  for (const [key, { seat }] of [...before, ...after]) seats.set(key, seat);
  for (const u of live.licenses) {
    const seat = { vault_id: live.vault_id, application: u.application, license_type: u.license_type };
    seats.set(keyOf(seat), seat);
  }
  const rows: SeatRow[] = [];
  for (const [key, seat] of seats) {
    if (!vaults.has(seat.vault_id)) continue;
    const counted = before.get(key)?.n ?? 0;
    const delta = change(key);
    const figures = reported.get(key);
    if (figures === undefined) {
      rows.push({ ...seat, licensed: null, used: counted, counted, change: delta, after: counted + delta, verified: false, note: unverifiedNote(seat, live.vault_id) });
      continue;
    }
    const differs = figures.used === counted ? null : `Vault reports ${figures.used} used; the user listing shows ${counted}`;
    rows.push({ ...seat, licensed: figures.licensed, used: figures.used, counted, change: delta, after: figures.used + delta, verified: true, note: differs });
  }
  // A licence type nobody holds, has or will hold says nothing (Vault lists every type of every app).
  return rows.filter((r) => r.used > 0 || r.counted > 0 || r.after > 0 || (r.licensed ?? 0) > 0).sort(
    (a, b) => a.vault_id - b.vault_id || (a.application === null ? 0 : 1) - (b.application === null ? 0 : 1) || cmp(a.application ?? '', b.application ?? '') || cmp(a.license_type, b.license_type),
  );
}
