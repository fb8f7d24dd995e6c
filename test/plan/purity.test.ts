import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Modules the planner and the views may import: pure code only (DESIGN.md §1, §8). */
const ALLOWED = [/^\.\.?\//, /^deep-diff$/, /^node:crypto$/];
const FORBIDDEN_LOCAL = [/\/vault\/(?!wire\.js)/, /\/simulator\//, /\/apply\//, /\/state\//, /\/cli\//, /\/desired\//];

function importsOf(dir: string): [string, string][] {
  const path = fileURLToPath(new URL(`../../src/${dir}/`, import.meta.url));
  return readdirSync(path)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...readFileSync(path + f, 'utf8').matchAll(/from '([^']+)'/g)].map((m): [string, string] => [`${dir}/${f}`, m[1] ?? '']));
}

describe('planner and views stay pure', () => {
  it.each(['plan', 'render'])('src/%s imports no I/O module', (dir) => {
    const imports = importsOf(dir);
    expect(imports.length).toBeGreaterThan(0);
    const bad = imports.filter(([, spec]) => !ALLOWED.some((re) => re.test(spec)) || FORBIDDEN_LOCAL.some((re) => re.test(spec)));
    expect(bad).toEqual([]);
  });
});
