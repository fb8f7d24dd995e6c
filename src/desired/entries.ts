/** Declarations found in the included files, each with the file and data path it came from. */
import type { RawConfig, RawGroup, RawSiteVaultPerson, RawUser } from './raw-types.js';
import type { DataPath, YamlFile } from './yaml-file.js';

export interface UserEntry {
  readonly raw: RawUser;
  readonly yaml: YamlFile;
  /** Path of the user's mapping, e.g. ['users', 3]. */
  readonly path: DataPath;
}

export interface PersonEntry {
  readonly raw: RawSiteVaultPerson;
  readonly yaml: YamlFile;
  /** Path of the person's mapping, e.g. ['sitevault_users', 0]. */
  readonly path: DataPath;
}

export interface GroupEntry {
  readonly raw: RawGroup;
  readonly yaml: YamlFile;
  /** Path of the group's mapping, e.g. ['groups', 0]. */
  readonly path: DataPath;
}

export interface ConfigEntry {
  readonly raw: RawConfig;
  readonly yaml: YamlFile;
}

/** `file:line:col` of a position, for summaries that name a second place. */
export function formatPosition(position: { file: string; line: number; col: number }): string {
  return `${position.file}:${position.line}:${position.col}`;
}
