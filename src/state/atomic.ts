/**
 * Crash-safe file primitives: atomic replace (temp file, fsync, rename, fsync dir) and an
 * exclusive lock file that names its owner and is taken over only when that owner is gone.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, basename, join } from 'node:path';
import { VaultRosterError } from '../errors.js';

function cannotWrite(path: string, error: unknown): VaultRosterError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  const why = code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOTDIR' ? 'a parent of it is not a directory' : code;
  return new VaultRosterError('output-file', `cannot write ${path}: ${why}`, {
    hint: 'Give a file path in a writable folder (nothing was written there; no temporary file was left).',
    cause: error,
  });
}

/** The folder vault-roster keeps its local files in by default (state, journal, lock). */
export const LOCAL_FOLDER = '.vault-roster';

const LOCAL_IGNORE = [
  '# vault-roster keeps local run data here: the state file (SiteVault ids, drift baseline),',
  '# apply journals and the run lock. None of it belongs in git: a branch switch would rewind the',
  '# drift baseline. CI keeps the folder as an artifact (see examples/ci).',
  '*',
  '',
].join('\n');

/**
 * Makes `.vault-roster/` ignore itself, so `git add -A` never commits the state, journals or lock.
 * Only for that folder (a `state:` path elsewhere is the user's choice) and only when no
 * .gitignore is there yet.
 */
export function ignoreLocalFolder(dir: string): void {
  if (basename(dir) !== LOCAL_FOLDER) return;
  const path = join(dir, '.gitignore');
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(path, 'wx', 0o644);
    try {
      writeSync(fd, LOCAL_IGNORE);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw cannotWrite(path, error);
  }
}

/** Writes `content` to `path` so that a crash leaves either the old file or the new one, never half. */
export function writeFileAtomic(path: string, content: string): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
    throw cannotWrite(path, error);
  }
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

/** What a lock file says about its holder. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly purpose: string;
  readonly since: string;
}

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(lockPath, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const o = parsed as Record<string, unknown>;
    if (typeof o.pid !== 'number' || typeof o.host !== 'string' || typeof o.purpose !== 'string' || typeof o.since !== 'string') return undefined;
    return { pid: o.pid, host: o.host, purpose: o.purpose, since: o.since };
  } catch {
    return undefined;
  }
}

/** A lock file younger than this with no readable owner is being written by its holder: held. */
const FRESH_LOCK_MS = 30_000;

function lockAgeMs(lockPath: string): number {
  try {
    return Date.now() - statSync(lockPath).mtimeMs;
  } catch {
    return Infinity;
  }
}

/**
 * Takes `<path>.lock` exclusively, for one run (plan or apply) at a time. A lock left by a
 * process of this host that no longer runs (a crash or SIGKILL), or an unreadable one older than
 * a few seconds, is taken over; a live holder, or one on another host, makes this fail naming it.
 */
export function acquireLock(path: string, purpose: string): FileLock {
  const lockPath = `${path}.lock`;
  try {
    mkdirSync(dirname(lockPath), { recursive: true });
  } catch (error) {
    throw cannotWrite(lockPath, error);
  }
  ignoreLocalFolder(dirname(lockPath));
  for (let attempt = 0; attempt < 2; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotWrite(lockPath, error);
      const owner = readOwner(lockPath);
      if (owner === undefined) {
        if (lockAgeMs(lockPath) < FRESH_LOCK_MS) {
          throw new VaultRosterError('locked', `${lockPath} was just taken by another vault-roster run`, {
            hint: 'Wait for that run to finish. If none is running, remove the lock file.',
          });
        }
      } else if (owner.host !== hostname() || (owner.pid !== process.pid && processAlive(owner.pid))) {
        throw new VaultRosterError('locked', `${lockPath} is held by process ${owner.pid} on ${owner.host} since ${owner.since} (${owner.purpose})`, {
          hint: owner.host === hostname()
            ? 'Another vault-roster run works on this repo; wait for it to finish.'
            : 'A vault-roster run on another machine holds it; if that run is over, remove the lock file.',
        });
      }
      try {
        unlinkSync(lockPath);
      } catch {
        // taken over by someone else first: try again
      }
      continue;
    }
    try {
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), purpose, since: new Date().toISOString() }));
    } finally {
      closeSync(fd);
    }
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
  }
  throw new VaultRosterError('locked', `could not take ${lockPath}`, { hint: 'Another run took it first; try again, or remove the lock file if none is running.' });
}
