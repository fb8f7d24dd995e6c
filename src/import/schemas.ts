/**
 * The JSON Schemas a roster repository carries for its editors: every file in vault-roster's
 * specs/ folder (not a fixed list, so a schema added there ships without a change here), copied
 * into the repository so `$schema` can point at them relatively whatever the install layout
 * (devDependency, global, npx cache, the Action's temp folder).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { specsDirectory } from '../specs.js';

/** Where import puts the schemas, relative to roster.yaml; `vault-roster schemas --write` defaults to it too. */
export const SCHEMAS_FOLDER = 'schemas';

/** Every `$id` vault-roster gives its schemas starts with this; a file without it is not ours. */
export const SCHEMA_ID_PREFIX = 'urn:vault-roster:schema:';

/** File name → content of every `*.schema.json` in specs/, sorted by name. */
export function bundledSchemas(): Map<string, string> {
  const dir = specsDirectory();
  const names = readdirSync(dir)
    .filter((name) => name.endsWith('.schema.json'))
    .sort();
  return new Map(names.map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

/** True when `text` is a vault-roster schema (its `$id` carries our prefix): safe to replace. */
export function isVaultRosterSchema(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as { $id?: unknown };
    return typeof parsed.$id === 'string' && parsed.$id.startsWith(SCHEMA_ID_PREFIX);
  } catch {
    return false;
  }
}

/**
 * The editor hint for a YAML file `depth` folders below roster.yaml: the yaml-language-server
 * modeline with a path relative to that file.
 */
export function schemaComment(schemasPath: string, depth: number, file: string): string {
  return `# yaml-language-server: $schema=${'../'.repeat(depth)}${schemasPath}/${file}\n`;
}
