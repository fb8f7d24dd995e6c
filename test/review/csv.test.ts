import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell } from '../../src/review/csv.js';

/** A small RFC 4180 reader, to check what a spreadsheet would read back. */
function readCell(cell: string): string {
  return cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell;
}

describe('CSV cells (RFC 4180, no formula injection)', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['a=b', 'a=b'],
  ])('%j → %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('reads back as the value (with a leading quote only where a formula could start)', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const back = readCell(csvCell(value));
        expect(back).toBe(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
        expect(/^[=+\-@\t\r]/.test(back)).toBe(false);
      }),
    );
  });
});
