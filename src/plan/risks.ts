/** Which changes a reviewer must look at twice: admin rights, profiles, security policies, licenses, lost access. */
import { isAdminProfile, SITEVAULT_ORG_NO_ACCESS_ROLE, SITEVAULT_SITE_NO_ACCESS_ROLE } from '../model.js';

// Moved to the model so the desired-state rules (policy.require_valid_until) judge admin profiles the same way.
export { ADMIN_PROFILES, isAdminProfile } from '../model.js';
import { parseFieldPath } from './field-paths.js';
import type { ChangeAction, ChangeRisk, FieldChange } from './types.js';

const RISK_ORDER: readonly ChangeRisk[] = ['admin', 'security_profile', 'security_policy', 'license', 'deactivation'];
const NO_ACCESS_ROLES: ReadonlySet<string> = new Set([SITEVAULT_ORG_NO_ACCESS_ROLE, SITEVAULT_SITE_NO_ACCESS_ROLE]);

function isAdminValue(value: unknown): boolean {
  return isAdminProfile(value) || value === 'org_admin__v';
}

/** Risks of one change, in a fixed order. New records only carry `admin` (everything else is new anyway). */
export function risksOf(action: ChangeAction, fields: readonly FieldChange[]): ChangeRisk[] {
  const found = new Set<ChangeRisk>();
  const isNew = action === 'create' || action === 'promote' || action === 'sitevault_create';
  if (action === 'deactivate') found.add('deactivation');
  for (const f of fields) {
    const segments = parseFieldPath(f.path);
    const last = segments[segments.length - 1];
    if (f.path === 'domain_admin' && (f.before === true || f.after === true)) found.add('admin');
    if ((last === 'security_profile' || last === 'role') && (isAdminValue(f.before) || isAdminValue(f.after))) found.add('admin');
    if (isNew) continue;
    if (last === 'security_profile') found.add('security_profile');
    // A new security policy can change how the user signs in (SSO, password rules): it can lock them out.
    if (f.path === 'security_policy') found.add('security_policy');
    if (last === 'license_type' || segments[2] === 'apps') found.add('license');
    if (last === 'active' && f.before === true && f.after === false) found.add('deactivation');
    if (last === 'role' && typeof f.after === 'string' && NO_ACCESS_ROLES.has(f.after)) found.add('deactivation');
  }
  return RISK_ORDER.filter((r) => found.has(r));
}
