/** Expanding roster.yaml's include globs into the sorted list of desired-state files. */
import { resolve } from 'node:path';
import { glob } from 'tinyglobby';
import type { Diagnostic } from '../diagnostics.js';
import type { ConfigEntry } from './entries.js';

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
export async function expandIncludes(config: ConfigEntry, configDir: string, configPath: string): Promise<IncludedFiles> {
  const patterns = config.raw.include;
  const ignore = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const found = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const [index, pattern] of patterns.entries()) {
    if (pattern.startsWith('!')) continue;
    const matches = (await glob(pattern, { cwd: configDir, onlyFiles: true, expandDirectories: false, ignore, dot: false })).filter(
      (m) => resolve(configDir, m) !== configPath,
    );
    if (matches.length === 0) {
      diagnostics.push({
        severity: 'error',
        code: 'include-no-match',
        summary: `include pattern "${pattern}" matches no file`,
        hint: 'Fix the pattern (it is relative to the folder of roster.yaml) or remove it.',
        position: config.yaml.locate(['include', index], 'value'),
      });
    }
    for (const match of matches) found.add(match);
  }
  return { files: [...found].sort(), diagnostics };
}
