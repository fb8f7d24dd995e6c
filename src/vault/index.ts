/**
 * src/vault: the only code that speaks HTTP to Vault.
 *
 * Owns: connection settings from config and environment, authentication (and refusing a session
 * in the wrong vault), Vault's envelope and per-row results, burst pacing, retries of what is safe
 * to repeat, redaction of secrets, the typed endpoint calls, and `readLiveState`.
 * Must not: decide what to change (the planner does), print anything (events go to `onEvent`),
 * or import from src/simulator.
 */
export { createVaultClient, DEFAULT_BURST_WINDOW_MS, DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from './client.js';
export type { VaultClient, VaultClientOptions } from './client.js';
export { resolveConnection, isLoopbackHost } from './connection.js';
export type { ConnectionSettings, Environment } from './connection.js';
export type { Credentials } from './transport.js';
export type { SessionInfo, SessionVault } from './auth.js';
export { vaultNamedBy } from './auth.js';
export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export { formatClientEvent, formatWaitEvent, formatDuration, createEventLogger, createWaitNotifier, debugEnabled } from './events.js';
export type { ClientEvent, RequestEvent, ResponseEvent, RetryEvent, PaceEvent, AuthEvent, WaitEvent, WaitReason } from './events.js';
export { DEFAULT_DEADLINE_MS, DEFAULT_WAIT_NOTICE } from './waits.js';
export type { WaitNoticeSettings } from './waits.js';
export { parseRowResults } from './envelope.js';
export type { RowResult, WriteRow, JsonRecord } from './envelope.js';
export { formFields } from './users.js';
export type { CreateUsersOptions, UserRow, VaultUser } from './users.js';
export type { DomainInfo, DomainVault, SecurityPolicy } from './directory.js';
export type { SiteVaultPersonResult } from './clinical.js';
export type { RowOutcome } from './writes.js';
export { readLiveState, normaliseLiveUser, lastLoginOf, isSystemUser, PERSONS_VQL } from './live-state.js';
export type { LiveStateScope } from './live-state.js';
export { Redactor } from './redact.js';
export { RETRYABLE_VAULT_ERRORS } from './retry.js';
export * from '../vault-api/index.js';
