/**
 * The build's standalone validators (src/desired/schemas-precompile.ts) say exactly what ajv
 * compiling specs/ says, and a generated file made from other schemas is never used.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { glob } from 'tinyglobby';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { precompiledSource } from '../../src/desired/schemas-precompile.js';
import { AJV_OPTIONS, LIST_OF_KIND, SCHEMA_FILES, itemExport, loadPrecompiled, readSchema, schemaSourceHash, type FileKind } from '../../src/desired/schemas.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BUILT = join(ROOT, 'dist', 'src', 'desired', 'schemas.precompiled.js');
const KINDS = Object.keys(SCHEMA_FILES) as FileKind[];
const scratch = mkdtempSync(join(tmpdir(), 'vault-roster-precompiled-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** The same validators as the loader compiles at run time without a build. */
function runtimeValidators(): Map<string, ValidateFunction> {
  const ajv = new Ajv(AJV_OPTIONS);
  const out = new Map<string, ValidateFunction>();
  for (const kind of KINDS) {
    const schema = readSchema(kind);
    out.set(kind, ajv.compile(schema));
    const list = LIST_OF_KIND[kind];
    const item = list === undefined ? undefined : ajv.getSchema(`${String(schema.$id)}#/definitions/${list.definition}`);
    if (item !== undefined) out.set(itemExport(kind), item);
  }
  return out;
}

/** Result and errors (schema and data included: the loader quotes both) of one validator call. */
function verdict(validate: ValidateFunction, data: unknown): unknown {
  const ok = validate(data);
  return { ok, errors: validate.errors ?? null };
}

describe('precompiled schema validators', () => {
  it('the build holds what the generator makes from the schemas as they are now (else: npm run build)', () => {
    expect(readFileSync(BUILT, 'utf8')).toBe(precompiledSource());
  });

  it('a generated file made from other schemas (or another ajv) is not used; one made from these is', async () => {
    const stale = join(scratch, 'stale.js');
    writeFileSync(stale, 'export const SOURCE_HASH = "0000";\nexport const users = () => true;\n');
    expect(await loadPrecompiled(pathToFileURL(stale))).toBeUndefined();
    const fresh = join(scratch, 'fresh.js');
    writeFileSync(fresh, `export const SOURCE_HASH = ${JSON.stringify(schemaSourceHash())};\nexport const users = () => true;\n`);
    expect((await loadPrecompiled(pathToFileURL(fresh)))?.users).toBeTypeOf('function');
    expect(await loadPrecompiled(pathToFileURL(join(scratch, 'missing.js')))).toBeUndefined();
  });

  it('agree with the compiled schemas on every example file and on damaged copies of them', async () => {
    const built = await loadPrecompiled(pathToFileURL(BUILT));
    if (built === undefined) throw new Error(`${BUILT} is missing or stale: run npm run build`);
    const runtime = runtimeValidators();
    const byKind: Record<string, unknown[]> = { config: [], users: [], sitevault: [], groups: [] };
    for (const file of await glob('examples/{minimal,full}/**/*.yaml', { cwd: ROOT })) {
      const data = parse(readFileSync(join(ROOT, file), 'utf8')) as Record<string, unknown>;
      const kind = 'vault' in data ? 'config' : 'users' in data ? 'users' : 'sitevault_users' in data ? 'sitevault' : 'groups';
      byKind[kind]?.push(data);
    }
    const names = [...runtime.keys()];
    expect(names.sort()).toEqual([...KINDS, 'usersItem', 'sitevaultItem', 'groupsItem'].sort());
    for (const name of names) {
      const kind = (name.endsWith('Item') ? name.slice(0, -4) : name) as FileKind;
      const samples = byKind[kind] ?? [];
      expect(samples.length, name).toBeGreaterThan(0);
      const list = LIST_OF_KIND[kind];
      const inputs = name.endsWith('Item') && list !== undefined ? samples.flatMap((s) => (s as Record<string, unknown[]>)[list.key] ?? []) : samples;
      const pre = built[name] as ValidateFunction;
      const run = runtime.get(name) as ValidateFunction;
      for (const input of inputs) expect(verdict(pre, input), name).toEqual(verdict(run, input));
      // Damage: one value anywhere in a valid document replaced by another JSON value.
      fc.assert(
        fc.property(fc.constantFrom(...inputs), fc.nat(), fc.jsonValue({ maxDepth: 2 }), (input, at, value) => {
          const copy = structuredClone(input);
          replaceNth(copy, at, value);
          expect(verdict(pre, copy)).toEqual(verdict(run, copy));
        }),
        { numRuns: 100 },
      );
    }
  });
});

/** Replaces the `n % count`-th value (depth first) of a document with `value`; a top-level scalar stays. */
function replaceNth(doc: unknown, n: number, value: unknown): void {
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const entries: [string | number, unknown][] = Array.isArray(node) ? node.map((child, i) => [i, child]) : Object.entries(node);
    for (const [key, child] of entries) {
      slots.push([node as Record<string, unknown>, key]);
      walk(child);
    }
  };
  walk(doc);
  const slot = slots[n % Math.max(1, slots.length)];
  if (slot !== undefined) (slot[0] as Record<string | number, unknown>)[slot[1]] = value;
}
