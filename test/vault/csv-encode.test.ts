// The CSV request encoder (pure): RFC 4180 with Vault's documented deviations, read back by the
// simulator's strict parser, which shares no code with it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VaultRosterError } from '../../src/errors.js';
import type { FieldValue } from '../../src/model.js';
import { parseCsvTable } from '../../src/simulator/csv.js';
import { csvCell, encodeUserCsv, formatCsvTable, type CsvRow } from '../../src/vault-api/index.js';

describe('csvCell', () => {
  it.each([
    ['plain', 'abc', 'abc'],
    ['empty', '', ''],
    ['comma', 'Smith, Jones', '"Smith, Jones"'],
    ['quote', 'say "hi"', '"say ""hi"""'],
    ['line feed', 'a\nb', '"a\nb"'],
    ['leading space', ' a', '" a"'],
    ['trailing space', 'a ', '"a "'],
    ['leading tab', '\ta', '"\ta"'],
    ['inner tab, no quoting', 'a\tb', 'a\tb'],
    ['backslash doubled', 'C:\\dir', 'C:\\\\dir'],
    ['backslash and quote', '\\"', '"\\\\"""'],
    ['unicode as is', 'Zoë 東京 😀', 'Zoë 東京 😀'],
    ['membership encoding untouched', '3003:true:system_admin__v:full__v', '3003:true:system_admin__v:full__v'],
    ['app licensing untouched', '3003|rimReg_v:true:full__v|rimSubs_v:false:read_only__v', '3003|rimReg_v:true:full__v|rimSubs_v:false:read_only__v'],
  ])('%s', (_name, text, cell) => {
    expect(csvCell(text)).toBe(cell);
  });
});

describe('encodeUserCsv', () => {
  it('writes the union of fields in first-seen order, blank cells for fields a row does not set, CRLF line ends', () => {
    const rows: CsvRow[] = [
      { key: 'a@b.com', body: { user_name__v: 'a@b.com', company__v: 'Smith, Jones & "Co"', is_domain_admin__v: false } },
      { key: 'c@d.com', body: { user_name__v: 'c@d.com', security_policy_id__v: 821, vault_membership: '5005:true:document_user__v:full__v' } },
    ];
    expect(encodeUserCsv(rows)).toBe(
      'user_name__v,company__v,is_domain_admin__v,security_policy_id__v,vault_membership\r\n' +
        'a@b.com,"Smith, Jones & ""Co""",false,,\r\n' +
        'c@d.com,,,821,5005:true:document_user__v:full__v\r\n',
    );
  });

  it('writes LF line ends when asked', () => {
    expect(encodeUserCsv([{ key: 'k', body: { id: 7, user_title__v: 'Lead' } }], { lineEnding: '\n' })).toBe('id,user_title__v\n7,Lead\n');
  });

  it.each([
    ['null', null, /null, which a CSV cell cannot carry/],
    ['an empty value', '', /an empty value, which Vault reads from CSV as "unchanged"/],
    ['a carriage return', 'a\r\nb', /carriage return/],
  ])('refuses %s, naming the user and the field', (_name, value, message) => {
    const rows: CsvRow[] = [{ key: 'x@veepharm.com', body: { user_name__v: 'x@veepharm.com', company__v: value } }];
    expect(() => encodeUserCsv(rows)).toThrow(VaultRosterError);
    expect(() => encodeUserCsv(rows)).toThrow(message);
    expect(() => encodeUserCsv(rows)).toThrow(/cannot send company__v of x@veepharm\.com as CSV/);
  });

  const text = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\t', '\\', 'é', '東', '😀', '|', ':', ';'), minLength: 1 });
  const value: fc.Arbitrary<Exclude<FieldValue, null>> = fc.oneof(text, fc.integer(), fc.boolean());
  const names = ['user_name__v', 'company__v', 'user_title__v', 'site__v', 'vault_membership'];
  const body = fc.dictionary(fc.constantFrom(...names), value, { minKeys: 1 });

  it('round-trips any row set through the simulator parser: a set field reads back as sent, an unset one as blank (property)', () => {
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 8 }), fc.constantFrom<'\r\n' | '\n'>('\r\n', '\n'), (bodies, lineEnding) => {
        const rows = bodies.map((b, i) => ({ key: `u${i}`, body: b }));
        const parsed = parseCsvTable(encodeUserCsv(rows, { lineEnding }));
        expect(new Set(parsed.header)).toEqual(new Set(bodies.flatMap((b) => Object.keys(b))));
        expect(parsed.rows).toHaveLength(rows.length);
        parsed.rows.forEach((row, i) => {
          const sent = bodies[i] ?? {};
          for (const column of parsed.header) expect(row[column]).toBe(column in sent ? String(sent[column]) : '');
        });
      }),
    );
  });

  it('round-trips any table of strings, empty strings included, through the simulator parser (property)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', ' ', ',', '"', '\n', '\t', '\\', 'ü', '😀') });
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }).chain((width) => fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 6 })),
        (rows) => {
          const header = (rows[0] ?? []).map((_, i) => `c${i}__v`);
          const parsed = parseCsvTable(formatCsvTable(header, rows));
          expect(parsed.rows.map((r) => header.map((h) => r[h]))).toEqual(rows);
        },
      ),
    );
  });
});
