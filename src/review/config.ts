/**
 * The review's settings and owner rules, read from roster.yaml's `review:` block (the loader has
 * checked its shape) or, without `review.owners`, from the repo's CODEOWNERS. I/O: reads files.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { readLoadedFile, type RawConfig, type YamlFile } from '../desired/index.js';
import { DiagnosticsError, VaultRosterError } from '../errors.js';
import type { DesiredState } from '../model.js';
import { globMatcher, parseCodeowners } from './patterns.js';
import type { OwnerRule, ReviewSettings } from './types.js';

export const DEFAULT_DORMANT_DAYS = 90;
export const DEFAULT_INTERVAL_DAYS = 90;
export const DEFAULT_ORPHAN_OWNER = '(no owner)';
/** Where GitHub looks for CODEOWNERS, in its order: the first that exists is the one used. */
export const CODEOWNERS_PLACES = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

export interface ReviewConfig {
  readonly settings: ReviewSettings;
  readonly rules: readonly OwnerRule[];
  /** `review.owners in roster.yaml`, `CODEOWNERS at …`, or `none`. */
  readonly owners_from: string;
  /** Turns a desired file (relative to roster.yaml's folder) into the path the rules match. */
  readonly pathFor: (fileInConfigDir: string) => string;
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

/** roster.yaml as the load checked it (its `review:` block is not in the desired state). */
function readConfigYaml(desired: DesiredState, cwd: string): YamlFile {
  return readLoadedFile(desired, desired.config_path, toPosix(relative(cwd, desired.config_path)) || desired.config_path).yaml;
}

function people(value: string | string[]): string[] {
  return (Array.isArray(value) ? value : [value]).map((p) => p.trim());
}

/** `review.owners` patterns that match no desired file are errors at their key. */
function unmatched(rules: readonly OwnerRule[], files: readonly string[]): Diagnostic[] {
  return rules
    .filter((rule) => !files.some(rule.matches))
    .map((rule) => ({
      severity: 'error' as const,
      code: 'review-owners-no-match' as const,
      summary: `review.owners pattern "${rule.pattern}" matches no included file`,
      hint: `Patterns are globs relative to roster.yaml's folder, like include (e.g. users/*.yaml); included files: ${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}.`,
      position: rule.position,
    }));
}

/** The folder that holds `.git` above the config (the repo root CODEOWNERS paths start at), else the config's folder. */
export function repoRoot(configDir: string): string {
  let dir = configDir;
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return configDir;
    dir = parent;
  }
}

function codeownersRules(configDir: string): { rules: OwnerRule[]; from: string; root: string } {
  const root = repoRoot(configDir);
  for (const place of CODEOWNERS_PLACES) {
    const path = join(root, place);
    if (!existsSync(path) || !statSync(path).isFile()) continue;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new VaultRosterError('invalid-input', `${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`, { hint: 'make the CODEOWNERS file readable, or declare review.owners in roster.yaml' });
    }
    const rules = parseCodeowners(text).map((r) => ({ pattern: r.pattern, owners: r.owners, matches: r.matches, position: { file: path, line: r.line, col: 1 } }));
    return { rules, from: `CODEOWNERS at ${path}`, root };
  }
  return { rules: [], from: 'none (no review.owners in roster.yaml and no CODEOWNERS file)', root };
}

function settingsOf(raw: NonNullable<RawConfig['review']>, desired: DesiredState): ReviewSettings {
  return {
    dormant_days: raw.dormant_days ?? DEFAULT_DORMANT_DAYS,
    interval_days: raw.interval_days ?? DEFAULT_INTERVAL_DAYS,
    expiry_warning_days: desired.policy.expiry_warning_days,
    orphan_owner: raw.orphan_owner?.trim() ?? DEFAULT_ORPHAN_OWNER,
  };
}

/** The `review:` settings alone (the seat report's dormant days), without resolving owners. */
export function readReviewSettings(desired: DesiredState, cwd: string): ReviewSettings {
  return settingsOf((readConfigYaml(desired, cwd).data as RawConfig).review ?? {}, desired);
}

/** Settings and owner rules for a review of `desired`; refuses owner patterns that match nothing. */
export function readReviewConfig(desired: DesiredState, cwd: string): ReviewConfig {
  const yaml = readConfigYaml(desired, cwd);
  const raw = (yaml.data as RawConfig).review ?? {};
  const configDir = dirname(desired.config_path);
  const settings = settingsOf(raw, desired);
  if (raw.owners !== undefined) {
    const rules = Object.entries(raw.owners).map(([pattern, value]) => ({
      pattern,
      owners: people(value),
      matches: globMatcher(pattern),
      position: yaml.locate(['review', 'owners', pattern], 'key'),
    }));
    const problems = unmatched(rules, desired.files.map((f) => f.path));
    if (problems.length > 0) throw new DiagnosticsError(`${yaml.file}: review.owners is not valid`, problems);
    return { settings, rules, owners_from: 'review.owners in roster.yaml', pathFor: (file) => file };
  }
  const found = codeownersRules(configDir);
  return { settings, rules: found.rules, owners_from: found.from, pathFor: (file) => toPosix(relative(found.root, resolve(configDir, file))) };
}
