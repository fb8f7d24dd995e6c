/** The UTF-8 checker agrees with the platform's strict decoder and locates the first bad byte. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytePosition, findInvalidUtf8 } from '../../src/desired/utf8.js';

function strictDecodes(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe('findInvalidUtf8', () => {
  it('accepts every encoded string', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => findInvalidUtf8(new TextEncoder().encode(text)) === -1));
  });

  it('agrees with TextDecoder on arbitrary bytes, and the prefix before the bad byte is valid', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const at = findInvalidUtf8(bytes);
        expect(at === -1).toBe(strictDecodes(bytes));
        if (at >= 0) expect(strictDecodes(bytes.subarray(0, at))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['overlong slash', [0xc0, 0xaf], 0],
    ['overlong three-byte', [0x41, 0xe0, 0x80, 0xaf], 1],
    ['surrogate', [0xed, 0xa0, 0x80], 0],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['lone continuation', [0x41, 0x42, 0x80], 2],
    ['truncated at the end', [0x41, 0xe2, 0x82], 1],
  ])('%s', (_name, bytes, offset) => {
    expect(findInvalidUtf8(new Uint8Array(bytes))).toBe(offset);
  });
});

describe('bytePosition', () => {
  it('counts characters, not bytes, and ignores a byte order mark on line 1', () => {
    const bytes = new TextEncoder().encode('\uFEFFé: 1\nñá: x');
    expect(bytePosition(bytes, bytes.length)).toEqual({ line: 2, col: 6 });
    expect(bytePosition(bytes, 5)).toEqual({ line: 1, col: 2 });
  });
});
