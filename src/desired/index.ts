/**
 * Desired state: reads roster.yaml and the files it includes, validates them (shape with ajv
 * against specs/, then meaning with named rules) and normalises them into a DesiredState.
 *
 * Owns: file reading, YAML parsing with source positions, validation, normalisation.
 * Must not: talk to Vault, print, exit, or throw for a user's mistake (those are diagnostics).
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { hasErrors, type Diagnostic } from '../diagnostics.js';
import { normaliseIdentity, type DesiredState, type DesiredUser, type SourceFile } from '../model.js';
import type { ConfigEntry, GroupEntry, PersonEntry, UserEntry } from './entries.js';
import { detectFileKind, topLevelNotMapping } from './file-kind.js';
import { groupDeclaration, mergeGroups, userGroupRefs, type UserGroupRef } from './groups.js';
import { expandIncludes } from './include.js';
import { normalisePerson, normalisePolicy, normaliseTarget, normaliseUser, statePath } from './normalise.js';
import type { RawConfig, RawGroupsFile, RawSiteVaultFile, RawUsersFile } from './raw-types.js';
import { checkConfigRules, csvBodyValues } from './rules-config.js';
import { checkGroupRules, type GroupRuleInput } from './rules-groups.js';
import { checkSiteVaultRules } from './rules-sitevault.js';
import { UserRuleRun } from './rules-users.js';
import { checkShape, checkShapeOfItems } from './shape.js';
import { readSourceFile, type FileRole } from './source-file.js';
import { parseYamlFile, type YamlFile } from './yaml-file.js';

export { parseYamlFile, type YamlFile } from './yaml-file.js';
export { readLoadedFile, type LoadedFile } from './loaded-file.js';
export type { RawConfig } from './raw-types.js';

export type LoadResult = { ok: true; state: DesiredState; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

export interface LoadOptions {
  /** Base for a relative configPath and for the file names in diagnostics. Default: process.cwd(). */
  readonly cwd?: string;
  /**
   * Called once the config file is read and passes its shape and rules (no error so far), before
   * the included files are read: the target and state path are then final, so a caller may start
   * reading Vault while the users load. Not called when the config has any error. Must not throw.
   */
  readonly onConfig?: (config: ConfigReady) => void;
}

/** What the config settles before the included files are read (the same values `DesiredState` gets). */
export interface ConfigReady {
  readonly target: DesiredState['target'];
  readonly state_path: string;
}

interface LoadedFile {
  readonly yaml: YamlFile;
  readonly sha256: string;
}

/**
 * Adds `items` to `target` one by one: push(...items) passes every item as an argument and
 * overflows the stack on a file with a hundred thousand problems.
 */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

async function loadFile(absolutePath: string, displayPath: string, role: FileRole, sink: Diagnostic[]): Promise<LoadedFile | undefined> {
  const read = await readSourceFile(absolutePath, displayPath, role);
  if (!read.ok) {
    append(sink, read.diagnostics);
    return undefined;
  }
  const parsed = parseYamlFile(read.source.text, displayPath);
  append(sink, parsed.diagnostics);
  return parsed.ok ? { yaml: parsed.yaml, sha256: read.source.sha256 } : undefined;
}

/** The include list when it is a non-empty list of non-empty strings, whatever the rest of the config. */
function usableInclude(data: unknown): string[] | undefined {
  if (typeof data !== 'object' || data === null || !('include' in data)) return undefined;
  const include: unknown = data.include;
  if (!Array.isArray(include) || include.length === 0) return undefined;
  return include.every((p): p is string => typeof p === 'string' && p !== '') ? include : undefined;
}

/** The entries of every included file, by kind. */
interface FoundEntries {
  /** The users of the file read last: users are checked and normalised file by file (`UserFiles`). */
  readonly users: UserEntry[];
  readonly persons: PersonEntry[];
  readonly groups: GroupEntry[];
  /** Labels of every group item of a groups file, valid or not (key → label); undefined = no groups file. */
  declaredLabels: Map<string, string> | undefined;
  /** Included files that could not be read or whose kind is unknown (one of them may be meant as a groups file). */
  unreadFiles: number;
}

function emptyFound(): FoundEntries {
  return { users: [], persons: [], groups: [], declaredLabels: undefined, unreadFiles: 0 };
}

/** Every group item with a usable label, even one its schema refused: users naming it are not also told it is undeclared. */
function rememberLabels(data: unknown, found: FoundEntries): void {
  const labels = (found.declaredLabels ??= new Map());
  const items: unknown = typeof data === 'object' && data !== null && 'groups' in data ? data.groups : undefined;
  if (!Array.isArray(items)) return;
  for (const item of items as unknown[]) {
    const label: unknown = typeof item === 'object' && item !== null && 'label' in item ? item.label : undefined;
    if (typeof label === 'string' && label.trim() !== '' && !labels.has(normaliseIdentity(label))) labels.set(normaliseIdentity(label), label.trim());
  }
}

/**
 * Sorts one parsed file's items into `found` by the file's kind. Rules see only entries that
 * passed their schema, so they can trust the raw types; in a file with some invalid entries the
 * others are still checked (one run shows every problem).
 */
function collectEntries(yaml: YamlFile, found: FoundEntries, diagnostics: Diagnostic[]): void {
  const kind = detectFileKind(yaml);
  if (!kind.ok) {
    diagnostics.push(kind.diagnostic);
    found.unreadFiles++;
    return;
  }
  if (kind.kind === 'groups') rememberLabels(yaml.data, found);
  const shape = checkShapeOfItems(yaml, kind.kind);
  append(diagnostics, shape.diagnostics);
  if (shape.diagnostics.length > 0 && shape.validItems === undefined) return;
  const valid = shape.validItems === undefined ? undefined : new Set(shape.validItems);
  const keep = (i: number): boolean => valid === undefined || valid.has(i);
  if (kind.kind === 'users') {
    (yaml.data as RawUsersFile).users.forEach((raw, i) => {
      if (keep(i)) found.users.push({ raw, yaml, path: ['users', i] });
    });
  } else if (kind.kind === 'sitevault') {
    (yaml.data as RawSiteVaultFile).sitevault_users.forEach((raw, i) => {
      if (keep(i)) found.persons.push({ raw, yaml, path: ['sitevault_users', i] });
    });
  } else {
    (yaml.data as RawGroupsFile).groups.forEach((raw, i) => {
      if (keep(i)) found.groups.push({ raw, yaml, path: ['groups', i] });
    });
  }
}

/** Group declarations and users' `groups:` items with their positions, read once for rules and merge. */
function readGroups(found: FoundEntries, refs: UserGroupRef[]): GroupRuleInput {
  return {
    entries: found.groups,
    groups: found.groups.map(groupDeclaration),
    refs,
    declared: found.declaredLabels,
    someFileUnread: found.unreadFiles > 0,
  };
}

/**
 * The users of every file, taken file by file: each file's users are checked, their group
 * references read and (while nothing is wrong anywhere) normalised as soon as the file is read,
 * so no file's parsed data outlives its turn. At 100,000 users the parsed files were a third of
 * what `validate` kept alive, and copying them between GC generations a sizeable share of its time.
 */
class UserFiles {
  readonly rules: UserRuleRun;
  readonly csv: Diagnostic[] = [];
  readonly groupRefs: UserGroupRef[] = [];
  /** Normalised users, kept while no error has been found (after one they are moot). */
  readonly normalised: DesiredUser[] = [];
  readonly #config: ConfigEntry | undefined;
  /** An error was found: nothing more is normalised. */
  #stopped = false;

  constructor(config: ConfigEntry | undefined) {
    this.#config = config;
    this.rules = new UserRuleRun(config);
  }

  add(users: readonly UserEntry[], diagnostics: readonly Diagnostic[]): void {
    const config = this.#config;
    this.rules.add(users);
    append(this.csv, csvBodyValues(users, config));
    append(this.groupRefs, userGroupRefs(users));
    if (this.#stopped || config === undefined || this.rules.hasErrors || hasErrors(this.csv) || hasErrors(diagnostics)) {
      this.#stopped = true;
      this.normalised.length = 0;
      this.rules.settle();
      return;
    }
    const first = this.normalised.length;
    for (const entry of users) this.normalised.push(normaliseUser(entry, config));
    // A normalised user's source is its user_name position: the name rule keeps that, not the entry.
    this.rules.settle((index) => this.normalised[first + index]?.source);
  }
}

/** Reads, validates and normalises the desired state declared by `configPath` and its includes. */
export async function loadDesiredState(configPath: string, options: LoadOptions = {}): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const absoluteConfig = resolve(cwd, configPath);
  const configDir = dirname(absoluteConfig);
  const display = (absolute: string): string => toPosix(relative(cwd, absolute)) || absolute;
  const diagnostics: Diagnostic[] = [];

  const configFile = await loadFile(absoluteConfig, display(absoluteConfig), 'config', diagnostics);
  if (configFile === undefined) return { ok: false, diagnostics };
  const notMapping = topLevelNotMapping(configFile.yaml, '"vault:" and "include:" keys (see specs/roster.schema.json).');
  if (notMapping !== undefined) return { ok: false, diagnostics: [...diagnostics, notMapping] };
  const configShape = checkShape(configFile.yaml, 'config');
  append(diagnostics, configShape);
  // A config with a wrong shape still has its included files checked when `include` itself is
  // usable, so one run reports everything; rules that need the config (defaults, api_version) wait.
  const config: ConfigEntry | undefined = configShape.length === 0 ? { raw: configFile.yaml.data as RawConfig, yaml: configFile.yaml } : undefined;
  const include = usableInclude(configFile.yaml.data);
  if (include === undefined) return { ok: false, diagnostics };
  if (config !== undefined) append(diagnostics, checkConfigRules(config));
  if (config !== undefined && !hasErrors(diagnostics)) {
    options.onConfig?.({ target: normaliseTarget(config.raw), state_path: statePath(config.raw, configDir) });
  }

  const included = await expandIncludes(include, configFile.yaml, configDir, absoluteConfig);
  append(diagnostics, included.diagnostics);
  const files: SourceFile[] = [{ path: toPosix(relative(configDir, absoluteConfig)), sha256: configFile.sha256 }];
  const found = emptyFound();
  const users = new UserFiles(config);
  for (const relativePath of included.files) {
    const absolute = resolve(configDir, relativePath);
    const loaded = await loadFile(absolute, display(absolute), 'include', diagnostics);
    if (loaded === undefined) {
      found.unreadFiles++;
      continue;
    }
    files.push({ path: toPosix(relativePath), sha256: loaded.sha256 });
    collectEntries(loaded.yaml, found, diagnostics);
    if (found.users.length > 0) users.add(found.users.splice(0), diagnostics);
  }
  const { persons } = found;
  const groups = readGroups(found, users.groupRefs);
  append(diagnostics, users.rules.diagnostics());
  append(diagnostics, users.csv);
  append(diagnostics, checkSiteVaultRules(persons));
  append(diagnostics, checkGroupRules(groups));
  if (config === undefined || hasErrors(diagnostics)) return { ok: false, diagnostics };

  const state: DesiredState = {
    config_path: absoluteConfig,
    target: normaliseTarget(config.raw),
    policy: normalisePolicy(config.raw),
    state_path: statePath(config.raw, configDir),
    users: users.normalised.sort((a, b) => (a.user_name < b.user_name ? -1 : a.user_name > b.user_name ? 1 : 0)),
    sitevault: persons.map(normalisePerson).sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0)),
    ...(groups.declared === undefined ? {} : { groups: mergeGroups(groups.groups, groups.refs) }),
    files,
  };
  return { ok: true, state, diagnostics };
}
