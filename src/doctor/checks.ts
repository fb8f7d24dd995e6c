/**
 * The doctor's findings other than the users probe: login and auth defaulting, the API user's
 * rights, API versions, the domain, Clinical and SiteVault, licence usage and the burst limit.
 * Each check reads, never writes, and turns what it saw into one finding.
 */
import type { LicenseUsage } from '../model.js';
import { isLoopbackHost, vaultNamedBy, type DomainInfo, type SecurityPolicy, type SessionInfo } from '../vault/index.js';
import type { Credentials } from '../vault/transport.js';
import { decodeBoolean, decodeUserMemberships, WireDecodeError } from '../vault-api/index.js';
import { getDomain, getLicenseUsage, listSecurityPolicies } from '../vault/directory.js';
import { getUser } from '../vault/user-list.js';
import type { JsonRecord } from '../vault/envelope.js';
import { finding, type Finding } from './findings.js';
import { failureOf, type DoctorProbe, type ReadFailure } from './probe.js';

export const ADMIN_PROFILES = new Set(['system_admin__v', 'vault_owner__v']);
const PROMOTE_MIN_VERSION = 'v26.2';

export type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: ReadFailure };

export async function attempt<T>(work: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, failure: failureOf(error) };
  }
}

export interface LoginIntent {
  readonly expectedVaultId: number | undefined;
  readonly vaultDns: string | undefined;
  /** How the session was made, in words (`loginMethod`); shown among the details. */
  readonly method?: string | undefined;
}

/** How the credentials log in, in words without any secret: the finding says which login was checked. */
export function loginMethod(credentials: Credentials): string {
  if ('sessionId' in credentials) return 'a ready session id (VAULT_SESSION_ID)';
  if ('username' in credentials) return 'user name and password (VAULT_USERNAME)';
  const { oauth } = credentials;
  const token = 'accessToken' in oauth.token ? 'a given access token (VAULT_ACCESS_TOKEN)' : `a token from ${new URL(oauth.token.tokenUrl).host} (client-credentials grant)`;
  return `OAuth 2.0 / OIDC profile ${oauth.profileId} at ${new URL(oauth.loginOrigin).host}, with ${token}`;
}

/** Which vault the session landed in, against the one roster.yaml / VAULT_DNS intends. */
export function loginFinding(session: SessionInfo, vaultId: number | undefined, intent: LoginIntent): Finding {
  const where = vaultId === undefined ? 'an unknown vault' : `vault ${vaultId}`;
  const detail = [
    ...(intent.method === undefined ? [] : [`login: ${intent.method}`]),
    `session vault: ${where}; vaults this user may use: ${session.vaults.length === 0 ? '(not reported: a ready session id)' : session.vaults.map((v) => v.id).join(', ')}`,
  ];
  if (intent.expectedVaultId !== undefined && vaultId !== intent.expectedVaultId) {
    return finding('login', 'FAIL', `Logged in, but to ${where}, not vault ${intent.expectedVaultId} (roster.yaml vault.vault_id)`, detail,
      `Vault's auth defaulting picked another vault: check vault.dns / vault.url and that the API user is an active member of vault ${intent.expectedVaultId}. plan and apply refuse to run like this.`);
  }
  const dns = intent.vaultDns?.toLowerCase();
  const named = vaultNamedBy(session.vaults, dns);
  if (named !== undefined && named.id !== vaultId) {
    detail.push(`vaultDNS sent: ${dns ?? ''}; Vault lists it as vault ${named.id}`);
    return finding('login', 'FAIL', `Logged in, but the session is in ${where}, not vault ${named.id} that vaultDNS names`, detail,
      'Vault fell back to another vault (auth defaulting): check that the API user is an active member of that vault and that the vault is active.');
  }
  // A proxy or the simulator answers on an address that is no vault's DNS: nothing to compare.
  if (dns !== undefined && named === undefined && session.vaults.length > 0 && !isLoopbackHost(dns) && !/^[\d.]+$/.test(dns)) {
    detail.push(`vaultDNS sent: ${dns}; it is not among the vaults Vault lists for this user`);
    return finding('login', 'WARN', `Logged in to ${where}, possibly by auth defaulting: vaultDNS ${dns} is not one of this user's vaults`, detail,
      'Check vault.dns / vault.url (or VAULT_DNS), and set vault.vault_id in roster.yaml so a run in the wrong vault is refused.');
  }
  if (intent.expectedVaultId === undefined) {
    return finding('login', 'WARN', `Logged in to ${where}; roster.yaml does not pin the vault`, detail,
      vaultId === undefined ? 'Set vault.vault_id in roster.yaml.' : `Add vault_id: ${vaultId} under vault: in roster.yaml, so no run ever works in another vault.`);
  }
  return finding('login', 'OK', `Logged in to ${where}, the vault roster.yaml names`, detail);
}

export function loginFailed(failure: ReadFailure): Finding {
  return finding('login', 'FAIL', 'Could not log in', [failure.message], failure.hint ?? 'Check VAULT_URL, VAULT_USERNAME and VAULT_PASSWORD (or the VAULT_OAUTH_* settings of an OAuth login, or VAULT_SESSION_ID).');
}

function safeBoolean(value: unknown): boolean | undefined {
  try {
    return decodeBoolean(value, 'is_domain_admin__v');
  } catch (error) {
    if (error instanceof WireDecodeError) return undefined;
    throw error;
  }
}

/** Domain Admin? System Admin / Vault Owner in the session vault and the others? */
export async function rightsFinding(probe: DoctorProbe, vaultId: number | undefined): Promise<{ finding: Finding; me: JsonRecord | undefined }> {
  const me = await attempt(() => getUser(probe.transport, 'me'));
  if (!me.ok) return { finding: finding('user-rights', 'FAIL', 'Validate Session User (GET objects/users/me) failed', [me.failure.message], me.failure.hint ?? ''), me: undefined };
  const user = me.value;
  const domainAdmin = safeBoolean(user.is_domain_admin__v);
  let memberships;
  try {
    memberships = decodeUserMemberships(user.vault_membership, user.app_licensing ?? []);
  } catch (error) {
    if (!(error instanceof WireDecodeError)) throw error;
    memberships = undefined;
  }
  const here = typeof user.security_profile__v === 'string' ? user.security_profile__v : undefined;
  const adminIn = (memberships ?? []).filter((m) => m.active && ADMIN_PROFILES.has(m.security_profile)).map((m) => m.vault_id);
  const notAdminIn = (memberships ?? []).filter((m) => !(m.active && ADMIN_PROFILES.has(m.security_profile))).map((m) => m.vault_id);
  const detail = [
    `API user id ${String(user.id)}; Domain Admin: ${domainAdmin === undefined ? `unreadable (${JSON.stringify(user.is_domain_admin__v)})` : domainAdmin ? 'yes' : 'no'}`,
    `security profile in the session vault: ${here ?? 'not reported'}`,
    `admin (system_admin__v / vault_owner__v, active) in vaults: ${adminIn.length === 0 ? 'none' : adminIn.join(', ')}${notAdminIn.length > 0 ? `; not admin in: ${notAdminIn.join(', ')}` : ''}`,
  ];
  if (here === undefined || !ADMIN_PROFILES.has(here)) {
    return { finding: finding('user-rights', 'FAIL', `The API user is not System Admin or Vault Owner in ${vaultId === undefined ? 'the session vault' : `vault ${vaultId}`}`, detail,
      'Use an API user with the standard System Administrator profile in every managed vault (and Domain Admin for domain-level changes).'), me: user };
  }
  if (domainAdmin !== true) {
    return { finding: finding('user-rights', 'WARN', 'The API user is not a Domain Admin', detail,
      'Domain-level changes (is_domain_admin, domain_active, new domain users) and domain information need a Domain Admin; plan will show such changes as refused.'), me: user };
  }
  if (notAdminIn.length > 0) {
    return { finding: finding('user-rights', 'WARN', `The API user is not an active admin in vault(s) ${notAdminIn.join(', ')}`, detail,
      'Users of those vaults cannot be changed by this API user; make it System Admin there or leave those vaults out of roster.yaml.'), me: user };
  }
  return { finding: finding('user-rights', 'OK', 'The API user is Domain Admin and System Admin / Vault Owner in its vaults', detail), me: user };
}

function versionNumber(v: string): number | undefined {
  const m = /^v(\d+)\.(\d+)$/.exec(v);
  return m === null ? undefined : Number(m[1]) * 100 + Number(m[2]);
}

/** The configured API version answers (the reads above used it); what GET /api lists beside it. */
export async function versionFinding(probe: DoctorProbe, configured: string, promotions: boolean): Promise<Finding> {
  const result = await probe.get('/api');
  const detail = [`configured: ${configured} (every other call of this report used it)`];
  const mine = versionNumber(configured) ?? 0;
  const promoteOk = mine >= (versionNumber(PROMOTE_MIN_VERSION) ?? 0);
  if (promotions && !promoteOk) {
    return finding('api-version', 'FAIL', `API ${configured} has no Promote Person to User (needs ${PROMOTE_MIN_VERSION}+)`, detail, `Set vault.api_version: ${PROMOTE_MIN_VERSION} (or later) in roster.yaml.`);
  }
  if (!result.ok) return finding('api-version', 'WARN', `API ${configured} answers; the list of versions (GET /api) did not`, [...detail, result.failure.message], '');
  const values = result.answer.body.values;
  const listed = values !== null && typeof values === 'object' && !Array.isArray(values) ? Object.keys(values).filter((v) => versionNumber(v) !== undefined) : [];
  if (listed.length === 0) return finding('api-version', 'WARN', `API ${configured} answers; GET /api lists no versions`, detail, '');
  const newer = listed.filter((v) => (versionNumber(v) ?? 0) > mine).sort((a, b) => (versionNumber(a) ?? 0) - (versionNumber(b) ?? 0));
  detail.push(`Vault lists ${listed.length} versions, newest ${newer.at(-1) ?? configured}${newer.length > 0 ? `; newer than configured: ${newer.join(', ')}` : ''}`);
  if (!listed.includes(configured)) return finding('api-version', 'WARN', `API ${configured} answers but is not in Vault's list of versions`, detail, 'Pick a listed version for vault.api_version.');
  return finding('api-version', 'OK', `API ${configured} is accepted`, detail);
}

export async function domainFinding(probe: DoctorProbe, expectedVaultId: number | undefined): Promise<{ finding: Finding; domain: DomainInfo | undefined }> {
  const result = await attempt(() => getDomain(probe.transport));
  if (!result.ok) {
    const status = result.failure.errorType === 'INSUFFICIENT_ACCESS' ? 'WARN' : 'FAIL';
    return { finding: finding('domain', status, 'Domain information (GET objects/domain) could not be read', [result.failure.message],
      status === 'WARN' ? 'Only a Domain Admin may read it; vault ids in roster.yaml are then not checked against the domain.' : (result.failure.hint ?? '')), domain: undefined };
  }
  const domain = result.value;
  const detail = [
    `domain type: ${domain.type ?? 'not reported'}; ${domain.vaults.length} vault(s)`,
    ...domain.vaults.map((v) => `vault ${v.id} ${v.status ?? '(status not reported)'}: ${v.applications.length === 0 ? 'no applications listed' : v.applications.join(', ')}`),
  ];
  if (expectedVaultId !== undefined && !domain.vaults.some((v) => v.id === expectedVaultId)) {
    return { finding: finding('domain', 'FAIL', `vault ${expectedVaultId} (roster.yaml) is not a vault of this domain`, detail, 'Fix vault.vault_id in roster.yaml.'), domain };
  }
  if (domain.type === 'Production') detail.push('a Production domain: try plan and apply against a sandbox first');
  return { finding: finding('domain', 'OK', `Domain with ${domain.vaults.length} vault(s) read`, detail), domain };
}

export async function licenseFinding(probe: DoctorProbe): Promise<{ finding: Finding; usage: LicenseUsage[] | undefined }> {
  const result = await attempt(() => getLicenseUsage(probe.transport));
  if (!result.ok) {
    return { finding: finding('licenses', 'WARN', 'Licence usage (GET objects/licenses) could not be read', [result.failure.message],
      'The plan guard against exceeding licensed seats cannot work; pass --allow-license-overuse only after checking seats in Vault.'), usage: undefined };
  }
  const usage = result.value;
  const over = usage.filter((u) => u.used > u.licensed);
  const apps = [...new Set(usage.map((u) => u.application))];
  const detail = apps.map((app) => `${app}: ${usage.filter((u) => u.application === app).map((u) => `${u.license_type} ${u.used}/${u.licensed}`).join(', ')} (used/licensed)`);
  if (over.length > 0) return { finding: finding('licenses', 'WARN', `${over.length} licence type(s) use more seats than licensed`, detail, 'Plans adding users of those kinds stop at the licence guard; free seats or buy more.'), usage };
  return { finding: finding('licenses', 'OK', `Licence usage of ${apps.length} application(s) read`, detail), usage };
}

export async function policies(probe: DoctorProbe): Promise<SecurityPolicy[] | undefined> {
  const result = await attempt(() => listSecurityPolicies(probe.transport));
  return result.ok ? result.value : undefined;
}

export async function clinicalFinding(probe: DoctorProbe, promotions: boolean): Promise<Finding> {
  const result = await probe.query('SELECT id FROM person__sys PAGESIZE 1');
  if (!result.ok) {
    const detail = [result.failure.message];
    if (promotions) return finding('clinical', 'FAIL', 'Clinical persons (VQL on person__sys) do not answer, but roster.yaml promotes persons', detail, 'Promotions need Clinical Operations in the session vault; point roster.yaml at that vault or remove promote_from_person.');
    return finding('clinical', 'WARN', 'Clinical persons (person__sys) not used: VQL on person__sys does not answer in this vault', detail, '');
  }
  const details = result.answer.body.responseDetails;
  const total = details !== null && typeof details === 'object' ? (details as JsonRecord).total : undefined;
  return finding('clinical', 'OK', 'Clinical persons (VQL on person__sys) answer', [`persons in the session vault: ${typeof total === 'number' ? total : 'not reported'}`]);
}

export function siteVaultFinding(declared: boolean): Finding {
  if (!declared) return finding('sitevault', 'OK', 'SiteVault: no persons in roster.yaml, not checked', ['SiteVault has no read endpoint; a read-only check cannot call it']);
  return finding('sitevault', 'WARN', 'SiteVault persons are declared, and cannot be checked read-only', ['SiteVault user administration has no read endpoint (VAULT-API.md §8.3)'],
    'Try the first SiteVault apply in a sandbox; vault-roster keeps what it wrote in the state file.');
}

export function burstFinding(probe: DoctorProbe, calls: number): Finding {
  const burst = probe.burst;
  if (burst === undefined) {
    return finding('burst-limit', 'WARN', 'Vault sent no burst-limit headers', ['X-VaultAPI-BurstLimit / X-VaultAPI-BurstLimitRemaining were absent'],
      'vault-roster then cannot pace itself before Vault slows it down; runs still work, maybe slower.');
  }
  const detail = [`${burst.remaining} of ${burst.limit} calls left in the current 5-minute window, after about ${calls} calls by this doctor`];
  if (burst.remaining < burst.limit * 0.2) {
    return finding('burst-limit', 'WARN', 'Little is left of the burst limit', [...detail, 'other integrations share this budget'], 'Run plan and apply when the vault is quieter; vault-roster waits for the window rather than being throttled.');
  }
  return finding('burst-limit', 'OK', `Burst limit ${burst.limit} per 5 minutes, ${burst.remaining} left`, detail);
}
