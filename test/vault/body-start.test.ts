import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BODY_HEAD_BYTES, readText } from '../../src/vault/transport.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A body that hands out `chunks` one by one; the last one only once `gate` resolves. */
function gatedBody(chunks: readonly Uint8Array[], gate: Promise<void>): Response {
  let next = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (next === chunks.length - 1) await gate;
      const chunk = chunks[next];
      next += 1;
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
  return new Response(stream);
}

describe('readText: the start of a body, before the rest arrives', () => {
  it('shows the head while the last chunk is still held back, then returns the whole text', async () => {
    const head = `{"responseStatus":"SUCCESS","size":1000,"limit":1000,"users":[${' '.repeat(BODY_HEAD_BYTES)}`;
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen: string[] = [];
    const text = await readText(gatedBody([bytes(head), bytes(']}')], gate), (start) => {
      seen.push(start);
      // Only reachable before the end: the last chunk waits for this call.
      release();
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(head.slice(0, BODY_HEAD_BYTES));
    expect(text).toBe(`${head}]}`);
  });

  it.each([
    ['a body shorter than the head', '{"size":3}'],
    ['an empty body', ''],
  ])('shows %s whole, once', async (_case, body) => {
    const seen: string[] = [];
    const text = await readText(new Response(body), (start) => seen.push(start));
    expect(seen).toEqual([body]);
    expect(text).toBe(body);
  });

  it('decodes a character split across chunks', async () => {
    const encoded = bytes(`{"name":"Zoë ${'x'.repeat(BODY_HEAD_BYTES)}"}`);
    const cut = encoded.indexOf(0xc3) + 1; // between the two bytes of ë
    const text = await readText(gatedBody([encoded.subarray(0, cut), encoded.subarray(cut)], Promise.resolve()), () => undefined);
    expect(text).toBe(`{"name":"Zoë ${'x'.repeat(BODY_HEAD_BYTES)}"}`);
  });

  it('reads plainly when nobody asks for the head', async () => {
    expect(await readText(new Response('{"a":1}'), undefined)).toBe('{"a":1}');
  });

  it('returns what a UTF-8 decoder makes of the whole body, whatever the bytes (ASCII, multi-byte, BOM, invalid)', async () => {
    // Pure-ASCII bodies take a Latin-1 fast path; every other body must decode exactly as before.
    const byte = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0, max: 255 }));
    const body = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 0x7f }), { maxLength: 300 }),
      fc.array(byte, { maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 100 }).map((t) => [...bytes(t)]),
      fc.string({ maxLength: 50 }).map((t) => [0xef, 0xbb, 0xbf, ...bytes(t)]),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.integer({ min: 1, max: 64 }), async (list, size) => {
        const all = Uint8Array.from(list);
        const chunks: Uint8Array[] = [];
        for (let at = 0; at < all.length; at += size) chunks.push(all.subarray(at, at + size));
        chunks.push(new Uint8Array(0));
        const text = await readText(gatedBody(chunks, Promise.resolve()), () => undefined);
        expect(text).toBe(new TextDecoder().decode(all));
      }),
      { numRuns: 300 },
    );
  });
});
