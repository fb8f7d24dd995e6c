/**
 * The desired-state loader's design figures (bench/results/yaml-loader.md): the same 100,000
 * users over 20 files read by each candidate, in this process, best of 3. JSON.parse of the same
 * data is the floor. js-yaml is measured when it is installed (it comes with eslint as a
 * development dependency; vault-roster itself does not use it). The `yaml` package is measured
 * on a quarter of the files, it is that slow.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { loadDesiredState } from '../src/desired/index.js';
import { parseYamlFile } from '../src/desired/yaml-file.js';
import { parseSubset } from '../src/desired/yaml-subset.js';
import { writeRepo } from './e2e-data.js';
import type { Bench } from './types.js';

const USERS = 100_000;
const RUNS = 3;

interface JsYaml {
  load(text: string, options?: { schema?: unknown }): unknown;
  readonly CORE_SCHEMA: unknown;
}

async function jsYaml(): Promise<JsYaml | undefined> {
  const name = 'js-yaml';
  try {
    return (await import(name)) as JsYaml;
  } catch {
    return undefined;
  }
}

function best(run: () => unknown): number {
  let ms = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const started = performance.now();
    run();
    ms = Math.min(ms, performance.now() - started);
  }
  return ms;
}

const bench: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-roster-loader-'));
  try {
    writeRepo(dir, { url: 'https://bench.example.com', count: USERS, changedShare: 0, files: 20 });
    const names = readdirSync(join(dir, 'users')).sort();
    const texts = names.map((f) => readFileSync(join(dir, 'users', f), 'utf8'));
    const jsons = texts.map((t) => JSON.stringify(parseSubset(t)?.data));
    const quarter = texts.slice(0, texts.length / 4);

    const json = best(() => jsons.map((j) => JSON.parse(j) as unknown));
    const subset = best(() => texts.map((t) => parseSubset(t)));
    const withSources = best(() =>
      texts.map((t) => {
        const parsed = parseYamlFile(t, 'f.yaml');
        if (!parsed.ok) throw new Error('bench data must parse');
        const users = (parsed.yaml.data as { users: unknown[] }).users;
        for (let i = 0; i < users.length; i++) parsed.yaml.locate(['users', i, 'user_name']);
        return parsed;
      }),
    );
    const js = await jsYaml();
    const jsMs = js === undefined ? undefined : best(() => texts.map((t) => js.load(t, { schema: js.CORE_SCHEMA })));
    const yamlQuarter = best(() => quarter.map((t): unknown => parseDocument(t, { uniqueKeys: true }).toJS()));
    await loadDesiredState(join(dir, 'roster.yaml'), { cwd: dir });
    let load = Number.POSITIVE_INFINITY;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const result = await loadDesiredState(join(dir, 'roster.yaml'), { cwd: dir });
      if (!result.ok) throw new Error('bench repo must be valid');
      load = Math.min(load, performance.now() - started);
    }
    const mb = texts.reduce((n, t) => n + t.length, 0) / 2 ** 20;
    const x = (ms: number): string => `${(ms / json).toFixed(2)}x`;
    return {
      name: 'loader',
      figures: {
        users: USERS,
        'YAML MiB (20 files)': Math.round(mb * 10) / 10,
        'JSON.parse of the same data, ms (floor)': Math.round(json),
        'subset reader (data + position tape), ms': `${Math.round(subset)} (${x(subset)})`,
        'subset reader + line:col of every user_name, ms': `${Math.round(withSources)} (${x(withSources)})`,
        'js-yaml 4 CORE_SCHEMA, no positions, ms': jsMs === undefined ? 'not installed' : `${Math.round(jsMs)} (${x(jsMs)})`,
        'yaml package parseDocument + toJS, a quarter of the files, ms': `${Math.round(yamlQuarter)} (about ${Math.round((yamlQuarter * 4) / 1000)} s for all, ${x(yamlQuarter * 4)})`,
        'loadDesiredState (read, UTF-8, parse, schema, rules, normalise), ms': `${Math.round(load)} (${x(load)})`,
      },
      targets: [
        { name: 'subset reader ≤ 3x JSON.parse of the same data', pass: subset <= 3 * json, detail: x(subset) },
        { name: 'subset reader faster than js-yaml (which records no positions)', pass: jsMs === undefined || subset < jsMs, detail: jsMs === undefined ? 'js-yaml not installed' : `${Math.round(subset)} vs ${Math.round(jsMs)} ms` },
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
