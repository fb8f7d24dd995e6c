/**
 * Which changes of a plan only withdraw access whose time box ended, and may therefore be applied
 * by the scheduled expiry job without a pull request. Pure, so the rule is table-tested.
 *
 * The plan marks no change as "caused by expiry"; what it does carry (src/plan/timebox.ts and
 * withGrantNotes in src/plan/index.ts) is the clock's note at the start of the change's reason,
 * "user expired on DATE (file:line…)" or "membership of vault N expired on DATE (file:line…)".
 * A change counts as expiry-driven only when ALL of these hold:
 * - it is a user change, and every field it changes is a switch from true to false of either
 *   `active` (action deactivate) with a "user expired on" note, or `memberships[N].active` with a
 *   "membership of vault N expired on" note for that same N;
 * - every operation row for that user sends nothing else: `active: false` with no clears, or
 *   empty values plus that vault's membership with `active: false` (its profile and licence are
 *   the live ones, which the plan copies so the expiry only switches access off).
 * Anything else (other fields, not-yet-valid grants, SiteVault or group changes, error
 * diagnostics, rows for other users) makes the plan not expiry-only, and nothing is applied.
 */

const DATE = '(\\d{4}-\\d{2}-\\d{2})';
/** The plan JSON format these rules were written for (src/plan/types.ts PLAN_FORMAT_VERSION). */
export const PLAN_FORMAT = 2;

function noteFor(reason, what) {
  const escaped = what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|; )${escaped} expired on ${DATE} \\(`).exec(reason);
}

/** The expiry a field change stands for, or a reason why it is not one. */
function fieldExpiry(change, field) {
  if (field.before !== true || field.after !== false) return { why: `${field.path} ${JSON.stringify(field.before)} → ${JSON.stringify(field.after)}` };
  if (field.path === 'active') {
    const note = change.action === 'deactivate' ? noteFor(change.reason, 'user') : null;
    return note === null ? { why: 'a deactivation no "user expired on" note explains' } : { expiry: { what: 'user', date: note[1] } };
  }
  const membership = /^memberships\[(\d+)\]\.active$/.exec(field.path);
  if (membership === null) return { why: `${field.path} changes` };
  const what = `membership of vault ${membership[1]}`;
  const note = noteFor(change.reason, what);
  return note === null ? { why: `${field.path} → false with no "${what} expired on" note` } : { expiry: { what, date: note[1], vault_id: Number(membership[1]) } };
}

/** @returns {{ expiries: object[] } | { why: string }} */
function changeExpiries(change) {
  if (change?.subject !== 'user') return { why: `a ${change?.subject ?? 'unknown'} change` };
  const fields = Array.isArray(change.fields) ? change.fields : [];
  if (fields.length === 0) return { why: `${change.action} with no field changes` };
  const expiries = [];
  for (const field of fields) {
    const found = fieldExpiry(change, field);
    if (found.why !== undefined) return { why: found.why };
    expiries.push({ ...found.expiry, user: change.key, reason: change.reason });
  }
  return { expiries };
}

function isEmptyObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** Why an operation row sends more than switching off the user's expired grants, or undefined. */
function rowExcess(row, vaults, userExpired) {
  for (const [name, value] of Object.entries(row)) {
    if (name === 'key' || name === 'user_id') continue;
    if (name === 'active' && value === false && userExpired) continue;
    if (name === 'clears' && Array.isArray(value) && value.length === 0) continue;
    if (name === 'values' && isEmptyObject(value)) continue;
    if (name === 'membership' && value?.active === false && vaults.has(value.vault_id)) {
      const extra = Object.keys(value).filter((k) => !['vault_id', 'active', 'security_profile', 'license_type'].includes(k));
      if (extra.length === 0) continue;
    }
    return `it also sends ${name}`;
  }
  return undefined;
}

/**
 * Splits a plan into expiries and everything else.
 * @returns {{ expiries: {user: string, what: string, date: string, reason: string}[],
 *   others: {key: string, subject: string, action: string, why: string}[], blockers: string[], expiryOnly: boolean }}
 */
export function classifyPlan(plan) {
  const expiries = [];
  const others = [];
  const blockers = [];
  if (plan?.format_version !== PLAN_FORMAT) blockers.push(`plan format_version ${JSON.stringify(plan?.format_version)}: this script reads format ${PLAN_FORMAT} only (update the Action)`);
  if (plan?.settings?.mode !== 'full') blockers.push(`a ${String(plan?.settings?.mode)} plan: only a full plan (plan without --drift) is applied`);
  const byUser = new Map();
  for (const change of Array.isArray(plan?.changes) ? plan.changes : []) {
    const found = changeExpiries(change);
    if (found.why !== undefined) {
      others.push({ key: String(change?.key ?? '?'), subject: String(change?.subject ?? '?'), action: String(change?.action ?? '?'), why: found.why });
      continue;
    }
    expiries.push(...found.expiries);
    byUser.set(change.key, found.expiries);
  }
  for (const operation of Array.isArray(plan?.operations) ? plan.operations : []) {
    for (const row of Array.isArray(operation?.rows) ? operation.rows : []) {
      const own = byUser.get(row?.key);
      if (own === undefined) {
        if (!others.some((o) => o.key === row?.key)) blockers.push(`${operation.id}: a row for ${String(row?.key)} that no expiry explains`);
        continue;
      }
      const vaults = new Set(own.filter((e) => e.vault_id !== undefined).map((e) => e.vault_id));
      const excess = rowExcess(row, vaults, own.some((e) => e.what === 'user'));
      if (excess !== undefined) blockers.push(`${operation.id} (${operation.kind}) for ${row.key}: ${excess}`);
    }
  }
  const errors = (Array.isArray(plan?.diagnostics) ? plan.diagnostics : []).filter((d) => d?.severity === 'error');
  for (const d of errors) blockers.push(`error ${d.code}: ${d.summary}`);
  const expiryOnly = expiries.length > 0 && others.length === 0 && blockers.length === 0;
  return { expiries, others, blockers, expiryOnly };
}
