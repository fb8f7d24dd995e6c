/**
 * src/doctor: `vault-roster doctor`, a read-only first contact with a Vault. It logs in, reads
 * what vault-roster relies on (auth defaulting, rights, API versions, the domain, paging and the
 * shapes of Retrieve All Users, Clinical, licences, the burst limit) and reports each as OK / WARN /
 * FAIL with what to do; `--record` also writes a redacted capture the simulator can replay.
 *
 * Owns: the probes and findings, the capture. Must not: write to Vault (only POST /auth and the
 * VQL POST /query are sent besides GETs), print a secret, or put a real name in a capture.
 */
import type { ConnectionSettings, ClientEvent, SessionVault } from '../vault/index.js';
import { listUserPages } from '../vault/user-list.js';
import type { JsonRecord } from '../vault/envelope.js';
import { TOOL_VERSION } from '../version.js';
import { DEFAULT_USER_PAGE_SIZE } from '../vault-api/index.js';
import { buildCapture, writeCapture } from './capture.js';
import {
  attempt,
  burstFinding,
  clinicalFinding,
  domainFinding,
  licenseFinding,
  loginFailed,
  loginFinding,
  loginMethod,
  policies,
  rightsFinding,
  siteVaultFinding,
  versionFinding,
} from './checks.js';
import { finding, REPORT_FORMAT, summarise, type DoctorReport, type Finding } from './findings.js';
import { DoctorProbe, failureOf } from './probe.js';
import { probeUsers } from './users.js';

export { hasFailure, renderJson, renderText, REPORT_FORMAT, type DoctorReport, type Finding, type FindingStatus } from './findings.js';
export { CAPTURE_FILES, CAPTURE_FORMAT } from './capture.js';
export { inferPaging, type PageObservation, type PagingInference } from './paging.js';
export { classifyShape, describeRaw } from './shape.js';
export { Pseudonyms } from './pseudonyms.js';

export interface DoctorOptions {
  readonly settings: ConnectionSettings;
  /** roster.yaml declares SiteVault persons / promotions from Clinical persons. */
  readonly sitevaultDeclared: boolean;
  readonly promotionsDeclared: boolean;
  /** Folder for `--record`; undefined: no capture. */
  readonly recordDir?: string | undefined;
  readonly onEvent?: (event: ClientEvent) => void;
  readonly signal?: AbortSignal | undefined;
}

export interface DoctorResult {
  readonly report: DoctorReport;
  /** Files written by `--record`. */
  readonly written: readonly string[];
}

function report(settings: ConnectionSettings, vaultId: number | undefined, findings: readonly Finding[]): DoctorReport {
  return {
    format: REPORT_FORMAT,
    tool_version: TOOL_VERSION,
    created_at: new Date().toISOString(),
    api_version: settings.apiVersion,
    vault_id: vaultId,
    summary: summarise(findings),
    findings,
  };
}

/** Every user, through vault-roster's own lister (the paging that plan uses). */
async function listAll(probe: DoctorProbe, pageSize: number | undefined): Promise<{ users: JsonRecord[] } | { finding: Finding }> {
  const result = await attempt(async () => {
    const users: JsonRecord[] = [];
    for await (const page of listUserPages(probe.transport, { pageSize: pageSize ?? DEFAULT_USER_PAGE_SIZE })) users.push(...page);
    return users;
  });
  if (result.ok) return { users: result.value };
  return { finding: finding('record', 'FAIL', 'The full user listing for --record failed', [result.failure.message], result.failure.hint ?? '') };
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorResult> {
  const { settings } = options;
  const probe = new DoctorProbe(settings, { onEvent: options.onEvent, signal: options.signal });
  try {
    const findings: Finding[] = [];
    let vaults: readonly SessionVault[];
    let session;
    try {
      session = await probe.transport.session();
      vaults = session.vaults;
    } catch (error) {
      findings.push(loginFailed(failureOf(error)));
      return { report: report(settings, undefined, findings), written: [] };
    }
    // Validate Session User first: with a ready session id, it is what names the vault.
    const rights = await rightsFinding(probe, session.vaultId);
    const vaultId = probe.transport.vaultId ?? session.vaultId;
    findings.push(loginFinding(session, vaultId, { expectedVaultId: settings.expectedVaultId, vaultDns: settings.vaultDns, method: loginMethod(settings.credentials) }), rights.finding);
    findings.push(await versionFinding(probe, settings.apiVersion, options.promotionsDeclared));
    const domain = await domainFinding(probe, settings.expectedVaultId);
    findings.push(domain.finding);
    const users = await probeUsers(probe);
    findings.push(...users.findings);
    findings.push(await clinicalFinding(probe, options.promotionsDeclared), siteVaultFinding(options.sitevaultDeclared));
    const licenses = await licenseFinding(probe);
    findings.push(licenses.finding);
    let recorded: { users: JsonRecord[] } | undefined;
    let policyList;
    if (options.recordDir !== undefined) {
      const listed = await listAll(probe, users.pageSize);
      if ('finding' in listed) findings.push(listed.finding);
      else recorded = listed;
      policyList = await policies(probe);
    }
    findings.push(burstFinding(probe, probeCalls(probe)));
    const done = report(settings, vaultId, findings);
    if (options.recordDir === undefined || recorded === undefined) return { report: done, written: [] };
    const capture = buildCapture({
      report: done,
      apiVersion: settings.apiVersion,
      users: recorded.users,
      sessionVaultId: vaultId,
      sessionVaults: vaults.map((v) => v.id),
      domain: domain.domain,
      usage: licenses.usage,
      policies: policyList,
      paging: users.paging,
      shape: users.shape,
      domainOnlySeen: users.domainOnlySeen,
    });
    return { report: done, written: writeCapture(options.recordDir, capture, done, recorded.users) };
  } finally {
    probe.close();
  }
}

function probeCalls(probe: DoctorProbe): number {
  return probe.calls;
}
