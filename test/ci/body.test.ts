import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TRUNCATION_NOTICE, fenceFor, fitBody, hasMarker, stripAnsi, withMarker } from '../../examples/ci/scripts/lib/body.mjs';

const MARKER = '<!-- vault-roster-plan -->';

describe('withMarker / hasMarker', () => {
  it.each([
    ['already first', `${MARKER}\nplan`, `${MARKER}\nplan`],
    ['after blank lines', `\n\n${MARKER}\nplan`, `\n\n${MARKER}\nplan`],
    ['missing', 'plan', `${MARKER}\nplan`],
    ['only quoted later', `see ${MARKER}`, `${MARKER}\nsee ${MARKER}`],
    ['behind a byte-order mark', `\uFEFF${MARKER}\nplan`, `${MARKER}\nplan`],
  ])('%s', (_name, body, expected) => {
    expect(withMarker(body, MARKER)).toBe(expected);
    expect(hasMarker(withMarker(body, MARKER), MARKER)).toBe(true);
  });

  it.each([
    ['not a string', null, false],
    ['marker later in the text', `x ${MARKER}`, false],
    ['marker first', `${MARKER} x`, true],
  ])('hasMarker: %s', (_name, body, expected) => {
    expect(hasMarker(body, MARKER)).toBe(expected);
  });
});

describe('fitBody', () => {
  it.each([
    ['short body, no footer', 'abc', {}, 'abc'],
    ['short body with footer', 'abc', { footer: 'F' }, 'abc\n\nF'],
  ])('%s', (_name, body, options, expected) => {
    expect(fitBody(body, options)).toBe(expected);
  });

  it('cuts at a line end and closes an open fence and details block', () => {
    const body = `${MARKER}\n<details>\n\n\`\`\`text\n${'line\n'.repeat(400)}`;
    const fitted = fitBody(body, { budget: 1000, footer: 'F' });
    expect(fitted.length).toBeLessThanOrEqual(1000);
    expect(fitted).toMatch(/line\n```\n<\/details>\n\n> \[!WARNING\]/);
    expect(fitted.endsWith(`${TRUNCATION_NOTICE}\n\nF`)).toBe(true);
  });

  it('never splits a surrogate pair', () => {
    const body = '😀'.repeat(2000);
    const fitted = fitBody(body, { budget: 1001 });
    const cut = fitted.slice(0, fitted.indexOf('\n\n> [!WARNING]'));
    expect(cut.length % 2).toBe(0);
    expect(cut).toBe('😀'.repeat(cut.length / 2));
  });

  it('property: the result fits the budget, keeps the footer, and is the body itself when it fits', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '\n', '`', '~', '<details>', '</details>', '😀', ' ', '```', '|'), maxLength: 3000 }),
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 600, max: 4000 }),
        (body, footer, budget) => {
          const fitted = fitBody(body, { footer, budget });
          expect(fitted.length).toBeLessThanOrEqual(budget);
          if (footer !== '') expect(fitted.endsWith(`\n\n${footer}`)).toBe(true);
          const tail = footer === '' ? '' : `\n\n${footer}`;
          if (body.length + tail.length <= budget) expect(fitted).toBe(body + tail);
          else expect(fitted).toContain(TRUNCATION_NOTICE);
        },
      ),
    );
  });

  it('property: a cut body keeps a prefix of the original', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 2000, maxLength: 5000 }), (body) => {
        const fitted = fitBody(body, { budget: 1000 });
        const kept = fitted.slice(0, fitted.indexOf(`\n\n${TRUNCATION_NOTICE}`));
        // What was kept is the start of the body, plus only closing fences / tags.
        const original = kept.replace(/(\n(`{3,}|~{3,}|<\/details>))+$/, '');
        expect(body.startsWith(original)).toBe(true);
      }),
    );
  });
});

describe('fenceFor', () => {
  it.each([
    ['plain text', 'hello', '```'],
    ['a triple backtick inside', 'a ``` b', '````'],
    ['a long run inside', 'x `````` y', '```````'],
  ])('%s', (_name, text, expected) => {
    expect(fenceFor(text)).toBe(expected);
  });

  it('property: the text never contains its own fence', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('`', 'a', '\n'), maxLength: 200 }), (text) => {
        expect(text.includes(fenceFor(text))).toBe(false);
      }),
    );
  });
});

describe('stripAnsi', () => {
  it.each([
    ['colour', '\u001b[31merror\u001b[0m: x', 'error: x'],
    ['bold + cursor', '\u001b[1m\u001b[2Kplan', 'plan'],
    ['plain', 'no escapes', 'no escapes'],
  ])('%s', (_name, text, expected) => {
    expect(stripAnsi(text)).toBe(expected);
  });
});
