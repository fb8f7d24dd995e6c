/**
 * Renders a user the way Retrieve User / Retrieve All Users return it (VAULT-API.md §5.3):
 * the stored legacy fields, numeric `id` and `security_policy_id__v`, `vault_id__v`, and the
 * calling vault's `active__v` / `security_profile__v` / `license_type__v` (omitted when the
 * user is not a member there). `vault_membership` / `app_licensing` only on request, in the
 * shape the profile plays.
 */
import { renderAppLicenses, renderMemberships } from './encodings.js';
import { membershipOf, type SimUser } from './records.js';
import type { Store } from './store.js';
import type { JsonBody } from './http.js';
import type { MembershipShape } from './profiles.js';

export interface UserViewOptions {
  readonly memberships: boolean;
  readonly apps: boolean;
  /** The shape of both blocks (the profile's `read.membershipShape`). */
  readonly shape: MembershipShape;
}

export function renderUser(user: SimUser, store: Store, vaultId: number, options: UserViewOptions): JsonBody {
  const out: JsonBody = { id: user.id, ...user.fields };
  const policy = user.fields.security_policy_id__v;
  if (typeof policy === 'string' && /^\d+$/.test(policy)) out.security_policy_id__v = Number(policy);
  out.domain_id__v = store.domain.id;
  out.domain_name__v = store.domain.name;
  out.vault_id__v = user.memberships.map((m) => m.vault_id);
  out.group_id__v = [];
  const here = membershipOf(user, vaultId);
  if (here !== undefined) {
    out.active__v = here.active && user.fields.domain_active__v !== false;
    out.security_profile__v = here.profile;
    out.license_type__v = here.license;
  }
  if (options.memberships) out.vault_membership = renderMemberships(user.memberships, options.shape);
  if (options.apps) out.app_licensing = renderAppLicenses(user.apps, options.shape);
  return out;
}
