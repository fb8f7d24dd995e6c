/**
 * The JSON Schemas in specs/ and the ajv validators compiled from them. The schema files are
 * the single source of the file shapes: editors read them (yaml-language-server) and so does
 * the loader, so the two can never disagree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { AJV_OPTIONS, specsDirectory } from '../specs.js';

export type FileKind = 'config' | 'users' | 'sitevault';

export const SCHEMA_FILES: Readonly<Record<FileKind, string>> = {
  config: 'roster.schema.json',
  users: 'users.schema.json',
  sitevault: 'sitevault.schema.json',
};

export { AJV_OPTIONS, specsDirectory };

export function readSchema(kind: FileKind): Record<string, unknown> {
  return JSON.parse(readFileSync(join(specsDirectory(), SCHEMA_FILES[kind]), 'utf8')) as Record<string, unknown>;
}

let compiled: Map<FileKind, ValidateFunction> | undefined;

/** Compiled once per process. */
export function validatorFor(kind: FileKind): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new Ajv(AJV_OPTIONS);
    compiled = new Map((Object.keys(SCHEMA_FILES) as FileKind[]).map((k) => [k, ajv.compile(readSchema(k))]));
  }
  const validate = compiled.get(kind);
  if (validate === undefined) throw new Error(`unreachable: no schema for ${kind}`);
  return validate;
}
