/**
 * The steps plan, apply and import share: load the desired state, connect to Vault, read live
 * state (with the last-applied state file), and make a plan. I/O lives here, at the edge; the
 * stages it calls are pure or own their I/O.
 */
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { loadDesiredState } from '../desired/index.js';
import { formatDiagnosticsText } from '../diagnostics.js';
import { DiagnosticsError } from '../errors.js';
import type { DesiredState, LiveState, VaultTarget } from '../model.js';
import { createPlan, type Plan, type PlanAllowFlags, type PlanMode } from '../plan/index.js';
import { acquireLock, readStateFile, sitevaultMap, type StateFile } from '../state/index.js';
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
import type { CliIo, OptionsConfig } from './command.js';

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
  --allow-mass-removal       Let the plan take memberships or app licences from more users than policy.max_access_removals
  --allow-mass-admin-grants  Let the plan grant admin profiles or Domain Admin more often than policy.max_admin_grants`;

export type Values = Record<string, string | boolean | undefined>;

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

/** Clients opened for a command run with this `io`, closed by `closeConnections` when it ends. */
const openClients = new WeakMap<CliIo, VaultClient[]>();

/** Stops the clients a command opened, so no request or wait outlives it and the process can exit. */
export function closeConnections(io: CliIo): void {
  for (const client of openClients.get(io) ?? []) client.close();
  openClients.delete(io);
}

export function connect(target: VaultTarget, values: Values, io: CliIo, concurrency?: number): Connection {
  const settings = resolveConnection(target, io.env, { deadline: stringOption(values, 'deadline') });
  const listeners = new Set<(event: ClientEvent) => void>();
  const write = (line: string): void => {
    io.stderr.write(line);
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
  openClients.set(io, [...(openClients.get(io) ?? []), client]);
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
/** What a live read needs besides the connection: the state file, and whether Clinical persons matter. */
export interface LiveRequest {
  readonly statePath: string;
  readonly promotions: boolean;
}

export function liveRequestFor(desired: DesiredState): LiveRequest {
  return { statePath: desired.state_path, promotions: desired.users.some((u) => u.promote_from_person !== undefined) };
}

export async function readLive(connection: Connection, request: LiveRequest): Promise<{ live: LiveState; state: StateFile }> {
  const live = await readLiveState(connection.client, { promotions: request.promotions });
  // The state file belongs to one vault: the one Vault says this session is in (never assumed).
  const state = readStateFile(request.statePath, live.vault_id);
  return { live: { ...live, sitevault: sitevaultMap(state) }, state };
}

/** The commit the desired files were read at, when the config lives in a git work tree. */
export function gitCommit(desired: DesiredState): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: dirname(desired.config_path),
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
    });
    const commit = out.trim();
    return /^[0-9a-f]{40}$/.test(commit) ? commit : undefined;
  } catch {
    return undefined;
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

export function makePlan(request: PlanRequest, values: Values): Plan {
  const { desired, live } = request;
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
    git_commit: gitCommit(desired),
  });
}

export function useColor(io: CliIo): boolean {
  return io.stdout.isTTY === true && (io.env.NO_COLOR ?? '') === '' && io.env.TERM !== 'dumb';
}

/** Folder for journals and other run artefacts: `.vault-roster/` beside roster.yaml. */
export function workDir(desired: DesiredState): string {
  return resolve(dirname(desired.config_path), '.vault-roster');
}
