/**
 * The JSON Schemas in specs/ and the ajv validators compiled from them. The schema files are
 * the single source of the file shapes: editors read them (yaml-language-server) and so does
 * the loader, so the two can never disagree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

export type FileKind = 'config' | 'users' | 'sitevault';

export const SCHEMA_FILES: Readonly<Record<FileKind, string>> = {
  config: 'roster.schema.json',
  users: 'users.schema.json',
  sitevault: 'sitevault.schema.json',
};

/**
 * Strict mode catches schema mistakes; allErrors reports everything at once; verbose gives each
 * error its schema so messages can quote the property's description. Union types are allowed
 * because `security_policy` is honestly "text or number".
 */
export const AJV_OPTIONS = { strict: true, allErrors: true, verbose: true, allowUnionTypes: true } as const;

/** specs/ sits at the package root, reached from src/desired (tests) and dist/src/desired (built). */
export function specsDirectory(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'specs');
    if (existsSync(join(candidate, SCHEMA_FILES.config))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('vault-roster installation is incomplete: specs/roster.schema.json not found');
    dir = parent;
  }
}

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
