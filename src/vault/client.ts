/**
 * `createVaultClient`: the one object the rest of vault-roster uses to talk to Vault. It wires
 * the transport (session, pacing, retries, redaction) to the typed endpoint calls.
 */
import type { FieldValue, LicenseUsage } from '../model.js';
import type { SessionInfo } from './auth.js';
import { sitevaultCreatePerson, sitevaultEditPerson, promotePersons, type SiteVaultPersonResult } from './clinical.js';
import { systemClock, type Clock } from './clock.js';
import { getDomain, getLicenseUsage, listSecurityPolicies, type DomainInfo, type SecurityPolicy } from './directory.js';
import type { JsonRecord, RowResult, WriteRow } from './envelope.js';
import type { ClientEvent } from './events.js';
import { query, queryPages } from './query.js';
import { Redactor } from './redact.js';
import { backoffDelay, DEFAULT_MAX_RETRIES } from './retry.js';
import { VaultTransport, type Credentials } from './transport.js';
import {
  createUsers,
  disableUser,
  getUser,
  listUserPages,
  listUsers,
  updateUser,
  updateUsers,
  updateVaultMembership,
  type CreateUsersOptions,
  type MembershipUpdate,
  type UserRow,
  type VaultUser,
} from './users.js';

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
  /** Users per Retrieve All Users page (default 1000; a refused size falls back to Vault's 200). */
  readonly userPageSize?: number | undefined;
  /** Most users one listing may return before it is stopped as a runaway (default 1,000,000). */
  readonly maxListedUsers?: number | undefined;
}

export interface VaultClient {
  /** The vault the session is in, once the first call has been made. */
  readonly vaultId: number | undefined;
  /** Logs in if needed; the session id inside must never be printed. */
  session(): Promise<SessionInfo>;
  /** Replaces every secret the client knows with `***`. */
  redact(text: string): string;
  /**
   * Waits before a caller's own repeat of a call the client will not repeat (attempt 0 first):
   * the client's backoff with jitter, on its clock, so tests capture it instead of sleeping.
   */
  backoff(attempt: number): Promise<void>;

  listUsers(): Promise<VaultUser[]>;
  /** Pages of users; once `signal` aborts, no further page is requested. */
  listUserPages(options?: { readonly signal?: AbortSignal }): AsyncIterable<VaultUser[]>;
  getUser(id: number | 'me'): Promise<VaultUser>;
  createUsers(rows: readonly UserRow[], options?: CreateUsersOptions): Promise<RowResult[]>;
  updateUsers(rows: readonly UserRow[]): Promise<RowResult[]>;
  updateUser(id: number, fields: Readonly<Record<string, FieldValue>>): Promise<number>;
  updateVaultMembership(userId: number, vaultId: number, membership: MembershipUpdate): Promise<void>;
  disableUser(id: number, options: { domain: boolean }): Promise<void>;

  listSecurityPolicies(): Promise<SecurityPolicy[]>;
  getDomain(): Promise<DomainInfo>;
  getLicenseUsage(): Promise<LicenseUsage[]>;
  query(vql: string): Promise<JsonRecord[]>;
  queryPages(vql: string): AsyncIterable<JsonRecord[]>;

  sitevaultCreatePerson(person: JsonRecord): Promise<SiteVaultPersonResult>;
  sitevaultEditPerson(personId: string, person: JsonRecord): Promise<SiteVaultPersonResult>;
  promotePersons(rows: readonly WriteRow<JsonRecord>[]): Promise<RowResult[]>;
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
    emit: listener === undefined ? () => undefined : (event) => {
      listener(redactor.value(event));
    },
  });
  const listing = { pageSize: options.userPageSize, maxUsers: options.maxListedUsers };
  return {
    get vaultId() {
      return transport.vaultId;
    },
    session: () => transport.session(),
    redact: (text) => redactor.text(text),
    backoff: (attempt) => transport.settings.clock.sleep(backoffDelay(attempt, transport.settings.random)),
    listUsers: () => listUsers(transport, listing),
    listUserPages: (pageOptions) => listUserPages(transport, { ...listing, signal: pageOptions?.signal }),
    getUser: (id) => getUser(transport, id),
    createUsers: (rows, createOptions) => createUsers(transport, rows, createOptions),
    updateUsers: (rows) => updateUsers(transport, rows),
    updateUser: (id, fields) => updateUser(transport, id, fields),
    updateVaultMembership: (userId, vaultId, membership) => updateVaultMembership(transport, userId, vaultId, membership),
    disableUser: (id, disableOptions) => disableUser(transport, id, disableOptions),
    listSecurityPolicies: () => listSecurityPolicies(transport),
    getDomain: () => getDomain(transport),
    getLicenseUsage: () => getLicenseUsage(transport),
    query: (vql) => query(transport, vql),
    queryPages: (vql) => queryPages(transport, vql),
    sitevaultCreatePerson: (person) => sitevaultCreatePerson(transport, person),
    sitevaultEditPerson: (personId, person) => sitevaultEditPerson(transport, personId, person),
    promotePersons: (rows) => promotePersons(transport, rows),
  };
}
