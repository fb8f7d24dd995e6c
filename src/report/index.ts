/**
 * `vault-roster report seats`: licence seats per vault and application (licensed, used, used after
 * the current plan) and the full or application licence holders who never logged in or have not
 * for N days, with the YAML edits that would reclaim their seats, suggested and never applied.
 *
 * Everything here is a pure function of the desired state, the live state and the plan made from
 * them, except `createLocator`, which re-reads (and checks) the users files for line numbers.
 */
import type { DesiredState, LiveState } from '../model.js';
import { countBlockingDiagnostics, type Plan } from '../plan/index.js';
import { holdersBeforeAndAfter } from './holdings.js';
import { inactiveHolders } from './inactive.js';
import type { EntryLocator } from './locate.js';
import { seatRows } from './seats.js';
import { SEAT_REPORT_FORMAT, type SeatReport } from './types.js';

export * from './types.js';
export { daysSinceLogin, loginStanding, type LoginStanding } from './login.js';
export { createLocator, type EntryLocator, type MembershipPlace, type Place } from './locate.js';
export { renderSeatReport, type SeatReportFormat, SEAT_REPORT_FORMATS } from './render.js';

/** Days without a login that make a licence holder inactive, unless --days says otherwise. */
export const DEFAULT_DORMANT_DAYS = 90;

/** Vault's documentation does not say which vault's login `last_login__v` reflects. */
export const MULTI_VAULT_LOGIN_NOTE =
  "last_login__v is one value per user for the whole domain; which vault's login it reflects for a user with memberships of several vaults is not documented, so such a user marked here may still use this vault: check Admin > Users in that vault before reclaiming.";

export interface SeatReportInput {
  readonly desired: DesiredState;
  readonly live: LiveState;
  /** The current plan, made from the same desired and live state. */
  readonly plan: Plan;
  readonly locator: EntryLocator;
  readonly server: string;
  /** One vault only (`--vault`); undefined = every vault of the domain. */
  readonly vault_id: number | undefined;
  readonly dormant_days: number;
}

export function buildSeatReport(input: SeatReportInput): SeatReport {
  const { live, plan } = input;
  const vaultIds = input.vault_id === undefined ? [...live.vault_ids].sort((a, b) => a - b) : [input.vault_id];
  const vaults = new Set(vaultIds);
  const holders = holdersBeforeAndAfter(live, plan);
  const seats = seatRows(live, plan, holders, vaults);
  const { inactive, unknown } = inactiveHolders({ ...input, ...holders, vaults, asOf: plan.created_at, dormantDays: input.dormant_days });
  const errors = countBlockingDiagnostics(plan);
  const notes: string[] = [];
  if (inactive.some((h) => h.multi_vault)) notes.push(MULTI_VAULT_LOGIN_NOTE);
  if (unknown.length > 0) notes.push('Vault did not report last_login__v for some licence holders: they are listed apart, neither inactive nor active.');
  if (errors > 0) notes.push(`The current plan has ${errors} error(s) or held-back entries: "after plan" assumes it is fixed and applied as shown; run vault-roster plan to see them.`);
  return {
    format_version: SEAT_REPORT_FORMAT,
    kind: 'seat_report',
    as_of: plan.created_at,
    server: input.server,
    session_vault_id: live.vault_id,
    vault_ids: vaultIds,
    dormant_days: input.dormant_days,
    plan: { changes: plan.changes.length, blocking: errors, applicable: errors === 0 },
    seats,
    inactive,
    login_not_reported: unknown,
    suggestions_not_applied: true,
    notes,
  };
}
