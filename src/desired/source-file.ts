/**
 * Reading one desired-state file from disk: refuses what must not reach the YAML parser
 * (directories, huge files, bytes that are not UTF-8) with a diagnostic instead of an exception.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js';
import { bytePosition, findInvalidUtf8 } from './utf8.js';

/** Files above this are refused before parsing: parsing cost and memory grow with size. */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;
const SPLIT_HINT = 'Split it into several smaller files and include them with a glob (e.g. users/**/*.yaml).';

export interface SourceText {
  readonly text: string;
  readonly sha256: string;
}

export type ReadResult = { ok: true; source: SourceText } | { ok: false; diagnostics: Diagnostic[] };

/** `config` files get hints about --config; `include` files about the include globs. */
export type FileRole = 'config' | 'include';

function failure(code: DiagnosticCode, summary: string, hint: string, file?: string, line = 1, col = 1): ReadResult {
  const diagnostic: Diagnostic =
    file === undefined
      ? { severity: 'error', code, summary, hint }
      : { severity: 'error', code, summary, hint, position: { file, line, col } };
  return { ok: false, diagnostics: [diagnostic] };
}

function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/**
 * The bytes of the file read last. Every file is read into it, then hashed and decoded out of it
 * (the text is a copy), so it is free again when `readSourceFile` returns: a fresh buffer per
 * file was fresh memory the kernel faults in page by page, 0.15–0.25 s for the 36 MiB of a
 * 100,000-user repo. Reading is synchronous, so no two reads share it.
 */
let readBuffer = Buffer.allocUnsafe(64 * 1024);

/** The whole file, read until its end (it may have changed since `stat`), as a view of `readBuffer`. */
function readWhole(absolutePath: string, sizeHint: number): Buffer {
  const fd = openSync(absolutePath, 'r');
  try {
    let length = 0;
    for (;;) {
      if (length === readBuffer.length || readBuffer.length < sizeHint) {
        const grown = Buffer.allocUnsafe(Math.max(readBuffer.length * 2, sizeHint + 1));
        readBuffer.copy(grown, 0, 0, length);
        readBuffer = grown;
      }
      const read = readSync(fd, readBuffer, length, readBuffer.length - length, null);
      if (read === 0) return readBuffer.subarray(0, length);
      length += read;
      // Past the limit there is no point reading on: the caller refuses the file.
      if (length > MAX_FILE_BYTES) return readBuffer.subarray(0, length);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads `absolutePath` and returns its text without a byte order mark, plus the sha256 of the
 * bytes. `displayPath` is what diagnostics show.
 */
export async function readSourceFile(absolutePath: string, displayPath: string, role: FileRole): Promise<ReadResult> {
  let size: number;
  try {
    const info = await stat(absolutePath);
    if (info.isDirectory()) {
      return failure(
        'not-a-file',
        `${displayPath} is a directory, not a YAML file`,
        role === 'config'
          ? 'Pass the config file itself, e.g. --config path/to/roster.yaml.'
          : 'Make the include glob match files only, e.g. users/**/*.yaml.',
      );
    }
    if (!info.isFile()) {
      return failure('not-a-file', `${displayPath} is not a regular file`, 'Point at a YAML file.');
    }
    size = info.size;
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return failure(
        'file-not-found',
        `${displayPath} does not exist`,
        role === 'config'
          ? 'Create roster.yaml or pass the right path with --config.'
          : 'Check the include globs in roster.yaml.',
      );
    }
    return failure('file-unreadable', `cannot read ${displayPath} (${code ?? 'unknown error'})`, 'Check the file permissions.');
  }
  if (size > MAX_FILE_BYTES) {
    return failure(
      'file-too-large',
      `${displayPath} is ${(size / 1024 / 1024).toFixed(1)} MiB, above the ${MAX_FILE_BYTES / 1024 / 1024} MiB limit`,
      SPLIT_HINT,
      displayPath,
    );
  }
  let bytes: Buffer;
  try {
    bytes = readWhole(absolutePath, size);
  } catch (error) {
    return failure('file-unreadable', `cannot read ${displayPath} (${errnoCode(error) ?? 'unknown error'})`, 'Check the file permissions.');
  }
  if (bytes.length > MAX_FILE_BYTES) {
    return failure('file-too-large', `${displayPath} grew above the ${MAX_FILE_BYTES / 1024 / 1024} MiB limit while it was read`, SPLIT_HINT, displayPath);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  // The native checks are fast; the byte-by-byte one runs only to say where a bad file goes wrong.
  const ascii = isAscii(bytes);
  const invalidAt = ascii || isUtf8(bytes) ? -1 : findInvalidUtf8(bytes);
  if (invalidAt >= 0) {
    const { line, col } = bytePosition(bytes, invalidAt);
    const byte = (bytes[invalidAt] ?? 0).toString(16).padStart(2, '0');
    return failure(
      'invalid-utf8',
      `${displayPath} is not valid UTF-8: byte 0x${byte} at offset ${invalidAt}`,
      'Save the file as UTF-8 (without Latin-1 or Windows-1252 characters).',
      displayPath,
      line,
      col,
    );
  }
  // ASCII reads the same as Latin-1, which is a copy (20 files of 36 MiB: ~10 ms against ~0.5 s
  // for UTF-8 decoding), and has no byte order mark. Without its byte order mark, columns on
  // line 1 count as the user sees them.
  const decoded = ascii ? bytes.toString('latin1') : bytes.toString('utf8');
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  return { ok: true, source: { text, sha256 } };
}
