/**
 * The JSON Schemas in specs/ and the ajv validators compiled from them. The schema files are
 * the single source of the file shapes: editors read them (yaml-language-server) and so does
 * the loader, so the two can never disagree.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv, ValidateFunction } from 'ajv';
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

/** The build's standalone validators (schemas-precompile.ts), next to the built form of this module. */
export const PRECOMPILED_FILE = './schemas.precompiled.js';

/** The precompiled module's export holding the validator of one list item of a `kind` file. */
export function itemExport(kind: FileKind): string {
  return `${kind}Item`;
}

/**
 * What the validators are made from: ajv's version, the options and every schema file's text.
 * A precompiled file made from anything else is stale and is not used.
 */
export function schemaSourceHash(): string {
  const hash = createHash('sha256');
  const ajvPackage = createRequire(import.meta.url)('ajv/package.json') as { version?: unknown };
  hash.update(`ajv ${String(ajvPackage.version)}\n${JSON.stringify(AJV_OPTIONS)}\n`);
  for (const kind of Object.keys(SCHEMA_FILES) as FileKind[]) {
    hash.update(`${SCHEMA_FILES[kind]}\n`).update(readFileSync(join(specsDirectory(), SCHEMA_FILES[kind])));
  }
  return hash.digest('hex');
}

type Precompiled = Readonly<Record<string, unknown>>;

/**
 * The precompiled validators when `file` exists and was made from the schemas as they are now;
 * undefined otherwise (running from the TypeScript sources, or a stale build): then the schemas
 * are compiled here, as before, so a stale file can never check against an old schema.
 */
export async function loadPrecompiled(file: URL): Promise<Precompiled | undefined> {
  if (!existsSync(fileURLToPath(file))) return undefined;
  const module = (await import(file.href)) as Precompiled;
  return module.SOURCE_HASH === schemaSourceHash() ? module : undefined;
}

const precompiled = await loadPrecompiled(new URL(PRECOMPILED_FILE, import.meta.url));

/** ajv's compiler, loaded only when there are no precompiled validators (its load and compile take 0.1–0.2 s). */
const compiler: { Ajv: typeof Ajv } | undefined = precompiled === undefined ? await import('ajv') : undefined;

let ajv: Ajv | undefined;
const compiled = new Map<FileKind, ValidateFunction>();

function precompiledValidator(name: string): ValidateFunction | undefined {
  const validate = precompiled?.[name];
  return typeof validate === 'function' ? (validate as ValidateFunction) : undefined;
}

/** The compiler's instance, made on first need. */
function runtimeAjv(): Ajv {
  if (compiler === undefined) throw new Error('vault-roster installation is incomplete: a precompiled schema validator is missing');
  ajv ??= new compiler.Ajv(AJV_OPTIONS);
  return ajv;
}

/** Compiled once per process, on first need (a repo without SiteVault files never compiles that schema). */
export function validatorFor(kind: FileKind): ValidateFunction {
  let validate = compiled.get(kind);
  if (validate === undefined) {
    validate = precompiledValidator(kind) ?? runtimeAjv().compile(readSchema(kind));
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
    validate = precompiledValidator(itemExport(kind)) ?? ajv?.getSchema(`${String(readSchema(kind).$id)}#/definitions/${list.definition}`);
    if (validate === undefined) throw new Error(`vault-roster installation is incomplete: ${SCHEMA_FILES[kind]} has no definition ${list.definition}`);
    itemValidators.set(kind, validate);
  }
  return validate;
}
