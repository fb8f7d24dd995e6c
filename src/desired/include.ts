/** Expanding roster.yaml's include globs into the sorted list of desired-state files. */
import * as fs from 'node:fs';
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { glob, type FileSystemAdapter } from 'tinyglobby';
import type { Diagnostic, SourcePosition } from '../diagnostics.js';
import { badCharacters } from './rules-text.js';
import type { YamlFile } from './yaml-file.js';

export interface IncludedFiles {
  /**
   * Real paths relative to the config's real folder, `/`-separated, sorted, without duplicates:
   * a file reached through a symbolic link is listed (and read, and digested) where it really is.
   */
  readonly files: string[];
  readonly diagnostics: Diagnostic[];
}

type BrokenLink = 'dangling' | 'loop';

/**
 * What the glob's crawl met among symbolic links. The crawl goes through this adapter, so a link
 * whose target is missing or loops is seen (the glob alone skips it silently), and a folder
 * outside the repo reached through a link is never listed (so nothing of it is read).
 */
class LinkWatch {
  /** Absolute link paths whose target is missing or loops. */
  readonly broken = new Map<string, BrokenLink>();
  /** Folders outside the repo the patterns reached through a link → that link. */
  readonly outsideFolders = new Map<string, string>();
  /** Real target of each link resolved so far → the link. */
  readonly #links = new Map<string, string>();

  constructor(private readonly roots: readonly string[]) {}

  inside(path: string): boolean {
    const bare = path.endsWith(sep) && path.length > 1 ? path.slice(0, -1) : path;
    return this.roots.some((root) => bare === root || bare.startsWith(root.endsWith(sep) ? root : root + sep));
  }

  adapter(): FileSystemAdapter {
    const realpathWatched = (path: string, callback: (error: NodeJS.ErrnoException | null, resolved: string) => void): void => {
      fs.realpath(path, (error, resolved) => {
        const kind = error?.code === 'ELOOP' ? 'loop' : error?.code === 'ENOENT' || error?.code === 'ENOTDIR' ? 'dangling' : undefined;
        if (kind !== undefined) {
          // Reported as a plain file, so the patterns decide whether it would have been included.
          this.broken.set(path, kind);
          callback(null, path);
          return;
        }
        if (error === null) this.#links.set(resolved, path);
        callback(error, resolved);
      });
    };
    // The crawler only asks a stat whether it is a directory.
    const statWatched = (path: string, callback: (error: NodeJS.ErrnoException | null, stats: { isDirectory(): boolean }) => void): void => {
      if (this.broken.has(path)) {
        callback(null, { isDirectory: () => false });
        return;
      }
      fs.stat(path, callback);
    };
    const readdirWatched = (path: string, options: unknown, callback: (error: NodeJS.ErrnoException | null, entries: fs.Dirent[]) => void): void => {
      if (!this.inside(path)) {
        const bare = path.endsWith(sep) && path.length > 1 ? path.slice(0, -1) : path;
        this.outsideFolders.set(bare, this.#links.get(bare) ?? bare);
        callback(null, []);
        return;
      }
      fs.readdir(path, options as { withFileTypes: true }, callback);
    };
    return { realpath: realpathWatched, stat: statWatched, readdir: readdirWatched } as unknown as FileSystemAdapter;
  }
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

async function realPathOf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

/** A matched path, checked: where it really is, or the diagnostic that keeps it out. */
async function checkMatch(
  match: string,
  context: { configDir: string; realRoot: string; realConfig: string; watch: LinkWatch; pattern: string; position: SourcePosition },
): Promise<{ file?: string; diagnostic?: Diagnostic }> {
  const absolute = resolve(context.configDir, match);
  const broken = context.watch.broken.get(absolute);
  if (broken !== undefined) {
    return {
      diagnostic: {
        severity: 'error',
        code: broken === 'loop' ? 'include-symlink-loop' : 'include-dangling-symlink',
        summary:
          broken === 'loop'
            ? `${match} (matched by include "${context.pattern}") is a symbolic link that loops back on itself`
            : `${match} (matched by include "${context.pattern}") is a symbolic link to a file that does not exist`,
        hint: 'Point the link at a file inside the repo, or remove it (or exclude it with a "!" pattern).',
        position: context.position,
      },
    };
  }
  const real = await realPathOf(absolute);
  if (real === context.realConfig) return {};
  const fromRoot = relative(context.realRoot, real);
  if (fromRoot === '..' || fromRoot.startsWith(`..${sep}`) || isAbsolute(fromRoot)) {
    return {
      diagnostic: {
        severity: 'error',
        code: 'include-outside-repo',
        summary: `${match} (matched by include "${context.pattern}") is a symbolic link to ${real}, outside the folder of roster.yaml; it was not read`,
        hint: 'Copy the file into the repo (its review and digest cover only files inside it), or remove the link.',
        position: context.position,
      },
    };
  }
  return { file: toPosix(fromRoot) };
}

function outsideFolderDiagnostics(watch: LinkWatch, configDir: string, pattern: string, position: SourcePosition): Diagnostic[] {
  return [...watch.outsideFolders].map(([target, link]) => ({
    severity: 'error' as const,
    code: 'include-outside-repo',
    summary: `include "${pattern}" reaches through the symbolic link ${toPosix(relative(configDir, link))} into ${target}, outside the folder of roster.yaml; nothing there was read`,
    hint: 'Keep desired-state files inside the repo; remove the link or exclude it with a "!" pattern.',
    position,
  }));
}

/**
 * Each positive pattern is expanded on its own so a pattern matching nothing can be named; it is
 * an error because it is nearly always a typo that would silently drop users. Patterns starting
 * with `!` exclude. The config file itself is never included. Symbolic links are resolved:
 * a file is included where it really is, a link out of the repo is refused unread, and a link
 * that is dangling or loops is an error naming it rather than a file silently skipped.
 */
export async function expandIncludes(patterns: readonly string[], config: YamlFile, configDir: string, configPath: string): Promise<IncludedFiles> {
  const ignore = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const found = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  if (ignore.length === patterns.length) {
    diagnostics.push({
      severity: 'error',
      code: 'include-no-match',
      summary: 'include lists only exclusions (patterns starting with !), so no file is included',
      hint: 'Add a pattern that selects files, e.g. users/**/*.yaml.',
      position: config.locate(['include'], 'key'),
    });
  }
  const realRoot = await realPathOf(configDir);
  const realConfig = await realPathOf(configPath);
  for (const [index, pattern] of patterns.entries()) {
    if (pattern.startsWith('!')) continue;
    const position = config.locate(['include', index], 'value');
    // A NUL would make every file-system call throw; other controls cannot name a real file.
    const bad = badCharacters({ yaml: config, path: ['include', index] }, pattern, 'plain');
    if (bad.length > 0) {
      diagnostics.push(...bad);
      continue;
    }
    // The repo is the config's folder: its digest and review cover only files inside it.
    if (isAbsolute(pattern) || pattern.split(/[\\/]/).includes('..')) {
      diagnostics.push({
        severity: 'error',
        code: 'include-outside-repo',
        summary: `include pattern "${pattern}" reaches outside the folder of roster.yaml`,
        hint: 'Keep desired-state files under the config folder and use a relative pattern such as users/**/*.yaml.',
        position,
      });
      continue;
    }
    const watch = new LinkWatch([resolve(configDir), realRoot]);
    const matches = await glob(pattern, { cwd: configDir, onlyFiles: true, expandDirectories: false, ignore, dot: false, fs: watch.adapter() });
    const before = diagnostics.length;
    diagnostics.push(...outsideFolderDiagnostics(watch, configDir, pattern, position));
    let included = 0;
    for (const match of matches.sort()) {
      const checked = await checkMatch(match, { configDir, realRoot, realConfig, watch, pattern, position });
      if (checked.diagnostic !== undefined) diagnostics.push(checked.diagnostic);
      if (checked.file === undefined) continue;
      found.add(checked.file);
      included += 1;
    }
    // Links already reported count as matches: the pattern is not a typo.
    if (included === 0 && diagnostics.length === before) {
      diagnostics.push({
        severity: 'error',
        code: 'include-no-match',
        summary: `include pattern "${pattern}" matches no file`,
        hint: 'Fix the pattern (it is relative to the folder of roster.yaml) or remove it.',
        position,
      });
    }
  }
  return { files: [...found].sort(), diagnostics };
}
