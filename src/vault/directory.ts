/**
 * Domain-wide reference data (VAULT-API.md §5.10, §7): security policies, domain vaults, license
 * usage. Strict: a missing list or an entry that does not decode is an error naming the call, not
 * an entry skipped or a count of 0.
 */
import type { LicenseUsage } from '../model.js';
import { decodeId, decodeText, WireDecodeError } from '../vault-api/index.js';
import { decodeIn, isRecord, readCall, requireArray, requireRecord, type JsonRecord } from './envelope.js';
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
  const answer = await readCall(transport, { method: 'GET', path: 'objects/securitypolicies', retry: 'idempotent' });
  return requireArray(answer, 'security_policies__v').map((raw, i) =>
    decodeIn(answer, `security_policies__v[${i}]`, () => {
      const p = recordOf(raw);
      return { name: decodeText(p.name__v, 'name__v'), label: optionalText(p.label__v, 'label__v') };
    }),
  );
}

function recordOf(value: unknown): JsonRecord {
  if (!isRecord(value)) throw new WireDecodeError('entry', 'is not an object', value);
  return value;
}

function optionalText(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : decodeText(value, field);
}

/** A count Vault reports: a whole number of at least 0. */
function decodeCount(value: unknown, field: string): number {
  if (value === 0 || value === '0') return 0;
  return decodeId(value, field);
}

/** Applications of a domain vault: names, or objects with a `name`. */
function applicationsOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new WireDecodeError('vault_application__v', 'is not a list', value);
  return (value as unknown[]).map((a) => decodeText(isRecord(a) ? a.name : a, 'vault_application__v name'));
}

/** Retrieve Domain Information with applications (Domain Admins only). */
export async function getDomain(transport: VaultTransport): Promise<DomainInfo> {
  const answer = await readCall(transport, {
    method: 'GET',
    path: 'objects/domain',
    query: { include_application: 'true' },
    retry: 'idempotent',
  });
  const domain = requireRecord(answer, 'domain__v');
  if (!Array.isArray(domain.vaults__v)) throw answer.malformed('domain__v has no "vaults__v" list', domain);
  const vaults = (domain.vaults__v as unknown[]).map((raw, i) =>
    decodeIn(answer, `domain__v.vaults__v[${i}]`, () => {
      const v = recordOf(raw);
      return {
        id: decodeId(v.id, 'id'),
        name: optionalText(v.vault_name__v, 'vault_name__v'),
        status: optionalText(v.vault_status__v, 'vault_status__v'),
        applications: applicationsOf(v.vault_application__v),
      };
    }),
  );
  return decodeIn(answer, 'domain__v', () => ({
    name: optionalText(domain.domain_name__v, 'domain_name__v'),
    type: optionalText(domain.domain_type__v, 'domain_type__v'),
    vaults,
  }));
}

/** Application license usage, one entry per application and license type, sorted. */
export async function getLicenseUsage(transport: VaultTransport): Promise<LicenseUsage[]> {
  const answer = await readCall(transport, { method: 'GET', path: 'objects/licenses', retry: 'idempotent' });
  const usage: LicenseUsage[] = [];
  requireArray(answer, 'applications').forEach((raw, i) => {
    decodeIn(answer, `applications[${i}]`, () => {
      const app = recordOf(raw);
      const application = decodeText(app.application_name, 'application_name');
      const licensing = app.user_licensing;
      if (!isRecord(licensing)) throw new WireDecodeError('user_licensing', 'is not an object', licensing);
      for (const [licenseType, counts] of Object.entries(licensing)) {
        const c = recordOf(counts);
        const licensed = decodeCount(c.licensed, `user_licensing.${licenseType}.licensed`);
        const used = decodeCount(c.used, `user_licensing.${licenseType}.used`);
        usage.push({ application, license_type: licenseType, licensed, used });
      }
    });
  });
  return usage.sort((a, b) => a.application.localeCompare(b.application) || a.license_type.localeCompare(b.license_type));
}
