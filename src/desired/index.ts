/**
 * Desired state: reads roster.yaml and the files it includes, validates them (shape with ajv
 * against specs/, then meaning with named rules) and normalises them into a DesiredState.
 *
 * Owns: file reading, YAML parsing with source positions, validation, normalisation.
 * Must not: talk to Vault, print, exit, or throw for a user's mistake (those are diagnostics).
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { hasErrors, type Diagnostic } from '../diagnostics.js';
import type { DesiredState, SourceFile } from '../model.js';
import type { ConfigEntry, PersonEntry, UserEntry } from './entries.js';
import { detectFileKind, topLevelNotMapping } from './file-kind.js';
import { expandIncludes } from './include.js';
import { normalisePerson, normalisePolicy, normaliseTarget, normaliseUser, statePath } from './normalise.js';
import type { RawConfig, RawSiteVaultFile, RawUsersFile } from './raw-types.js';
import { checkConfigRules, csvBodyValues } from './rules-config.js';
import { checkSiteVaultRules } from './rules-sitevault.js';
import { checkUserRules } from './rules-users.js';
import { checkShape, checkShapeOfItems } from './shape.js';
import { readSourceFile, type FileRole } from './source-file.js';
import { parseYamlFile, type YamlFile } from './yaml-file.js';

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
  const users: UserEntry[] = [];
  const persons: PersonEntry[] = [];
  for (const relativePath of included.files) {
    const absolute = resolve(configDir, relativePath);
    const loaded = await loadFile(absolute, display(absolute), 'include', diagnostics);
    if (loaded === undefined) continue;
    files.push({ path: toPosix(relativePath), sha256: loaded.sha256 });
    const kind = detectFileKind(loaded.yaml);
    if (!kind.ok) {
      diagnostics.push(kind.diagnostic);
      continue;
    }
    const shape = checkShapeOfItems(loaded.yaml, kind.kind);
    append(diagnostics, shape.diagnostics);
    if (shape.diagnostics.length > 0 && shape.validItems === undefined) continue;
    // Rules see only entries that passed their schema, so they can trust the raw types; in a
    // file with some invalid entries the others are still checked (one run shows every problem).
    const valid = shape.validItems === undefined ? undefined : new Set(shape.validItems);
    if (kind.kind === 'users') {
      (loaded.yaml.data as RawUsersFile).users.forEach((raw, i) => {
        if (valid === undefined || valid.has(i)) users.push({ raw, yaml: loaded.yaml, path: ['users', i] });
      });
    } else {
      (loaded.yaml.data as RawSiteVaultFile).sitevault_users.forEach((raw, i) => {
        if (valid === undefined || valid.has(i)) persons.push({ raw, yaml: loaded.yaml, path: ['sitevault_users', i] });
      });
    }
  }
  append(diagnostics, checkUserRules(users, config));
  append(diagnostics, csvBodyValues(users, config));
  append(diagnostics, checkSiteVaultRules(persons));
  if (config === undefined || hasErrors(diagnostics)) return { ok: false, diagnostics };

  const state: DesiredState = {
    config_path: absoluteConfig,
    target: normaliseTarget(config.raw),
    policy: normalisePolicy(config.raw),
    state_path: statePath(config.raw, configDir),
    users: users.map((u) => normaliseUser(u, config)).sort((a, b) => (a.user_name < b.user_name ? -1 : a.user_name > b.user_name ? 1 : 0)),
    sitevault: persons.map(normalisePerson).sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0)),
    files,
  };
  return { ok: true, state, diagnostics };
}
