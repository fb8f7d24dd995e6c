/**
 * What git says of the desired files: the commit they were read at, and whether any of them
 * differs from it (edited, staged, added or untracked). A plan records both, so a reviewer, and
 * apply in CI, can tell a plan of committed YAML from one of a working copy.
 */
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import type { DesiredState } from '../model.js';

export interface GitTree {
  readonly commit: string;
  /** Desired files (relative to roster.yaml's folder) that differ from the commit. */
  readonly dirtyFiles: readonly string[];
}

function git(cwd: string, args: readonly string[]): string {
  return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** Paths of `git status --porcelain -z` (repo-relative); a rename names its new path. */
export function porcelainPaths(output: string): string[] {
  const fields = output.split('\0');
  const paths: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] ?? '';
    if (entry.length < 4) continue;
    paths.push(entry.slice(3));
    // A rename or copy is followed by its source path, which is not a separate entry.
    if (entry[0] === 'R' || entry[0] === 'C') i++;
  }
  return paths;
}

/** The commit and dirty desired files, or undefined outside a git work tree (or without git). */
export function gitTree(desired: DesiredState): GitTree | undefined {
  const dir = dirname(desired.config_path);
  try {
    const commit = git(dir, ['rev-parse', 'HEAD']).trim();
    if (!/^[0-9a-f]{40}$/.test(commit)) return undefined;
    const prefix = git(dir, ['rev-parse', '--show-prefix']).trim();
    const status = git(dir, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.']);
    const desiredFiles = new Set(desired.files.map((f) => f.path));
    const dirtyFiles = porcelainPaths(status)
      .filter((path) => path.startsWith(prefix))
      .map((path) => path.slice(prefix.length))
      .filter((path) => desiredFiles.has(path));
    return { commit, dirtyFiles };
  } catch {
    return undefined;
  }
}
