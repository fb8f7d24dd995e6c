/**
 * Output in pieces. A plan for a million users renders to more text than one JavaScript string
 * can hold (V8 caps a string near 2^29 characters), so views write lines to a sink in chunks of
 * about 64 KiB: the CLI streams them to stdout, and `collectOutput` joins them only when the
 * total fits, naming the limit otherwise instead of failing with an engine `RangeError`.
 */
import { constants } from 'node:buffer';
import { VaultRosterError } from '../errors.js';

/** Receives the output, piece by piece, in order. */
export type OutputSink = (chunk: string) => void;

const CHUNK_CHARS = 1 << 16;

/** The longest string this Node can build. */
export const MAX_OUTPUT_CHARS: number = constants.MAX_STRING_LENGTH;

/** Gathers small pieces and hands them to the sink in chunks, so a sink is called a few times per MiB, not per line. */
export class ChunkWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly sink: OutputSink) {}

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= CHUNK_CHARS) this.flush();
  }

  /** `text` and a newline. */
  line(text: string): void {
    this.write(text);
    this.write('\n');
  }

  flush(): void {
    if (this.size === 0 && this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    this.sink(chunk);
  }
}

/**
 * Runs a writer and returns everything it wrote as one string, or a named error when that would
 * pass `limit` characters (before any string that large is attempted).
 */
export function collectOutput(what: string, write: (sink: OutputSink) => void, limit: number = MAX_OUTPUT_CHARS): string {
  const chunks: string[] = [];
  let total = 0;
  write((chunk) => {
    total += chunk.length;
    if (total > limit) {
      throw new VaultRosterError('output-too-large', `the ${what} is more than ${limit.toLocaleString('en-US')} characters, the most one string can hold`, {
        hint: 'write it in pieces: the vault-roster CLI streams a plan to stdout (redirect it to a file); from code, use writePlan(plan, format, options, sink). Or plan fewer users at a time (split the roster).',
      });
    }
    chunks.push(chunk);
  });
  return chunks.join('');
}
