/**
 * The steps plan, apply and import share: load the desired state, connect to Vault, read live
 * state (with the last-applied state file), and make a plan. I/O lives here, at the edge; the
 * stages it calls are pure or own their I/O.
 */
import { dirname, resolve } from 'node:path';
import { loadDesiredState, type ConfigReady } from '../desired/index.js';
import { formatDiagnosticsText } from '../diagnostics.js';
import { DiagnosticsError } from '../errors.js';
import type { DesiredState, LiveState, VaultTarget } from '../model.js';
import { createPlan, type Plan, type PlanAllowFlags, type PlanMode } from '../plan/index.js';
import { acquireLock, readStateFile, sitevaultMap, type FileLock, type StateFile } from '../state/index.js';
import { TOOL_VERSION } from '../version.js';
import {
  createEventLogger,
  createVaultClient,
  createWaitNotifier,
  debugEnabled,
  readLiveState,
  resolveConnection,
  type ClientEvent,
  type VaultClient,
} from '../vault/index.js';
import type { CliIo, OptionValues, OptionsConfig } from './command.js';
import { gitTree, type GitTree } from './git.js';
import { trackClient } from './connections.js';

/** Flags every command that talks to Vault takes. */
export const CONNECTION_OPTIONS: OptionsConfig = {
  config: { type: 'string', short: 'c' },
  verbose: { type: 'boolean', short: 'v' },
  deadline: { type: 'string' },
};

/** Help line for --deadline, its text starting at `column` like the command's other options. */
export function deadlineHelp(column: number): string {
  return `${'      --deadline TIME'.padEnd(column - 1)}Stop the Vault work after TIME, e.g. 90s, 30m, 2h (default 1h; also VAULT_DEADLINE)`;
}

/** The `--allow-…` flags that let a plan pass a failing guard. */
export const ALLOW_OPTIONS: OptionsConfig = {
  'allow-mass-deactivation': { type: 'boolean' },
  'allow-last-domain-admin': { type: 'boolean' },
  'allow-protected-users': { type: 'boolean' },
  'allow-license-overuse': { type: 'boolean' },
  'allow-mass-removal': { type: 'boolean' },
  'allow-mass-admin-grants': { type: 'boolean' },
};

export const ALLOW_HELP = `  --allow-mass-deactivation  Let the plan deactivate more users than policy.max_deactivations
  --allow-last-domain-admin  Let the plan leave the domain without an active Domain Admin
  --allow-protected-users    Let the plan change users in policy.protected_users
  --allow-license-overuse    Let the plan exceed licensed application seats
  --allow-mass-removal       Let the plan take memberships or app licences from more users than policy.max_access_removals,
                             or remove more group members than policy.max_group_member_removals
  --allow-mass-admin-grants  Let the plan grant admin profiles or Domain Admin more often than policy.max_admin_grants`;

export type Values = OptionValues;

export function stringOption(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function allowFlags(values: Values): PlanAllowFlags {
  return {
    mass_deactivation: values['allow-mass-deactivation'] === true,
    last_domain_admin: values['allow-last-domain-admin'] === true,
    protected_users: values['allow-protected-users'] === true,
    license_overuse: values['allow-license-overuse'] === true,
    mass_removal: values['allow-mass-removal'] === true,
    mass_admin_grants: values['allow-mass-admin-grants'] === true,
  };
}

/** Loads and validates the desired state; invalid input stops here, before any request. */
export async function loadDesired(values: Values, io: CliIo): Promise<DesiredState> {
  const configPath = resolve(io.cwd, stringOption(values, 'config') ?? 'roster.yaml');
  const result = await loadDesiredState(configPath, { cwd: io.cwd });
  if (!result.ok) throw new DiagnosticsError(`${configPath} is not valid`, result.diagnostics);
  if (result.diagnostics.length > 0) io.stderr.write(formatDiagnosticsText(result.diagnostics));
  return result.state;
}

/** A client plus a way for apply to listen to its calls (for the journal). */
export interface Connection {
  readonly client: VaultClient;
  /** The server the client talks to (VAULT_URL, else vault.url). */
  readonly serverUrl: string;
  subscribe(listener: (event: ClientEvent) => void): () => void;
}

export { closeConnections } from './connections.js';

export function connect(target: VaultTarget, values: Values, io: CliIo, concurrency?: number): Connection {
  const settings = resolveConnection(target, io.env, { deadline: stringOption(values, 'deadline') });
  const listeners = new Set<(event: ClientEvent) => void>();
  const write = (line: string): void => {
    // On a terminal the line replaces apply's progress line (redrawn below it) instead of joining it.
    io.stderr.write(io.stderr.isTTY === true ? `\r\x1b[2K${line}` : line);
  };
  // Long waits always show on stderr; --verbose shows them among every other call.
  listeners.add(values.verbose === true || debugEnabled(io.env) ? createEventLogger(write) : createWaitNotifier(write));
  const client = createVaultClient({
    ...settings,
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(target.page_size === undefined ? {} : { userPageSize: target.page_size }),
    ...(target.body_format === undefined ? {} : { bodyFormat: target.body_format }),
    onEvent: (event) => {
      for (const listener of listeners) listener(event);
    },
  });
  trackClient(io, client);
  return {
    client,
    serverUrl: settings.baseUrl,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Runs `work` holding the repo's lock (beside the state file): one plan or apply at a time, so
 * two runs never plan from the same Vault and then both write.
 */
export async function withRepoLock<T>(desired: DesiredState, purpose: string, work: () => Promise<T>): Promise<T> {
  const lock = acquireLock(desired.state_path, purpose);
  try {
    return await work();
  } finally {
    lock.release();
  }
}

/** Live state of the target, with SiteVault persons from the last-applied state file (returned too). */
/** The optional reads the desired state asks for: Clinical persons (promotions) and the vault's groups. */
export interface LiveNeeds {
  readonly promotions: boolean;
  readonly groups: boolean;
}

/** What a live read needs besides the connection: the state file, and which optional reads. */
export interface LiveRequest {
  readonly statePath: string;
  /** A promise when the desired state that decides it is still loading. */
  readonly needs: LiveNeeds | PromiseLike<LiveNeeds>;
}

export function liveNeedsOf(desired: DesiredState): LiveNeeds {
  return { promotions: desired.users.some((u) => u.promote_from_person !== undefined), groups: desired.groups !== undefined };
}

export function liveRequestFor(desired: DesiredState): LiveRequest & { readonly needs: LiveNeeds } {
  return { statePath: desired.state_path, needs: liveNeedsOf(desired) };
}

/** What reading Vault cost, and what Vault said of its burst window: the plan's call estimate uses it. */
interface ReadCost {
  readonly reads: number;
  readonly limit: number | undefined;
  readonly remaining: number | undefined;
}

const readCosts = new WeakMap<LiveState, ReadCost>();

export async function readLive(connection: Connection, request: LiveRequest): Promise<{ live: LiveState; state: StateFile }> {
  let reads = 0;
  let limit: number | undefined;
  let remaining: number | undefined;
  const unsubscribe = connection.subscribe((event) => {
    // Logical calls, logins aside (Vault counts them apart): what apply will make again.
    if (event.type === 'request' && event.attempt === 0 && !event.path.endsWith('/auth')) reads += 1;
    if (event.type === 'response' && event.burstLimit !== undefined) {
      limit = event.burstLimit;
      remaining = event.burstRemaining;
    }
  });
  let read;
  try {
    const needs = Promise.resolve(request.needs);
    read = await readLiveState(connection.client, { promotions: needs.then((n) => n.promotions), groups: needs.then((n) => n.groups) });
  } finally {
    unsubscribe();
  }
  // The state file belongs to one vault: the one Vault says this session is in (never assumed).
  const state = readStateFile(request.statePath, read.vault_id);
  const live = { ...read, sitevault: sitevaultMap(state) };
  readCosts.set(live, { reads, limit, remaining });
  return { live, state };
}

/** What `withDesiredAndLive` hands its work: both states, read at the same time. */
export interface DesiredAndLive {
  readonly desired: DesiredState;
  readonly connection: Connection;
  readonly live: LiveState;
  readonly state: StateFile;
}

/** The read started as soon as the config was known to be valid. */
interface EarlyRead {
  readonly connection: Connection;
  readonly lock: FileLock;
  readonly live: Promise<{ live: LiveState; state: StateFile }>;
}

function startEarlyRead(config: ConfigReady, values: Values, io: CliIo, purpose: string, needs: Promise<LiveNeeds>): EarlyRead {
  const connection = connect(config.target, values, io);
  const lock = acquireLock(config.state_path, purpose);
  const live = readLive(connection, { statePath: config.state_path, needs });
  // Its failure is reported only once the desired files are known to be valid (else dropped).
  live.catch(() => undefined);
  return { connection, lock, live };
}

/**
 * `loadDesired`, `connect`, `withRepoLock` and `readLive` in one, overlapped: Vault is read
 * (under the repo lock) as soon as the config is valid, its target and state file then being
 * final, while the included files load; a read mostly waits on the server. The outcome is the
 * same as doing them one after the other: invalid desired files stop the command with their
 * diagnostics before any Vault error is shown (the read is stopped and dropped), and `work`
 * runs holding the lock. Vault is only ever read here, never written.
 */
export async function withDesiredAndLive<T>(values: Values, io: CliIo, purpose: string, work: (inputs: DesiredAndLive) => Promise<T> | T): Promise<T> {
  const configPath = resolve(io.cwd, stringOption(values, 'config') ?? 'roster.yaml');
  let early: EarlyRead | undefined;
  let earlyError: unknown;
  let decide: (needs: LiveNeeds) => void = () => undefined;
  const needs = new Promise<LiveNeeds>((settle) => (decide = settle));
  const load = loadDesiredState(configPath, {
    cwd: io.cwd,
    onConfig: (config) => {
      try {
        early = startEarlyRead(config, values, io, purpose, needs);
      } catch (error) {
        earlyError = error;
      }
    },
  });
  // Settled before `early` is read: the loader calls onConfig (or not) before it resolves.
  const result = await load.catch((error: unknown) => ({ failed: error }));
  const read = early;
  try {
    if ('failed' in result) throw result.failed;
    if (!result.ok) throw new DiagnosticsError(`${configPath} is not valid`, result.diagnostics);
    if (result.diagnostics.length > 0) io.stderr.write(formatDiagnosticsText(result.diagnostics));
    if (read === undefined) throw earlyError instanceof Error ? earlyError : new Error('the config was valid but no Vault read was started');
    decide(liveNeedsOf(result.state));
    const { live, state } = await read.live;
    return await work({ desired: result.state, connection: read.connection, live, state });
  } catch (error) {
    read?.connection.client.close();
    throw error;
  } finally {
    decide({ promotions: false, groups: false });
    read?.lock.release();
  }
}

export interface PlanRequest {
  readonly desired: DesiredState;
  readonly live: LiveState;
  readonly state: StateFile;
  readonly serverUrl: string;
  readonly mode: PlanMode;
  readonly refresh: boolean;
}

function gitFields(tree: GitTree | undefined): { git_commit?: string; git_dirty?: boolean } {
  return tree === undefined ? {} : { git_commit: tree.commit, git_dirty: tree.dirtyFiles.length > 0 };
}

export function makePlan(request: PlanRequest, values: Values): Plan {
  const { desired, live } = request;
  const cost = readCosts.get(live);
  return createPlan(desired, live, {
    tool_version: TOOL_VERSION,
    created_at: new Date().toISOString(),
    target: {
      // The configured address names the vault; VAULT_URL may point at a tunnel or the simulator.
      url: desired.target.url ?? request.serverUrl,
      // The server actually read: apply refuses to run the plan against any other.
      server: request.serverUrl,
      vault_id: live.vault_id,
      api_version: desired.target.api_version,
    },
    allow: allowFlags(values),
    refresh_sitevault: request.refresh,
    mode: request.mode,
    baseline: request.state.baseline,
    ...gitFields(gitTree(desired)),
    // The limit Vault reported on the reads just made; the default only when it said nothing.
    burst_limit: cost?.limit,
    burst_remaining: cost?.remaining,
    read_calls: cost?.reads,
  });
}

export function useColor(io: CliIo): boolean {
  return io.stdout.isTTY === true && (io.env.NO_COLOR ?? '') === '' && io.env.TERM !== 'dumb';
}

/** Folder for journals and other run artefacts: `.vault-roster/` beside roster.yaml. */
export function workDir(desired: DesiredState): string {
  return resolve(dirname(desired.config_path), '.vault-roster');
}
