/**
 * Where in the YAML a user's membership, its `active:` key and its app licences are written, for
 * the report's suggested edits. Reads each users file again, and only after checking its bytes
 * are the ones the desired state was loaded from (sha256): a file edited meanwhile would point
 * the suggestions at the wrong lines, so it stops the report instead.
 */
import { resolve } from 'node:path';
import { readLoadedFile, type YamlFile } from '../desired/index.js';
import { VaultRosterError } from '../errors.js';
import { normaliseIdentity, type DesiredState, type DesiredUser } from '../model.js';

/** A place in a file, with the line as it reads there (trimmed). */
export interface Place {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly text: string;
}

export interface MembershipPlace {
  /** The list item (`- vault: 3003`). */
  readonly item: Place;
  /** The `active:` key, when written. */
  readonly active: Place | undefined;
  /** The `apps:` key, when written, and each app code under it. */
  readonly apps: { readonly key: Place; readonly codes: ReadonlyMap<string, Place> } | undefined;
}

export interface EntryLocator {
  /** The user's `user_name:` line. */
  user(user: DesiredUser): Place;
  /** The user's membership of `vaultId` as written, or undefined when the entry lists none for it. */
  membership(user: DesiredUser, vaultId: number): MembershipPlace | undefined;
}

interface Opened {
  readonly yaml: YamlFile;
  readonly lines: readonly string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function changed(file: string, why: string): VaultRosterError {
  return new VaultRosterError('invalid-input', `${file} ${why} since vault-roster loaded it`, { hint: 'Run the command again once nobody is editing the repo.' });
}

/** A locator over `desired`'s users files; `cwd` is what the users' `source.file` is relative to. */
export function createLocator(desired: DesiredState, cwd: string): EntryLocator {
  const opened = new Map<string, Opened>();
  const open = (file: string): Opened => {
    const cached = opened.get(file);
    if (cached !== undefined) return cached;
    const { yaml, text } = readLoadedFile(desired, resolve(cwd, file), file);
    const entry = { yaml, lines: text.split(/\r?\n/) };
    opened.set(file, entry);
    return entry;
  };
  const place = (f: Opened, path: readonly (string | number)[]): Place => {
    const at = f.yaml.locate(path);
    return { file: at.file, line: at.line, col: at.col, text: (f.lines[at.line - 1] ?? '').trim() };
  };
  const indexOf = (user: DesiredUser): { f: Opened; i: number } => {
    const f = open(user.source.file);
    const list = isRecord(f.yaml.data) ? f.yaml.data.users : undefined;
    const entries = Array.isArray(list) ? (list as unknown[]) : [];
    const i = entries.findIndex(
      (e, n) => isRecord(e) && typeof e.user_name === 'string' && normaliseIdentity(e.user_name) === user.user_name && f.yaml.locate(['users', n, 'user_name']).line === user.source.line,
    );
    if (i < 0) throw changed(user.source.file, `no longer declares ${user.user_name} at line ${user.source.line}`);
    return { f, i };
  };
  return {
    user: (user) => {
      const { f, i } = indexOf(user);
      return place(f, ['users', i, 'user_name']);
    },
    membership: (user, vaultId) => {
      const { f, i } = indexOf(user);
      const entry = (f.yaml.data as { users: Record<string, unknown>[] }).users[i];
      const list = Array.isArray(entry?.memberships) ? (entry.memberships as unknown[]) : [];
      const j = list.findIndex((m) => isRecord(m) && Number(m.vault) === vaultId);
      const m = list[j];
      if (!isRecord(m)) return undefined;
      const at = ['users', i, 'memberships', j];
      const apps = isRecord(m.apps)
        ? { key: place(f, [...at, 'apps']), codes: new Map(Object.keys(m.apps).map((code) => [code, place(f, [...at, 'apps', code])])) }
        : undefined;
      return { item: place(f, at), active: Object.hasOwn(m, 'active') ? place(f, [...at, 'active']) : undefined, apps };
    },
  };
}
