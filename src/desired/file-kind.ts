/** Which schema an included file follows, decided by its top-level key. */
import type { Diagnostic } from '../diagnostics.js';
import { closestMatch } from './did-you-mean.js';
import type { YamlFile } from './yaml-file.js';

export type DesiredFileKind = 'users' | 'sitevault' | 'groups';

const KEY_OF_KIND: Readonly<Record<DesiredFileKind, string>> = { users: 'users', sitevault: 'sitevault_users', groups: 'groups' };
const KINDS = Object.keys(KEY_OF_KIND) as DesiredFileKind[];
const KIND_KEYS = KINDS.map((kind) => KEY_OF_KIND[kind]);

/** `"users:" (a users file), "sitevault_users:" (a SiteVault file) or "groups:" (a groups file)`. */
const KINDS_TEXT = '"users:" (a users file), "sitevault_users:" (a SiteVault file) or "groups:" (a groups file)';

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `"a", "b" and "c"`. */
function quotedList(keys: readonly string[]): string {
  const quoted = keys.map((k) => `"${k}"`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1] ?? ''}`;
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
  const notMapping = topLevelNotMapping(yaml, `${KINDS_TEXT}, then the list under it.`);
  if (notMapping !== undefined) return { ok: false, diagnostic: notMapping };
  const keys = yaml.topLevelKeys();
  // In file order, so the diagnostic of a mixed file points at the second kind's key.
  const present = keys.filter((k) => KIND_KEYS.includes(k.key));
  const [first, second] = present;
  if (first !== undefined && second === undefined) return { ok: true, kind: KINDS[KIND_KEYS.indexOf(first.key)] ?? 'users' };
  if (second !== undefined) {
    return {
      ok: false,
      diagnostic: {
        severity: 'error',
        code: 'mixed-file-kind',
        summary: `${yaml.file} has both ${quotedList(present.map((k) => k.key))}`,
        hint: 'Put users, SiteVault persons and groups in separate files (one kind per file).',
        position: second.position,
      },
    };
  }
  const near = keys.map((k) => ({ k, match: closestMatch(k.key, KIND_KEYS) })).find((x) => x.match !== undefined);
  return {
    ok: false,
    diagnostic: {
      severity: 'error',
      code: 'unknown-file-kind',
      summary: `${yaml.file} has none of ${quotedList(KIND_KEYS)} at the top level`,
      hint:
        near?.match !== undefined
          ? `Did you mean "${near.match}" instead of "${near.k.key}"?`
          : `A desired-state file starts with ${KINDS_TEXT}; fix the include globs if this file is something else.`,
      position: near?.k.position ?? yaml.locate([], 'value'),
    },
  };
}
