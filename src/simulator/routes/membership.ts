/**
 * Update Vault Membership (VAULT-API.md §5.8). A new member gets the documented defaults
 * (active, document_user__v, full__v); for an existing member an omitted field keeps its
 * current value (the §5.8 caution), so a PUT of `active__v` alone never resets a profile.
 */
import { authedRoute, readForm, success, VaultFailure, type AuthedContext, type Route } from '../http.js';
import { clearToNull, RowError } from '../user-fields.js';
import { applyRow, commitUser } from '../user-rows.js';
import { targetUser } from './users-write.js';
import type { SimCore } from '../core.js';

const ALLOWED = new Set(['active__v', 'security_profile__v', 'license_type__v']);

function updateMembership(ctx: AuthedContext, core: SimCore) {
  const user = targetUser(ctx, core);
  const rawVault = ctx.params.vault_id ?? '';
  const vault = /^\d+$/.test(rawVault) ? core.store.vaults.get(Number(rawVault)) : undefined;
  if (vault === undefined) throw new VaultFailure('MALFORMED_URL', `vault [${rawVault}] not found`);
  const form = readForm(ctx);
  const unknown = Object.keys(form).filter((k) => !ALLOWED.has(k));
  if (unknown.length > 0) throw new VaultFailure('ATTRIBUTE_NOT_SUPPORTED', `Attribute [${unknown.join(', ')}] is not supported`);
  const part = (key: string): string => {
    const value = clearToNull(form[key] ?? null);
    if (value === null) return '';
    const text = String(value).trim();
    if (text.includes(':') || text.includes(';')) throw new VaultFailure('INVALID_DATA', `invalid value [${text}] for field [${key}]`);
    return text;
  };
  const cell = `${vault.id}:${part('active__v')}:${part('security_profile__v')}:${part('license_type__v')}`;
  try {
    const actor = { core, caller: ctx.caller, vaultId: ctx.vault.id };
    commitUser(core, applyRow(actor, user, { vault_membership: cell }, { creating: false, joinCallingVault: false, bulkUpdate: false }));
  } catch (error) {
    if (error instanceof RowError) throw new VaultFailure(error.type, error.message);
    throw error;
  }
  return success();
}

export function membershipRoutes(core: SimCore): Route[] {
  return [authedRoute('PUT', '/objects/users/:id/vault_membership/:vault_id', (ctx) => updateMembership(ctx, core))];
}
