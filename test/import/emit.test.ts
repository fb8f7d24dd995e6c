/** import's YAML writer: whatever it writes, both YAML readers read back exactly. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSubset } from '../../src/desired/yaml-subset.js';
import { emitListItem, emitYaml, yamlString, type YamlValue } from '../../src/import/emit.js';

const text = fc.oneof(
  fc.constantFrom('a@b.c', 'Ann Lee', "O'Brien", 'José Núñez', '821', '0x1F', '1e3', 'true', 'Yes', 'null', '~', '', ' lead', 'trail ', 'a: b', 'a #b', '#x',
    '- x', '-1', '[x]', '{x}', '*x', '&x', '!x', '%x', '@x', '`x', '"q"', "'q'", 'a\\b', 'tab\there', 'line\nbreak', 'cr\rx', '\u2028', '\u0085', '\ufeff', 'users/**/*.yaml'),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);
const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-0, NaN, Infinity, -Infinity, 3003));
const key = fc.oneof(fc.constantFrom('user_name', 'vault', 'apps', 'rimReg_v', 'company__v'), text);

const { value } = fc.letrec<{ value: YamlValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
}));
const documentArb = fc.dictionary(key, value, { minKeys: 1, maxKeys: 5, noNullPrototype: true });

/** Data as a string that keeps key order and tells -0, NaN and the infinities apart. */
function canonical(data: unknown): string {
  return JSON.stringify(data, (_key, v: unknown) => (typeof v === 'number' ? `number:${Object.is(v, -0) ? '-0' : String(v)}` : v));
}

describe('emitYaml', () => {
  it('writes documents that yaml and the subset reader read back exactly (property)', () => {
    fc.assert(
      fc.property(documentArb, (doc) => {
        const yaml = emitYaml(doc);
        const expected = canonical(doc);
        expect(canonical(parse(yaml, { uniqueKeys: true })), yaml).toBe(expected);
        const subset = parseSubset(yaml);
        if (subset !== undefined) expect(canonical(subset.data), yaml).toBe(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('writes everyday values plain and the rest quoted', () => {
    expect(['a@b.c', 'Ann Lee', "O'Brien", 'José', 'users/**/*.yaml', 'full__v'].map(yamlString)).toEqual(['a@b.c', 'Ann Lee', "O'Brien", 'José', 'users/**/*.yaml', 'full__v']);
    expect(['821', 'true', 'null', '', '- x', 'a: b', 'a #b', ' lead'].map(yamlString)).toEqual(['"821"', '"true"', '"null"', '""', '"- x"', '"a: b"', '"a #b"', '" lead"']);
  });

  it('writes the style import always wrote', () => {
    const user = { user_name: 'a@b.c', fields: { company__v: 'VeePharm' }, memberships: [{ vault: 3003, apps: { rimReg_v: 'full__v' } }, { vault: 4004 }], tags: [] };
    expect(`users:\n${emitListItem(user)}`).toBe(
      [
        'users:',
        '  - user_name: a@b.c',
        '    fields:',
        '      company__v: VeePharm',
        '    memberships:',
        '      - vault: 3003',
        '        apps:',
        '          rimReg_v: full__v',
        '      - vault: 4004',
        '    tags: []',
        '',
      ].join('\n'),
    );
    expect(emitYaml({ include: ['users/**/*.yaml'], nested: [[1, 2], { a: null }], empty: {} })).toBe(
      'include:\n  - users/**/*.yaml\nnested:\n  - - 1\n    - 2\n  - a: null\nempty: {}\n',
    );
  });
});
