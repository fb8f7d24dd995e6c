/**
 * The desired files as they were at a commit: the last commit on or before an instant (first-parent
 * history of HEAD, by committer date), its files under roster.yaml's folder written from git's
 * objects to a temporary folder, and loaded from there: the working tree is never read.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { loadDesiredState } from '../desired/index.js';
import { formatDiagnosticsText } from '../diagnostics.js';
import { VaultRosterError } from '../errors.js';
import type { DesiredState } from '../model.js';

function git(cwd: string, args: readonly string[]): Buffer {
  return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024 });
}

function gitText(cwd: string, args: readonly string[]): string {
  return git(cwd, args).toString('utf8').trim();
}

export interface Commit {
  readonly sha: string;
  /** Committer date, ISO 8601. */
  readonly date: string;
}

export interface RepoAt {
  /** roster.yaml's folder relative to the repository root ('' at the root, else ending in '/'). */
  readonly prefix: string;
  readonly commit: Commit;
  readonly first: Commit;
}

function notGit(dir: string): VaultRosterError {
  return new VaultRosterError('usage', `${dir} is not in a git repository (or git is not installed): as-of reads the history of the desired files from git`, {
    hint: 'Run it in the roster repo (a git clone with its history; in CI check out with fetch-depth: 0).',
  });
}

function commitOf(line: string): Commit | undefined {
  const [sha, date] = line.split('\t');
  return sha !== undefined && /^[0-9a-f]{40}$/.test(sha) && date !== undefined ? { sha, date } : undefined;
}

/** The last commit on or before `instant` (ms), and the first commit; loud when there is none. */
export function commitAt(configDir: string, instant: number): RepoAt {
  let prefix: string;
  let log: string;
  try {
    prefix = gitText(configDir, ['rev-parse', '--show-prefix']);
    log = gitText(configDir, ['log', '--first-parent', '--format=%H%x09%cI', 'HEAD']);
  } catch {
    throw notGit(configDir);
  }
  const commits = log.split('\n').map(commitOf).filter((c): c is Commit => c !== undefined);
  const first = commits.at(-1);
  if (first === undefined) throw notGit(configDir);
  const commit = commits.find((c) => Date.parse(c.date) <= instant);
  if (commit === undefined) {
    throw new VaultRosterError('usage', `${new Date(instant).toISOString()} is before the first commit of the repo (${first.sha.slice(0, 12)} at ${first.date}): no desired state existed then`, {
      hint: 'Give a date on or after the first commit (git log --reverse shows it).',
    });
  }
  return { prefix, commit, first };
}

/** Files under `prefix` at `sha`: path (relative to the repo root), mode, blob id. */
function treeFiles(cwd: string, sha: string, prefix: string): { path: string; mode: string; blob: string }[] {
  const out = git(cwd, ['ls-tree', '-r', '-z', '--full-tree', sha, ...(prefix === '' ? [] : ['--', prefix])]).toString('utf8');
  return out
    .split('\0')
    .filter((e) => e !== '')
    .map((entry) => {
      const tab = entry.indexOf('\t');
      const [mode = '', , blob = ''] = entry.slice(0, tab).split(' ');
      return { path: entry.slice(tab + 1), mode, blob };
    });
}

/**
 * The contents of blobs, in order, from one `git cat-file --batch` (one process, not one per file).
 * Its answer is `<id> blob <size>\n<bytes>\n` per blob.
 */
function readBlobs(cwd: string, ids: readonly string[]): Buffer[] {
  if (ids.length === 0) return [];
  const out = execFileSync('git', ['cat-file', '--batch'], { cwd, input: ids.map((id) => `${id}\n`).join(''), stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024 });
  const blobs: Buffer[] = [];
  let at = 0;
  for (const id of ids) {
    const nl = out.indexOf(0x0a, at);
    const header = out.toString('utf8', at, nl).split(' ');
    const size = Number(header[2]);
    if (header[0] !== id || header[1] !== 'blob' || !Number.isInteger(size)) {
      throw new VaultRosterError('usage', `git cat-file gave '${header.join(' ')}' for blob ${id}`, { hint: 'Check the repository with git fsck.' });
    }
    blobs.push(out.subarray(nl + 1, nl + 1 + size));
    at = nl + 1 + size + 1;
  }
  return blobs;
}

/** Loads the desired state as committed at `sha`; the config is roster.yaml's path relative to its folder. */
export async function desiredAt(configPath: string, at: RepoAt): Promise<DesiredState> {
  const cwd = dirname(configPath);
  const root = mkdtempSync(join(tmpdir(), 'vr-as-of-'));
  try {
    // Regular files only: a symlink or submodule in the tree is not followed (the loader refuses links too).
    const files = treeFiles(cwd, at.commit.sha, at.prefix).filter((f) => f.mode === '100644' || f.mode === '100755');
    const blobs = readBlobs(cwd, files.map((f) => f.blob));
    files.forEach((file, i) => {
      const target = join(root, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, blobs[i] ?? Buffer.alloc(0));
    });
    const config = join(root, at.prefix, basename(configPath));
    const loaded = await loadDesiredState(config, { cwd: root });
    if (!loaded.ok) {
      throw new VaultRosterError('invalid-input', `the desired files at commit ${at.commit.sha} (${at.commit.date}) cannot be loaded:\n${formatDiagnosticsText(loaded.diagnostics.slice(0, 10)).trimEnd()}`, {
        hint: `Check that commit out to see it (git show ${at.commit.sha.slice(0, 12)}); as-of can only reconstruct from valid desired files.`,
      });
    }
    return loaded.state;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A commit by id (an apply's `git_commit`); loud when this clone does not have it. */
export function commitInfo(configDir: string, sha: string): Commit {
  let line: string;
  try {
    line = gitText(configDir, ['show', '-s', '--format=%H%x09%cI', `${sha}^{commit}`]);
  } catch {
    line = '';
  }
  const commit = commitOf(line);
  if (commit === undefined) {
    throw new VaultRosterError('usage', `commit ${sha}, which an apply's plan was made from, is not in this clone`, {
      hint: 'Fetch the full history (git fetch --unshallow, or fetch-depth: 0 in CI); a commit rebased away cannot be read.',
    });
  }
  return commit;
}
