/** Which schema an included file follows, decided by its top-level key. */
import type { Diagnostic } from '../diagnostics.js';
import { closestMatch } from './did-you-mean.js';
import type { YamlFile } from './yaml-file.js';

export type DesiredFileKind = 'users' | 'sitevault';

const KEY_OF_KIND: Readonly<Record<DesiredFileKind, string>> = { users: 'users', sitevault: 'sitevault_users' };

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A top level that is not a mapping (a list, a scalar). */
export function topLevelNotMapping(yaml: YamlFile, expected: string): Diagnostic | undefined {
  if (isMapping(yaml.data)) return undefined;
  const got = Array.isArray(yaml.data) ? 'a list' : 'a single value';
  return {
    severity: 'error',
    code: 'top-level-not-mapping',
    summary: `the top level of ${yaml.file} is ${got}, not a mapping`,
    hint: `Start the file with ${expected}`,
    position: yaml.locate([], 'value'),
  };
}

export type KindResult = { ok: true; kind: DesiredFileKind } | { ok: false; diagnostic: Diagnostic };

export function detectFileKind(yaml: YamlFile): KindResult {
  const notMapping = topLevelNotMapping(yaml, '"users:" (a users file) or "sitevault_users:" (a SiteVault file), then the list under it.');
  if (notMapping !== undefined) return { ok: false, diagnostic: notMapping };
  const keys = yaml.topLevelKeys();
  const present = (Object.keys(KEY_OF_KIND) as DesiredFileKind[]).filter((kind) => keys.some((k) => k.key === KEY_OF_KIND[kind]));
  const [only, second] = present;
  if (only !== undefined && second === undefined) return { ok: true, kind: only };
  if (only !== undefined && second !== undefined) {
    const position = keys.find((k) => k.key === KEY_OF_KIND.sitevault)?.position ?? yaml.locate([], 'value');
    return {
      ok: false,
      diagnostic: {
        severity: 'error',
        code: 'mixed-file-kind',
        summary: `${yaml.file} has both "users" and "sitevault_users"`,
        hint: 'Put users and SiteVault persons in separate files (one kind per file).',
        position,
      },
    };
  }
  const near = keys.map((k) => ({ k, match: closestMatch(k.key, Object.values(KEY_OF_KIND)) })).find((x) => x.match !== undefined);
  return {
    ok: false,
    diagnostic: {
      severity: 'error',
      code: 'unknown-file-kind',
      summary: `${yaml.file} has neither "users" nor "sitevault_users" at the top level`,
      hint:
        near?.match !== undefined
          ? `Did you mean "${near.match}" instead of "${near.k.key}"?`
          : 'A desired-state file starts with "users:" or "sitevault_users:"; fix the include globs if this file is something else.',
      position: near?.k.position ?? yaml.locate([], 'value'),
    },
  };
}
