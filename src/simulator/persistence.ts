/**
 * The `--state` file: written atomically (temp file in the same folder, fsync, rename), so a
 * crash leaves either the old file or the new one, never half of one. Writes are debounced and
 * serialised: a burst of changes costs one serialisation, and an older write can never land
 * after a newer one.
 */
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { SimulatorSeed } from './types.js';

export async function writeStateAtomic(path: string, state: SimulatorSeed): Promise<void> {
  // `--state .vault-roster/sim.json` in a fresh clone: the folder is made, as apply does for its own.
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    for (const chunk of stateChunks(state)) await handle.write(chunk, null, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

const CHUNK_CHARS = 1 << 20;

/**
 * `JSON.stringify(state, null, 1) + '\n'`, byte for byte, in chunks of about a MiB: the state of a
 * million users is more than one string can hold. Users are stringified one at a time.
 */
export function* stateChunks(state: SimulatorSeed): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  const take = (text: string): string | undefined => {
    parts.push(text);
    size += text.length;
    if (size < CHUNK_CHARS) return undefined;
    const chunk = parts.join('');
    parts = [];
    size = 0;
    return chunk;
  };
  // JSON escapes newlines in strings, so each raw newline is indentation to shift.
  const nested = (value: unknown, pad: string): string => JSON.stringify(value, null, 1).replace(/\n/g, `\n${pad}`);
  let first = true;
  for (const [key, value] of Object.entries(state) as [string, unknown][]) {
    if (value === undefined || typeof value === 'function') continue;
    let out = take(`${first ? '{' : ','}\n ${JSON.stringify(key)}: `);
    first = false;
    if (out !== undefined) yield out;
    if (key === 'users' && Array.isArray(value) && value.length > 0) {
      const users = value as readonly unknown[];
      for (let i = 0; i < users.length; i++) {
        out = take(`${i === 0 ? '[' : ','}\n  ${nested(users[i] ?? null, '  ')}`);
        if (out !== undefined) yield out;
      }
      out = take('\n ]');
    } else {
      out = take(nested(value, ' '));
    }
    if (out !== undefined) yield out;
  }
  parts.push(first ? '{}\n' : '\n}\n');
  yield parts.join('');
}

export function stateFileExists(path: string): boolean {
  return existsSync(path);
}

export class StatePersister {
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private dirty = false;
  /** Last write error, kept for /_sim/ (a background write has nobody to throw to). */
  lastError: string | undefined;

  constructor(
    private readonly path: string,
    private readonly snapshot: () => SimulatorSeed,
    private readonly delayMs: number,
  ) {}

  markDirty(): void {
    this.dirty = true;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.delayMs);
    this.timer.unref();
  }

  /** Writes now if anything changed; resolves when every queued write is on disk. */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.dirty) {
      this.dirty = false;
      const state = this.snapshot();
      this.chain = this.chain.then(() =>
        writeStateAtomic(this.path, state).then(
          () => {
            this.lastError = undefined;
          },
          (error: unknown) => {
            this.lastError = error instanceof Error ? error.message : String(error);
          },
        ),
      );
    }
    return this.chain;
  }
}
