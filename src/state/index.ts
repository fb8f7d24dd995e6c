/**
 * The last-applied state file: what vault-roster remembers of things Vault cannot read back.
 * SiteVault has no read endpoint, so the person ids Create returned and the assignments last
 * sent live here (like Terraform state). Owns reading, validating and atomically writing the
 * file; never talks to Vault.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { AJV_OPTIONS, specsDirectory } from '../specs.js';
import { VaultRosterError } from '../errors.js';
import type { AppliedSiteVaultPerson } from '../model.js';
import { ignoreLocalFolder, writeFileAtomic } from './atomic.js';
import type { Baseline } from '../plan/index.js';

export { acquireLock, ignoreLocalFolder, LOCAL_FOLDER, writeFileAtomic, type FileLock } from './atomic.js';
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
    hint: 'Restore it from a backup (the CI example keeps it as an artifact); or move it aside and run apply --refresh, which re-sends every SiteVault person and writes it anew. Do not edit it by hand.',
  });
}

let validate: ValidateFunction | undefined;

/** specs/state.schema.json problems of a parsed state file, `path message` each; empty when valid. */
function stateSchemaErrors(document: unknown): string[] {
  validate ??= new Ajv(AJV_OPTIONS).compile(JSON.parse(readFileSync(join(specsDirectory(), 'state.schema.json'), 'utf8')) as Record<string, unknown>);
  if (validate(document)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath === '' ? '(root)' : e.instancePath} ${e.message ?? 'is invalid'}`);
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
  const problems = stateSchemaErrors(state);
  if (problems.length > 0) throw invalid(path, problems.slice(0, 3).join('; '));
  for (const [email, person] of Object.entries((state as unknown as StateFile).sitevault)) {
    if (person.email.toLowerCase() !== email) throw invalid(path, `sitevault["${email}"] holds the person ${person.email}`);
  }
  return state as unknown as StateFile;
}

/** Writes the state atomically with stable key order, so diffs of the file read well. */
export function writeStateFile(path: string, state: StateFile): void {
  const sitevault: Record<string, AppliedSiteVaultPerson> = {};
  for (const email of Object.keys(state.sitevault).sort()) {
    const person = state.sitevault[email];
    if (person !== undefined) sitevault[email] = person;
  }
  ignoreLocalFolder(dirname(path));
  writeFileAtomic(path, JSON.stringify({ ...state, sitevault }, null, 2) + '\n');
}

export function sitevaultMap(state: StateFile): ReadonlyMap<string, AppliedSiteVaultPerson> {
  return new Map(Object.entries(state.sitevault));
}
