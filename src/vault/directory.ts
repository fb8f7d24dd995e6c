/** Domain-wide reference data (VAULT-API.md §5.10, §7): security policies, domain vaults, license usage. */
import type { LicenseUsage } from '../model.js';
import { asArray, asId, asRecord, asString } from './envelope.js';
import type { VaultTransport } from './transport.js';

export interface SecurityPolicy {
  /** `name__v`, the value `security_policy_id__v` takes. */
  readonly name: string;
  readonly label: string | undefined;
}

export interface DomainVault {
  readonly id: number;
  readonly name: string | undefined;
  readonly status: string | undefined;
  readonly applications: readonly string[];
}

export interface DomainInfo {
  readonly name: string | undefined;
  readonly type: string | undefined;
  readonly vaults: readonly DomainVault[];
}

export async function listSecurityPolicies(transport: VaultTransport): Promise<SecurityPolicy[]> {
  const { body } = await transport.request({ method: 'GET', path: 'objects/securitypolicies', retry: 'idempotent' });
  return asArray(body.security_policies__v).flatMap((raw) => {
    const p = asRecord(raw);
    const name = asString(p.name__v);
    return name === undefined ? [] : [{ name, label: asString(p.label__v) }];
  });
}

/** Retrieve Domain Information with applications (Domain Admins only). */
export async function getDomain(transport: VaultTransport): Promise<DomainInfo> {
  const { body } = await transport.request({
    method: 'GET',
    path: 'objects/domain',
    query: { include_application: 'true' },
    retry: 'idempotent',
  });
  const domain = asRecord(body.domain__v);
  const vaults = asArray(domain.vaults__v).flatMap((raw) => {
    const v = asRecord(raw);
    const id = asId(v.id);
    if (id === undefined) return [];
    const applications = asArray(v.vault_application__v).flatMap((a) => {
      const name = asString(asRecord(a).name) ?? asString(a);
      return name === undefined ? [] : [name];
    });
    return [{ id, name: asString(v.vault_name__v), status: asString(v.vault_status__v), applications }];
  });
  return { name: asString(domain.domain_name__v), type: asString(domain.domain_type__v), vaults };
}

/** Application license usage, one entry per application and license type, sorted. */
export async function getLicenseUsage(transport: VaultTransport): Promise<LicenseUsage[]> {
  const { body } = await transport.request({ method: 'GET', path: 'objects/licenses', retry: 'idempotent' });
  const usage: LicenseUsage[] = [];
  for (const raw of asArray(body.applications)) {
    const app = asRecord(raw);
    const application = asString(app.application_name);
    if (application === undefined) continue;
    for (const [licenseType, counts] of Object.entries(asRecord(app.user_licensing))) {
      const c = asRecord(counts);
      usage.push({ application, license_type: licenseType, licensed: asId(c.licensed) ?? 0, used: asId(c.used) ?? 0 });
    }
  }
  return usage.sort((a, b) => a.application.localeCompare(b.application) || a.license_type.localeCompare(b.license_type));
}
