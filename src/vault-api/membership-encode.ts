/** The `vault_membership` / `app_licensing` request encodings (VAULT-API.md §5.12). */
import type { AppLicense, Membership } from '../model.js';

/** `3003:true:system_admin__v:full__v`, always all four parts (omitted parts default on Vault's side). */
export function encodeMembership(m: Membership): string {
  return `${m.vault_id}:${m.active}:${m.security_profile}:${m.license_type}`;
}

/** `3003|rimReg_v:true:full__v|rimSubs_v:false:read_only__v` for one vault; apps sorted by code. */
export function encodeAppLicensing(vaultId: number, apps: Readonly<Record<string, AppLicense>>): string {
  const parts = Object.keys(apps)
    .sort()
    .map((code) => {
      const app = apps[code];
      if (app === undefined) throw new Error(`unreachable: missing app ${code}`);
      return `${code}:${app.active}:${app.license_type}`;
    });
  return [String(vaultId), ...parts].join('|');
}

