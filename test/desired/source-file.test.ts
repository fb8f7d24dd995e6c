/** readSourceFile: the text it returns is the file's UTF-8 decoding without a BOM, whatever the bytes. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readSourceFile } from '../../src/desired/source-file.js';

const dir = mkdtempSync(join(tmpdir(), 'vault-roster-source-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)];

describe('readSourceFile decoding', () => {
  it('ASCII (read as Latin-1), other UTF-8, a BOM and invalid bytes all read as a strict UTF-8 decoder reads them', async () => {
    const body = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 0x7f }), { maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 60 }).map(utf8),
      fc.string({ maxLength: 60 }).map((t) => [0xef, 0xbb, 0xbf, ...utf8(t)]),
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 60 }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(body, async (list) => {
        const bytes = Uint8Array.from(list);
        const file = join(dir, `f${n++}.yaml`);
        writeFileSync(file, bytes);
        const read = await readSourceFile(file, 'f.yaml', 'include');
        let expected: string | undefined;
        try {
          expected = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          expected = undefined;
        }
        if (expected === undefined) {
          expect(read.ok ? 'read' : read.diagnostics[0]?.code).toBe('invalid-utf8');
        } else {
          expect(read.ok ? read.source.text : read.diagnostics).toBe(expected);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('readSourceFile reading', () => {
  it('files of any size read one after another each come back whole, with their own sha256 (the read buffer is reused)', async () => {
    // Sizes around the reused buffer's first 64 KiB and its growth, large before small and back.
    const sizes = fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 65_000, max: 70_000 }), fc.integer({ min: 100_000, max: 400_000 })), {
      minLength: 2,
      maxLength: 6,
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(sizes, fc.integer({ min: 0, max: 25 }), async (list, seed) => {
        const files = list.map((size, i) => {
          const text = Array.from({ length: size }, (_, k) => String.fromCharCode(97 + ((k * 7 + i + seed) % 26))).join('');
          const file = join(dir, `s${n++}.yaml`);
          writeFileSync(file, text);
          return { file, text };
        });
        for (const { file, text } of files) {
          const read = await readSourceFile(file, 's.yaml', 'include');
          expect(read.ok).toBe(true);
          if (!read.ok) return;
          expect(read.source.text.length).toBe(text.length);
          expect(read.source.text === text).toBe(true);
          expect(read.source.sha256).toBe(createHash('sha256').update(text).digest('hex'));
        }
      }),
      { numRuns: 25 },
    );
  });
});

