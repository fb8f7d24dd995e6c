/**
 * `createVaultClient`: the one object the rest of vault-roster uses to talk to Vault. It wires
 * the transport (session, pacing, retries, redaction) to the typed endpoint calls.
 */
import type { BodyFormat, LicenseUsage, LiveGroup } from '../model.js';
import type {
  DomainUserRow,
  GroupCreateRow,
  GroupUpdateRow,
  NewUserRow,
  PromoteRow,
  SiteVaultCreateRow,
  SiteVaultEditRow,
  UserWriteRow,
} from '../plan/types.js';
import { changeGroupMembers, createGroup, readGroups, updateGroup } from './groups.js';
import type { SessionInfo } from './auth.js';
import { systemClock, type Clock } from './clock.js';
import { getDomain, getLicenseUsage, listSecurityPolicies, type DomainInfo, type SecurityPolicy } from './directory.js';
import { listSecurityProfiles } from './profiles.js';
import type { JsonRecord } from './envelope.js';
import type { ClientEvent } from './events.js';
import { query } from './query.js';
import type { WaitNoticeSettings } from './waits.js';
import type { KeepAliveSettings } from './keep-alive.js';
import { Redactor } from './redact.js';
import { DEFAULT_MAX_RETRIES } from './retry.js';
import { VaultTransport, type Credentials } from './transport.js';
import { getUser, listUserPages, type VaultUser } from './users.js';
import {
  createSiteVaultPerson,
  createUserRows,
  editSiteVaultPerson,
  promotePersonRows,
  updateDomainUser,
  updateUserRows,
  upsertUserRows,
  type RowOutcome,
  type WriteContext,
} from './writes.js';

export interface VaultClientOptions {
  /** Scheme and host (and any proxy prefix) without `/api`, e.g. `https://myvault.veevavault.com`. */
  readonly baseUrl: string;
  /** e.g. `v25.2`. */
  readonly apiVersion: string;
  readonly credentials: Credentials;
  /** Sent as `vaultDNS` on auth: which vault to log in to when the URL host is not the vault's own. */
  readonly vaultDns?: string | undefined;
  /** The intended vault: a session in any other vault is refused (`auth-wrong-vault`). */
  readonly expectedVaultId?: number | undefined;
  /** Requests in flight at once (default 4). */
  readonly concurrency?: number | undefined;
  /** Per-request timeout including the body (default 120 s). */
  readonly timeoutMs?: number | undefined;
  /** Retries after the first try, for failures that are safe to retry (default 5). */
  readonly maxRetries?: number | undefined;
  /** Length of Vault's burst window (default 5 minutes; Vault does not report it). */
  readonly burstWindowMs?: number | undefined;
  readonly clock?: Clock | undefined;
  /** Source of backoff jitter in [0, 1) (default Math.random). */
  readonly random?: (() => number) | undefined;
  /** Receives every request, response, retry, pacing and auth event, already redacted. */
  readonly onEvent?: ((event: ClientEvent) => void) | undefined;
  /** `X-VaultAPI-ClientID`, shown in Vault's API usage logs (default `vault-roster`). */
  readonly clientId?: string | undefined;
  /** Overall limit for everything this client does, from its creation (default one hour). */
  readonly deadlineMs?: number | undefined;
  /** Re-logins allowed after Vault ended the session (default 10 per client). */
  readonly maxRelogins?: number | undefined;
  /** When waits are announced with `wait` events (default: after 5 s, then every 30 s). */
  readonly waitNotice?: WaitNoticeSettings | undefined;
  /** Aborting it stops the client as `close()` does. */
  readonly signal?: AbortSignal | undefined;
  /** Users per Retrieve All Users page (default 1000; a refused size falls back to Vault's 200). */
  readonly userPageSize?: number | undefined;
  /** Most users one listing may return before it is stopped as a runaway (default 1,000,000). */
  readonly maxListedUsers?: number | undefined;
  /**
   * Body of the bulk user calls (Create / Upsert / Update Multiple Users): `json` (default) or
   * `csv`. Clears go through Update Single User either way.
   */
  readonly bodyFormat?: BodyFormat | undefined;
  /** When an idle session gets a `POST /keep-alive` (default: after 5 minutes idle, checked every minute). */
  readonly keepAlive?: KeepAliveSettings | undefined;
}

export interface VaultClient {
  /** The vault the session is in, once the first call has been made. */
  readonly vaultId: number | undefined;
  /** Logs in if needed; the session id inside must never be printed. */
  session(): Promise<SessionInfo>;
  /** Replaces every secret the client knows with `***`. */
  redact(text: string): string;
  /** Stops the client: calls in flight are aborted, waits end, later calls fail at once. */
  close(): void;
  /**
   * Ends the session the client logged in to (`DELETE /session`; a ready VAULT_SESSION_ID is
   * left alone), then closes. Never rejects.
   */
  end(): Promise<void>;
  /** Sends `POST /keep-alive` when the session has been idle for the keep-alive time; true when sent. */
  keepAliveIfIdle(): Promise<boolean>;

  /** Pages of users; once `signal` aborts, no further page is requested. */
  listUserPages(options?: { readonly signal?: AbortSignal }): AsyncIterable<VaultUser[]>;
  getUser(id: number | 'me'): Promise<VaultUser>;

  listSecurityPolicies(): Promise<SecurityPolicy[]>;
  getDomain(): Promise<DomainInfo>;
  getLicenseUsage(): Promise<LicenseUsage[]>;
  /** Security profiles of the session's vault; `undefined` when Vault's metadata lists none. */
  listSecurityProfiles(): Promise<string[] | undefined>;
  query(vql: string): Promise<JsonRecord[]>;

  /** Typed writes (see writes.ts for when each is repeated): one outcome per row, in row order. */
  createUsers(rows: readonly NewUserRow[], options: { readonly sentBefore: boolean }): Promise<RowOutcome[]>;
  upsertUsers(match: 'user_name' | 'id', rows: readonly UserWriteRow[]): Promise<RowOutcome[]>;
  updateUsers(rows: readonly UserWriteRow[]): Promise<RowOutcome[]>;
  updateDomainUser(row: DomainUserRow): Promise<RowOutcome>;
  promotePersons(rows: readonly PromoteRow[]): Promise<RowOutcome[]>;
  createSiteVaultPerson(row: SiteVaultCreateRow): Promise<RowOutcome>;
  editSiteVaultPerson(row: SiteVaultEditRow): Promise<RowOutcome>;

  /** Every group of the session's vault (all kinds), decoded and cross-checked (see groups.ts). */
  readGroups(options?: { readonly signal?: AbortSignal }): Promise<Map<string, LiveGroup>>;
  /**
   * Create Group; the outcome's id is the new group's. `sentBefore`: an earlier attempt may have
   * created it, so the group is looked up by label first and its id returned if found.
   */
  createGroup(row: GroupCreateRow, options: { readonly sentBefore: boolean }): Promise<RowOutcome>;
  /** Update Group with the row's values (never members). */
  updateGroup(row: GroupUpdateRow): Promise<RowOutcome>;
  /** `members__v=add (…)` or `delete (…)` on one group: safe to repeat. */
  changeGroupMembers(change: 'add' | 'delete', groupId: number, userIds: readonly number[]): Promise<RowOutcome>;
}

export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_BURST_WINDOW_MS = 5 * 60_000;

export function createVaultClient(options: VaultClientOptions): VaultClient {
  const redactor = new Redactor();
  const listener = options.onEvent;
  const transport = new VaultTransport({
    baseUrl: options.baseUrl,
    apiVersion: options.apiVersion,
    credentials: options.credentials,
    vaultDns: options.vaultDns,
    expectedVaultId: options.expectedVaultId,
    concurrency: Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY)),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxRetries: Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES),
    burstWindowMs: options.burstWindowMs ?? DEFAULT_BURST_WINDOW_MS,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    clientId: options.clientId ?? 'vault-roster',
    redactor,
    deadlineMs: options.deadlineMs,
    maxRelogins: options.maxRelogins,
    waitNotice: options.waitNotice,
    signal: options.signal,
    bodyFormat: options.bodyFormat,
    keepAlive: options.keepAlive,
    emit: listener === undefined ? () => undefined : (event) => {
      listener(redactor.value(event));
    },
  });
  const writes: WriteContext = {
    transport,
    backoff: (attempt) => transport.backoff(attempt),
  };
  const listing = { pageSize: options.userPageSize, maxUsers: options.maxListedUsers };
  return {
    get vaultId() {
      return transport.vaultId;
    },
    session: () => transport.session(),
    redact: (text) => redactor.text(text),
    close: () => {
      transport.close();
    },
    end: () => transport.end(),
    keepAliveIfIdle: () => transport.keepAliveIfIdle(),
    listUserPages: (pageOptions) => listUserPages(transport, { ...listing, signal: pageOptions?.signal }),
    getUser: (id) => getUser(transport, id),
    listSecurityPolicies: () => listSecurityPolicies(transport),
    getDomain: () => getDomain(transport),
    getLicenseUsage: () => getLicenseUsage(transport),
    listSecurityProfiles: () => listSecurityProfiles(transport),
    query: (vql) => query(transport, vql),
    createUsers: (rows, createOptions) => createUserRows(writes, rows, createOptions),
    upsertUsers: (match, rows) => upsertUserRows(writes, match, rows),
    updateUsers: (rows) => updateUserRows(writes, rows),
    updateDomainUser: (row) => updateDomainUser(writes, row),
    promotePersons: (rows) => promotePersonRows(writes, rows),
    createSiteVaultPerson: (row) => createSiteVaultPerson(writes, row),
    editSiteVaultPerson: (row) => editSiteVaultPerson(writes, row),
    readGroups: (readOptions) => readGroups(transport, readOptions?.signal),
    createGroup: (row, createOptions) => createGroup(writes, row, createOptions),
    updateGroup: (row) => updateGroup(writes, row),
    changeGroupMembers: (change, groupId, userIds) => changeGroupMembers(writes, change, groupId, userIds),
  };
}
