// No value can break out of a code span, a table cell or a line of the PR comment.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { code, prose, showControls } from '../../src/render/md-escape.js';

/** Strings rich in what breaks Markdown: backticks, pipes, HTML, entities, newlines, controls. */
const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom('`', '``', '|', '<', '>', '&', '&lt;', '\n', '\r', '\t', '\\', '*', '_', '[', ']', '(', ')', '!', '<script>', '</code>', ' ', '\u0000', '\u2028', '#'),
    fc.string({ maxLength: 3, unit: 'grapheme' }),
  ),
  maxLength: 40,
});

function decodeEntities(text: string): string {
  return text.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}

describe('code()', () => {
  it('is a backtick span with nothing that can end it, or <code> whose inside is inert and decodes back', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const out = code(value);
        expect(out).not.toMatch(/[\n\r|]/);
        const plain = /^`([^`]*)`$/.exec(out);
        if (plain !== null) {
          const inside = plain[1] ?? '';
          expect(inside).not.toMatch(/[<>`|]/);
          expect(inside).toBe(showControls(value));
          return;
        }
        const tagged = /^<code>(.*)<\/code>$/s.exec(out);
        expect(tagged, out).not.toBeNull();
        const inside = tagged?.[1] ?? '';
        // Every ASCII punctuation character is an entity: no raw `<`, backtick, `|`, `*`, `_`, `[`.
        expect(inside.replace(/&#\d+;/g, '')).not.toMatch(/[!-/:-@[-`{-~]/);
        expect(decodeEntities(inside)).toBe(showControls(value));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a table row at its column count whatever goes in a cell', () => {
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        const row = `| ${code(a)} | ${prose(b)} | end |`;
        expect(row.split('\n')).toHaveLength(1);
        // Unescaped pipes are the column separators only.
        expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(5);
        expect(row.replace(/<\/?code>/g, '')).not.toContain('<');
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['jane.doe@veepharm.com', '`jane.doe@veepharm.com`'],
    ['POST /objects/users?operation=upsert&idParam=id', '`POST /objects/users?operation=upsert&idParam=id`'],
    ['a`b', '<code>a&#96;b</code>'],
    ['x|y', '<code>x&#124;y</code>'],
    ['<img src=x>', '<code>&#60;img src&#61;x&#62;</code>'],
    ['line\nbreak', '<code>line&#92;nbreak</code>'],
    ['', '<code></code>'],
  ])('code(%j) = %s', (value, expected) => {
    expect(code(value)).toBe(expected);
  });
});

describe('prose()', () => {
  it('stays on one line and shows no HTML, code span or pipe from the value', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const out = prose(value);
        expect(out).not.toMatch(/[\n\r<>`|*[\]\\]/);
      }),
      { numRuns: 500 },
    );
  });
});
