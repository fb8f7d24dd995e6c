/** Files of a bundle: digests, and the one rule of writing them (a new file, never over another). */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { VaultRosterError } from '../errors.js';

/** sha256 (hex) and size of a file, read in pieces (a journal can be large). */
export function fileDigest(path: string): { readonly sha256: string; readonly size: number } {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  const buffer = Buffer.alloc(1 << 20);
  let size = 0;
  try {
    for (let read = readSync(fd, buffer, 0, buffer.length, null); read > 0; read = readSync(fd, buffer, 0, buffer.length, null)) {
      hash.update(buffer.subarray(0, read));
      size += read;
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), size };
}

/** Writes a new file ('wx': an existing one is an error, never overwritten). */
export function writeNew(path: string, content: string): void {
  try {
    writeFileSync(path, content, { flag: 'wx', mode: 0o644 });
  } catch (error) {
    throw new VaultRosterError('output-file', `cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: 'Give --out a new or empty folder: a bundle is never written over another.',
    });
  }
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
