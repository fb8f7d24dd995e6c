import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CsvError, formatCsv, parseCsvRecords, parseCsvTable } from '../../src/simulator/csv.js';
import { EncodingError, parseAppLicensingCell, parseMembershipCell } from '../../src/simulator/encodings.js';

describe('CSV codec', () => {
  it('round-trips any table of strings (property)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\t', '\\', 'é', '|', ':') });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }).chain((width) => fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 6 })), (rows) => {
        const header = rows[0]!.map((_, i) => `c${i}`);
        const parsed = parseCsvTable(formatCsv(header, rows));
        expect(parsed.header).toEqual(header);
        expect(parsed.rows.map((r) => header.map((h) => r[h]))).toEqual(rows);
      }),
    );
  });

  it.each([
    ['BOM, CRLF, quoted comma and quote', '\ufeffa,b\r\n"x,1","say ""hi"""\r\n', [['a', 'b'], ['x,1', 'say "hi"']]],
    ['trailing newline; a blank line is one empty field', 'a\n\n1\n', [['a'], [''], ['1']]],
    ['doubled backslashes and a tab', 'a\n"x\\\\y\tz"\nq\\\\\n', [['a'], ['x\\y\tz'], ['q\\']]],
    ['empty fields', 'a,b,c\n,,\n', [['a', 'b', 'c'], ['', '', '']]],
    ['newline inside quotes', 'a\n"1\n2"\n', [['a'], ['1\n2']]],
  ])('parses %s', (_name, text, records) => {
    expect(parseCsvRecords(text)).toEqual(records);
  });

  it.each([
    ['ragged row', 'a,b\n1\n', /row 1 has 1 fields but the header has 2/],
    ['unterminated quote', 'a\n"1\n', /unterminated/],
    ['text after a closing quote', 'a\n"1"x\n', /after closing quote/],
    ['quote inside a bare field', 'a\n1"2\n', /quote inside/],
    ['repeated column', 'a,a\n1,2\n', /repeats/],
    ['empty input', '', /no header/],
    ['a lone backslash', 'a\nx\\y\n', /backslash must be doubled/],
    ['a bare carriage return ending a line', 'a\r1\r', /carriage return/],
    ['a carriage return inside a quoted value', 'a\n"1\r\n2"\n', /carriage return/],
    ['a blank row in a wider table', 'a,b\n1,2\n\n3,4\n', /row 2 is blank/],
    ['a padded column name', 'a, b\n1,2\n', /white space/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseCsvTable(text)).toThrow(CsvError);
    expect(() => parseCsvTable(text)).toThrow(message);
  });
});

describe('vault_membership encoding', () => {
  it.each([
    ['3003:true:system_admin__v:full__v', [{ vault_id: 3003, active: true, profile: 'system_admin__v', license: 'full__v' }]],
    ['1111:false', [{ vault_id: 1111, active: false }]],
    ['3003', [{ vault_id: 3003 }]],
    ['3003::read_only_user__v:', [{ vault_id: 3003, profile: 'read_only_user__v' }]],
    ['3003:TRUE;4004:false:document_user__v:external__v', [{ vault_id: 3003, active: true }, { vault_id: 4004, active: false, profile: 'document_user__v', license: 'external__v' }]],
  ])('%s', (cell, expected) => {
    expect(parseMembershipCell(cell)).toEqual(expected);
  });

  it.each([['abc'], ['3003:maybe'], ['3003:true:x:gold__v'], ['3003:true:x:full__v:extra'], ['3003;3003'], ['']])('refuses %j', (cell) => {
    expect(() => parseMembershipCell(cell)).toThrow(EncodingError);
  });
});

describe('app_licensing encoding', () => {
  it.each([
    ['3003|rimReg_v:true:full__v|rimSubs_v:true:full__v;4112|rimSubs_v:true:full__v', [
      { vault_id: 3003, app: 'rimReg_v', active: true, license: 'full__v' },
      { vault_id: 3003, app: 'rimSubs_v', active: true, license: 'full__v' },
      { vault_id: 4112, app: 'rimSubs_v', active: true, license: 'full__v' },
    ]],
    ['4004|qualityQms_v', [{ vault_id: 4004, app: 'qualityQms_v' }]],
    ['4004|qualityQms_v:false', [{ vault_id: 4004, app: 'qualityQms_v', active: false }]],
  ])('%s', (cell, expected) => {
    expect(parseAppLicensingCell(cell)).toEqual(expected);
  });

  it.each([
    ['missing | after the vault id (26.2 doc typo)', '4114rimReg_v:true:full__v'],
    ['vault without application', '3003'],
    ['empty application name', '3003|:true'],
    ['bad license', '3003|rimReg_v:true:platinum__v'],
    ['application twice', '3003|rimReg_v|rimReg_v'],
  ])('refuses %s', (_name, cell) => {
    expect(() => parseAppLicensingCell(cell)).toThrow(EncodingError);
  });
});
