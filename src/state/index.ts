/**
 * The last-applied state file: what vault-roster remembers of things Vault cannot read back.
 * SiteVault has no read endpoint, so the person ids Create returned and the assignments last
 * sent live here (like Terraform state). Owns reading, validating and atomically writing the
 * file; never talks to Vault.
 */
import { readFileSync } from 'node:fs';
import { VaultRosterError } from '../errors.js';
import type { AppliedSiteVaultPerson } from '../model.js';
import { writeFileAtomic } from './atomic.js';
import type { Baseline } from '../plan/index.js';

export { acquireLock, writeFileAtomic, type FileLock } from './atomic.js';
export { entryDigestsInBackground, nextBaseline } from './baseline.js';

export const STATE_FORMAT_VERSION = 1;

export interface StateFile {
  readonly format_version: typeof STATE_FORMAT_VERSION;
  /** The vault the state belongs to; a state file of another vault is refused. */
  readonly vault_id: number;
  readonly updated_at: string;
  /** SiteVault persons by lower-cased email. */
  readonly sitevault: Readonly<Record<string, AppliedSiteVaultPerson>>;
  /** What was last applied, for `plan --drift`; absent until the first apply or import. */
  readonly baseline?: Baseline;
}

export function emptyState(vaultId: number): StateFile {
  return { format_version: STATE_FORMAT_VERSION, vault_id: vaultId, updated_at: new Date(0).toISOString(), sitevault: {} };
}

function invalid(path: string, why: string): VaultRosterError {
  return new VaultRosterError('state-file', `state file ${path} is not usable: ${why}`, {
    hint: 'Restore it from version control or a backup; do not edit it by hand.',
  });
}

/** Reads the state file; a missing file is an empty state for `vaultId`. */
export function readStateFile(path: string, vaultId: number): StateFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState(vaultId);
    throw invalid(path, (error as Error).message);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(path, `not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid(path, 'not an object');
  const state = parsed as Record<string, unknown>;
  if (state.format_version !== STATE_FORMAT_VERSION) {
    throw invalid(path, `format_version ${String(state.format_version)} is not ${STATE_FORMAT_VERSION}`);
  }
  if (state.vault_id !== vaultId) {
    throw new VaultRosterError('state-file', `state file ${path} belongs to vault ${String(state.vault_id)}, not ${vaultId}`, {
      hint: 'Point roster.yaml `state:` at the state file of this vault.',
    });
  }
  if (typeof state.sitevault !== 'object' || state.sitevault === null) throw invalid(path, 'sitevault is missing');
  return state as unknown as StateFile;
}

/** Writes the state atomically with stable key order, so diffs of the file read well. */
export function writeStateFile(path: string, state: StateFile): void {
  const sitevault: Record<string, AppliedSiteVaultPerson> = {};
  for (const email of Object.keys(state.sitevault).sort()) {
    const person = state.sitevault[email];
    if (person !== undefined) sitevault[email] = person;
  }
  writeFileAtomic(path, JSON.stringify({ ...state, sitevault }, null, 2) + '\n');
}

export function sitevaultMap(state: StateFile): ReadonlyMap<string, AppliedSiteVaultPerson> {
  return new Map(Object.entries(state.sitevault));
}
