/**
 * The JSON Schemas in specs/ and the ajv validators compiled from them. The schema files are
 * the single source of the file shapes: editors read them (yaml-language-server) and so does
 * the loader, so the two can never disagree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { AJV_OPTIONS, specsDirectory } from '../specs.js';

export type FileKind = 'config' | 'users' | 'sitevault' | 'groups';

export const SCHEMA_FILES: Readonly<Record<FileKind, string>> = {
  config: 'roster.schema.json',
  users: 'users.schema.json',
  sitevault: 'sitevault.schema.json',
  groups: 'groups.schema.json',
};

export { AJV_OPTIONS, specsDirectory };

export function readSchema(kind: FileKind): Record<string, unknown> {
  return JSON.parse(readFileSync(join(specsDirectory(), SCHEMA_FILES[kind]), 'utf8')) as Record<string, unknown>;
}

let ajv: Ajv | undefined;
const compiled = new Map<FileKind, ValidateFunction>();

/** Compiled once per process, on first need (a repo without SiteVault files never compiles that schema). */
export function validatorFor(kind: FileKind): ValidateFunction {
  let validate = compiled.get(kind);
  if (validate === undefined) {
    ajv ??= new Ajv(AJV_OPTIONS);
    validate = ajv.compile(readSchema(kind));
    compiled.set(kind, validate);
  }
  return validate;
}

/** The list each desired-state file holds, and the schema definition of one of its items (a user, a person, a group). */
export const LIST_OF_KIND: Readonly<Partial<Record<FileKind, { readonly key: string; readonly definition: string }>>> = {
  users: { key: 'users', definition: 'user' },
  sitevault: { key: 'sitevault_users', definition: 'person' },
  groups: { key: 'groups', definition: 'group' },
};

const itemValidators = new Map<FileKind, ValidateFunction>();

/** The validator of one list item of a `kind` file (a user, a SiteVault person), from the same compiled schema. */
export function itemValidatorFor(kind: FileKind): ValidateFunction | undefined {
  const list = LIST_OF_KIND[kind];
  if (list === undefined) return undefined;
  let validate = itemValidators.get(kind);
  if (validate === undefined) {
    validatorFor(kind);
    const id = readSchema(kind).$id;
    validate = ajv?.getSchema(`${String(id)}#/definitions/${list.definition}`);
    if (validate === undefined) throw new Error(`vault-roster installation is incomplete: ${SCHEMA_FILES[kind]} has no definition ${list.definition}`);
    itemValidators.set(kind, validate);
  }
  return validate;
}
