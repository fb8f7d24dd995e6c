/**
 * UTF-8 checking that can say where a file stops being UTF-8, which TextDecoder cannot.
 */

/** Length of the sequence a lead byte announces, and the range its second byte must be in. */
function sequenceOf(lead: number): { length: number; min: number; max: number } | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return { length: 2, min: 0x80, max: 0xbf };
  // E0 and F0 exclude overlong forms, ED excludes UTF-16 surrogates, F4 stops at U+10FFFF.
  if (lead === 0xe0) return { length: 3, min: 0xa0, max: 0xbf };
  if (lead === 0xed) return { length: 3, min: 0x80, max: 0x9f };
  if (lead >= 0xe1 && lead <= 0xef) return { length: 3, min: 0x80, max: 0xbf };
  if (lead === 0xf0) return { length: 4, min: 0x90, max: 0xbf };
  if (lead === 0xf4) return { length: 4, min: 0x80, max: 0x8f };
  if (lead >= 0xf1 && lead <= 0xf3) return { length: 4, min: 0x80, max: 0xbf };
  return undefined;
}

/** Byte offset of the first byte that does not belong to a valid UTF-8 sequence, or -1. */
export function findInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const seq = sequenceOf(lead);
    if (seq === undefined) return i;
    const second = bytes[i + 1];
    if (second === undefined || second < seq.min || second > seq.max) return i;
    for (let k = 2; k < seq.length; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < 0x80 || next > 0xbf) return i;
    }
    i += seq.length;
  }
  return -1;
}

/** 1-based line and column (in characters) of a byte offset inside valid UTF-8 text before it. */
export function bytePosition(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line += 1;
      lineStart = i + 1;
    }
  }
  const before = new TextDecoder('utf-8', { ignoreBOM: line !== 1 }).decode(bytes.subarray(lineStart, offset));
  return { line, col: before.length + 1 };
}
