/** Expanding roster.yaml's include globs into the sorted list of desired-state files. */
import { isAbsolute, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import type { Diagnostic } from '../diagnostics.js';
import type { YamlFile } from './yaml-file.js';

export interface IncludedFiles {
  /** Paths relative to the config's folder, `/`-separated, sorted, without duplicates. */
  readonly files: string[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Each positive pattern is expanded on its own so a pattern matching nothing can be named; it is
 * an error because it is nearly always a typo that would silently drop users. Patterns starting
 * with `!` exclude. The config file itself is never included.
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
  for (const [index, pattern] of patterns.entries()) {
    if (pattern.startsWith('!')) continue;
    // The repo is the config's folder: its digest and review cover only files inside it.
    if (isAbsolute(pattern) || pattern.split(/[\\/]/).includes('..')) {
      diagnostics.push({
        severity: 'error',
        code: 'include-outside-repo',
        summary: `include pattern "${pattern}" reaches outside the folder of roster.yaml`,
        hint: 'Keep desired-state files under the config folder and use a relative pattern such as users/**/*.yaml.',
        position: config.locate(['include', index], 'value'),
      });
      continue;
    }
    const matches = (await glob(pattern, { cwd: configDir, onlyFiles: true, expandDirectories: false, ignore, dot: false })).filter(
      (m) => resolve(configDir, m) !== configPath,
    );
    if (matches.length === 0) {
      diagnostics.push({
        severity: 'error',
        code: 'include-no-match',
        summary: `include pattern "${pattern}" matches no file`,
        hint: 'Fix the pattern (it is relative to the folder of roster.yaml) or remove it.',
        position: config.locate(['include', index], 'value'),
      });
    }
    for (const match of matches) found.add(match);
  }
  return { files: [...found].sort(), diagnostics };
}
