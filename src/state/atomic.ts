/**
 * Crash-safe file primitives: atomic replace (temp file, fsync, rename, fsync dir) and an
 * exclusive lock file that names its owner and is taken over only when that owner is gone.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, mkdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { VaultRosterError } from '../errors.js';

/** Writes `content` to `path` so that a crash leaves either the old file or the new one, never half. */
export function writeFileAtomic(path: string, content: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  // The rename itself must reach the disk too, or a crash could bring back the old name.
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface FileLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes `<path>.lock` exclusively. A lock left by a process that no longer runs (a crash or
 * SIGKILL) is taken over; a live owner makes this fail with a hint naming the owner's pid.
 */
export function acquireLock(path: string, purpose: string): FileLock {
  const lockPath = `${path}.lock`;
  mkdirSync(dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, purpose, since: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      return {
        path: lockPath,
        release: () => {
          if (released) return;
          released = true;
          try {
            unlinkSync(lockPath);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner: { pid?: unknown; purpose?: unknown } = {};
      try {
        owner = JSON.parse(readFileSync(lockPath, 'utf8')) as typeof owner;
      } catch {
        // unreadable lock: treat as stale below
      }
      const pid = typeof owner.pid === 'number' ? owner.pid : undefined;
      if (pid !== undefined && pid !== process.pid && processAlive(pid)) {
        throw new VaultRosterError('locked', `${lockPath} is held by process ${pid} (${String(owner.purpose)})`, {
          hint: 'Another vault-roster apply is running against this state; wait for it to finish.',
        });
      }
      unlinkSync(lockPath);
    }
  }
  throw new VaultRosterError('locked', `could not take ${lockPath}`, { hint: 'Remove the lock file if no apply is running.' });
}
