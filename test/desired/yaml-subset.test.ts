/**
 * The subset reader against the `yaml` package, differentially: for every document it accepts,
 * yaml must read the same data (same key order, same numbers down to -0 and NaN), report no
 * error or warning, and put every key, value and item at the same line:col. Documents come from
 * a generator of YAML in many styles, near the subset's edges, then randomly damaged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseFullYaml, parseYamlFile, type DataPath, type YamlFile } from '../../src/desired/yaml-file.js';
import { parseSubset, resolvePlain } from '../../src/desired/yaml-subset.js';

/** Everyday values, inside the subset in any quoting. */
const PLAIN_TOKENS = ['a', 'user_name', 'a@b.c', 'Ann Lee', 'full__v', '3003', '1.5', 'true', 'null', '-1', 'https://x.example/a', 'é 日本 😀'];

/** Texts that probe plain-scalar resolution and the characters YAML gives a meaning to. */
const TOKENS = [
  'a', 'user_name', 'a@b.c', 'Ann Lee', 'x: y', 'a #b', 'a#b', '-1', '- a', '1_000', '0x1F', '0X1F', '0o17', '017', '1e3', '1E+3',
  '1.5', '.5', '1.', '+1', '-0', '+0.0', '.inf', '-.Inf', '+.INF', '.NaN', '.nan', 'nan', 'null', 'Null', '~', 'NULL', 'nULL',
  'true', 'True', 'TRUE', 'tRUE', 'false', 'yes', 'no', 'on', 'off', 'y', 'https://x.example/a?b=c', 'a:b', '[x]', 'x]', 'x[', 'a[b]',
  '{a}', 'a}', 'a, b', 'a,b', 'é', '日本', '😀', 'a  b', "it's", 'say "hi"', '@x', '`x', '%x', '!x', '&x', '*x', '|', '>', '?x',
  '? x', ':x', '#x', 'x:', 'x::y', '3003', '0', '00', '12345678901234567890', '__proto__', '<<', 'constructor', 'toString', '-',
  '--', '---', '...', 'a...', '0b101', '1:30', '2024-01-01', 'a\\b', 'tab\there', ' lead', 'trail ', '', 'x\u0085y', 'x\u2028y',
];

type Scalar = { kind: 'scalar'; text: string; quote: 'plain' | 'single' | 'double' };
type MapNode = { kind: 'map'; entries: [Scalar, Node][]; flow: boolean };
type SeqNode = { kind: 'seq'; items: Node[]; flow: boolean; indentless: boolean };
type Node = Scalar | MapNode | SeqNode;

/** Generated trees; `edgy` mixes in the probing tokens and arbitrary strings. */
function treeArbs(edgy: boolean): { top: fc.Arbitrary<MapNode> } {
  const text = edgy
    ? fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...PLAIN_TOKENS) },
        { weight: 3, arbitrary: fc.constantFrom(...TOKENS) },
        { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
      )
    : fc.constantFrom(...PLAIN_TOKENS);
  const scalar: fc.Arbitrary<Scalar> = fc.record({ kind: fc.constant('scalar' as const), text, quote: fc.constantFrom('plain', 'plain', 'plain', 'single', 'double') });
  const key: fc.Arbitrary<Scalar> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('scalar' as const), text: fc.constantFrom('a', 'b', 'c', 'user_name', 'fields', 'x y'), quote: fc.constant('plain' as const) }) },
    { weight: edgy ? 1 : 0, arbitrary: scalar },
  );
  const { node } = fc.letrec<{ node: Node; map: MapNode; seq: SeqNode }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('map'), tie('seq')),
    map: fc.record({ kind: fc.constant('map' as const), entries: fc.uniqueArray(fc.tuple(key, tie('node')), { maxLength: 4, selector: ([k]) => k.text }), flow: fc.boolean() }),
    seq: fc.record({ kind: fc.constant('seq' as const), items: fc.array(tie('node'), { maxLength: 4 }), flow: fc.boolean(), indentless: fc.boolean() }),
  }));
  const top = fc.record({
    kind: fc.constant('map' as const),
    entries: fc.uniqueArray(fc.tuple(key, node), { minLength: 1, maxLength: 4, selector: ([k]) => k.text }),
    flow: fc.constant(false),
  });
  return { top };
}

const everyday = treeArbs(false);
/** SUBSET_FUZZ=50 runs each property 50 times longer (for a deliberate soak, not for CI). */
const SCALE = Math.max(1, Number(process.env.SUBSET_FUZZ ?? 1));
const runs = (n: number): number => Math.round(n * SCALE);
const edgy = treeArbs(true);

function scalarText(s: Scalar): string {
  if (s.quote === 'single') return `'${s.text.replaceAll("'", "''")}'`;
  if (s.quote === 'double') return `"${s.text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  return s.text;
}

function flowText(n: Node): string {
  if (n.kind === 'scalar') return scalarText(n);
  if (n.kind === 'seq') return `[${n.items.map(flowText).join(', ')}]`;
  return `{ ${n.entries.map(([k, v]) => `${scalarText(k)}: ${flowText(v)}`).join(', ')} }`;
}

function isBlock(n: Node): boolean {
  return n.kind !== 'scalar' && !n.flow && (n.kind === 'map' ? n.entries.length > 0 : n.items.length > 0);
}

/** Block rendering at `indent` with `step` more spaces per level. */
function blockLines(n: MapNode | SeqNode, indent: number, step: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  if (n.kind === 'map') {
    for (const [k, v] of n.entries) {
      if (!isBlock(v)) {
        const inline = v.kind === 'scalar' && v.quote === 'plain' && v.text === '' ? '' : ` ${flowText(v)}`;
        lines.push(`${pad}${scalarText(k)}:${inline}`);
      } else {
        lines.push(`${pad}${scalarText(k)}:`);
        const inner = v as MapNode | SeqNode;
        lines.push(...blockLines(inner, inner.kind === 'seq' && inner.indentless ? indent : indent + step, step));
      }
    }
    return lines;
  }
  for (const item of n.items) {
    if (!isBlock(item)) {
      lines.push(`${pad}- ${flowText(item)}`);
      continue;
    }
    const inner = blockLines(item as MapNode | SeqNode, indent + 2, step);
    lines.push(`${pad}- ${(inner[0] ?? '').slice(indent + 2)}`, ...inner.slice(1));
  }
  return lines;
}

interface Decoration {
  readonly step: number;
  readonly comments: readonly number[];
  readonly crlf: boolean;
  readonly topIndent: number;
}

const decorationArb: fc.Arbitrary<Decoration> = fc.record({
  step: fc.integer({ min: 1, max: 4 }),
  comments: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 4 }),
  crlf: fc.boolean(),
  topIndent: fc.constantFrom(0, 0, 0, 2),
});

function render(top: MapNode, d: Decoration): string {
  const lines = blockLines(top, d.topIndent, d.step);
  for (const [i, at] of d.comments.entries()) {
    const line = at % (lines.length + 1);
    if (i % 3 === 0) lines.splice(line, 0, '');
    else if (i % 3 === 1) lines.splice(line, 0, `${' '.repeat(at % 5)}# comment ${i}`);
    else if (lines[line] !== undefined) lines[line] = `${lines[line] ?? ''} # trailing`;
  }
  const text = `${lines.join('\n')}\n`;
  return d.crlf ? text.replaceAll('\n', '\r\n') : text;
}

/** Random damage: characters YAML gives a meaning to, inserted, replaced or deleted. */
const EDIT_CHARS = [' ', '\n', ':', '-', '#', "'", '"', '[', ']', '{', '}', ',', '&', '*', '!', '|', '>', '\t', '\r', '?', '%', '@', '\\', 'a'];
const editArb = fc.array(fc.record({ at: fc.nat(), op: fc.constantFrom('insert', 'replace', 'delete'), ch: fc.constantFrom(...EDIT_CHARS) }), { maxLength: 2 });

function damage(text: string, edits: readonly { at: number; op: string; ch: string }[]): string {
  let out = text;
  for (const e of edits) {
    const i = e.at % (out.length + 1);
    if (e.op === 'insert') out = out.slice(0, i) + e.ch + out.slice(i);
    else if (e.op === 'replace') out = out.slice(0, i) + e.ch + out.slice(i + 1);
    else out = out.slice(0, i) + out.slice(i + 1);
  }
  return out;
}

/** Data as a string that keeps key order and tells -0, NaN and the infinities apart. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' ? `number:${Object.is(v, -0) ? '-0' : String(v)}` : v));
}

/** Every path to a key, value or item in `data`, plus a missing key or index under each collection. */
function paths(data: unknown, prefix: DataPath = []): DataPath[] {
  if (Array.isArray(data)) return [[...prefix, data.length], ...data.flatMap((item, i) => [[...prefix, i], ...paths(item, [...prefix, i])])];
  if (data !== null && typeof data === 'object') {
    return [[...prefix, 'no such key'], ...Object.entries(data).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])])];
  }
  return [];
}

function where(yaml: YamlFile, path: DataPath, target: 'key' | 'value'): string {
  const p = yaml.locate(path, target);
  return `${p.line}:${p.col}`;
}

/** When the subset reader accepts `text`, yaml agrees on everything; returns whether it accepted. */
function agrees(text: string): boolean {
  const subset = parseSubset(text);
  if (subset === undefined) return false;
  const doc = parseDocument(text, { uniqueKeys: true });
  expect(doc.errors.map((e) => e.message), text).toEqual([]);
  expect(doc.warnings.map((e) => e.message), text).toEqual([]);
  expect(canonical(subset.data), text).toBe(canonical(doc.toJS({ maxAliasCount: 100 })));
  const fast = parseYamlFile(text, 'f.yaml');
  const full = parseFullYaml(text, 'f.yaml');
  if (!fast.ok || !full.ok) throw new Error(`both readers must accept:\n${text}`);
  const all = [[], ...paths(subset.data)];
  for (const path of all) {
    for (const target of ['key', 'value'] as const) {
      expect(where(fast.yaml, path, target), `${JSON.stringify(path)} ${target} in\n${text}`).toBe(where(full.yaml, path, target));
    }
  }
  // Backwards too: the subset file remembers the last list item it walked to.
  for (const path of all.reverse()) {
    expect(where(fast.yaml, path, 'value'), `${JSON.stringify(path)} value in\n${text}`).toBe(where(full.yaml, path, 'value'));
  }
  expect(fast.yaml.topLevelKeys()).toEqual(full.yaml.topLevelKeys());
  return true;
}

describe('subset reader agrees with yaml', () => {
  it('on everyday documents in many styles, and accepts nearly all of them', () => {
    let accepted = 0;
    fc.assert(
      fc.property(everyday.top, decorationArb, (top, decoration) => {
        if (agrees(render(top, decoration))) accepted++;
      }),
      { numRuns: runs(120) },
    );
    // Refusals here would send everyday files to the slow parser.
    expect(accepted).toBeGreaterThan(0.9 * runs(120));
  });

  it('on documents near the edges of the subset', () => {
    let accepted = 0;
    fc.assert(
      fc.property(edgy.top, decorationArb, (top, decoration) => {
        if (agrees(render(top, decoration))) accepted++;
      }),
      { numRuns: runs(200) },
    );
    // The generator must reach inside the subset too, or the property tests little.
    expect(accepted).toBeGreaterThan(0.2 * runs(200));
  });

  it('on damaged documents (whatever it accepts)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(everyday.top, decorationArb, editArb, (top, decoration, edits) => {
        if (agrees(damage(render(top, decoration), edits))) accepted++;
      }),
      { numRuns: runs(200) },
    );
    expect(accepted).toBeGreaterThan(0.2 * runs(200));
  });

  it.each([
    ['a users file as import writes it', 'users:\n  - user_name: a@b.c\n    first_name: A\n    memberships:\n      - vault: 3003\n        apps:\n          rimReg_v: full__v\n'],
    [
      'a groups file and a user naming groups',
      '# yaml-language-server: $schema=../specs/groups.schema.json\ngroups:\n  - label: Cholecap Team US   # identity\n    description: "Cholecap brand team, US"\n    active: true\n    allow_delegation_among_members: false\n    security_profiles: [document_user__v]\n    members:\n      - alice@veepharm.com\n  - label: \'Team: EU\'\n    members: []\nusers:\n  - user_name: bob@veepharm.com\n    groups: [Cholecap Team US, "Team: EU"]\n',
    ],
    ['indentless sequences and compact nesting', 'users:\n- user_name: a\n  memberships:\n  - vault: 1\n  - - x\n    - y\n- ~\nz: [1, {a: b}, "c"]\n'],
    ['empty values', 'a:\nb:   # note\nc:\n  -\n  - x\n'],
    ['CRLF line ends', 'users:\r\n  - user_name: a\r\n    # c\r\n    active: true\r\n'],
    ['comments everywhere', '# head\n\nusers: # list\n  # before\n  - a # x\n\n  - b#c\n# tail\n'],
  ])('accepts %s', (_name, text) => {
    expect(agrees(text)).toBe(true);
  });

  it('reads the groups and users files of examples/full itself (the fast path), agreeing with yaml', () => {
    for (const file of ['examples/full/groups/clinical-teams.yaml', 'examples/full/users/clinical-team.yaml']) {
      expect(agrees(readFileSync(join(import.meta.dirname, '../..', file), 'utf8')), file).toBe(true);
    }
  });

  it.each([
    ['anchors and aliases', 'a: &x 1\nb: *x\n'],
    ['tags', 'a: !secret x\n'],
    ['block scalars', 'a: |\n  text\n'],
    ['multi-line plain scalars', 'a: one\n  two\n'],
    ['multi-line flow', 'a: [1,\n  2]\n'],
    ['several documents', 'a: 1\n---\nb: 2\n'],
    ['a document start marker', '---\na: 1\n'],
    ['directives', '%YAML 1.2\n---\na: 1\n'],
    ['tabs', 'a:\n\tb: 1\n'],
    ['duplicate keys', 'a: 1\na: 2\n'],
    ['non-text keys', '1: a\n'],
    ['index-like quoted keys', '"1": a\n'],
    ['__proto__ keys', '__proto__: a\n'],
    ['merge keys', '<<: {a: 1}\n'],
    ['escapes in double quotes', 'a: "x\\ny"\n'],
    ['a lone carriage return', 'a: 1\rb: 2\n'],
    ['a top level that is a list', '- a\n'],
    ['an empty document', '# nothing\n'],
    ['a nested mapping on one line', 'a: b: c\n'],
  ])('leaves %s to the full parser', (_name, text) => {
    expect(parseSubset(text)).toBeUndefined();
  });
});

describe('resolvePlain (YAML 1.2 core schema)', () => {
  it.each(TOKENS.filter((t) => t !== '' && !/[:#\n\t\u0085\u2028]|^[-?!&*|>%@`'"[\]{},]|\s$|^\s/.test(t)))('%j resolves as yaml resolves it', (token) => {
    const doc = parseDocument(`v: ${token}\n`);
    if (doc.errors.length > 0) return;
    expect(canonical(resolvePlain(token))).toBe(canonical((doc.toJS() as { v: unknown }).v));
  });
});
