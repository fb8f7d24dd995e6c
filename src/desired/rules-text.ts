/**
 * Values within Vault's limits, checked offline so nothing malformed reaches Vault: documented
 * field lengths, no control or invisible characters, and numbers that survive the trip exactly.
 *
 * Lengths are counted in UTF-16 units (`string.length`), as Vault's Java services count them.
 * Sources, quoted next to each limit:
 * - [META] VAULT-API.md §5.1, Retrieve User Metadata (`GET /api/{v}/metadata/objects/users`,
 *   v25.2 example): each user field's type and `length`.
 * - [VQL] Vault developer docs, VQL "Queryable field types" (limited.veevavault.dev/…/vql/
 *   references/system-limits-performance/queryable-field-types): LongText holds up to 32,000
 *   characters, RichText 32,000 characters of text plus 32,000 of HTML markup.
 * - [HELP] Vault Help, "Understanding Vault User Name & Email Address": user names take the form
 *   username@domainname (checked by the schema's pattern).
 */
import type { Diagnostic, SourcePosition, DiagnosticCode } from '../diagnostics.js';
import type { DataPath, YamlFile } from './yaml-file.js';

/** A documented maximum length and where it comes from. */
export interface TextLimit {
  readonly max: number;
  /** The Vault field it applies to, named in the message. */
  readonly field: string;
}

/** The user keys vault-roster sends as Vault user fields ([META]). */
export const USER_KEY_LIMITS: Readonly<Record<string, TextLimit>> = {
  user_name: { max: 255, field: 'user_name__v' },
  first_name: { max: 100, field: 'user_first_name__v' },
  last_name: { max: 100, field: 'user_last_name__v' },
  email: { max: 255, field: 'user_email__v' },
  timezone: { max: 255, field: 'user_timezone__v' },
  locale: { max: 10, field: 'user_locale__v' },
  language: { max: 10, field: 'user_language__v' },
};

/** Editable user fields set under `fields:` whose length Vault documents ([META]). */
export const FIELD_LIMITS: Readonly<Record<string, number>> = {
  user_title__v: 255,
  site__v: 255,
  company__v: 255,
  fax__v: 255,
  office_phone__v: 20,
  mobile_phone__v: 20,
  alias__v: 40,
  federated_id__v: 100,
  salesforce_user_name__v: 255,
  medidata_uuid__v: 255,
};

/** `security_profile__v` is an ObjectReference of length 40 ([META]). */
export const SECURITY_PROFILE_LIMIT: TextLimit = { max: 40, field: 'security_profile__v' };

/**
 * Fields whose length is not known offline (custom `__c` fields): no Vault text field holds more
 * than a RichText field's 32,000 characters of text plus 32,000 of markup ([VQL]).
 */
export const LONGEST_FIELD_TEXT = 64_000;

/** SiteVault persons become Vault users: their keys carry the user fields' limits ([META]). */
export const PERSON_KEY_LIMITS: Readonly<Record<string, TextLimit>> = {
  email: { max: 255, field: 'user_email__v' },
  username: { max: 255, field: 'user_name__v' },
  first_name: { max: 100, field: 'user_first_name__v' },
  last_name: { max: 100, field: 'user_last_name__v' },
  federated_id: { max: 100, field: 'federated_id__v' },
};

/** C0 controls, DEL and C1 controls: never part of a name, an id or a setting. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
/** The same, less tab, line feed and carriage return: free text (`fields` values) may hold those. */
// eslint-disable-next-line no-control-regex
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
/**
 * Bidirectional overrides and isolates reorder what a reviewer reads ("Trojan Source"), so a
 * plan could show one thing and send another: refused everywhere.
 */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/u;
/** Zero-width characters make two identities look the same: refused in user names and emails. */
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/u;
/** With the `u` flag a proper pair is one code point, so only a lone half matches. */
const UNPAIRED_SURROGATE = /[\ud800-\udfff]/u;
/**
 * Every character any of the checks below can refuse, surrogate halves included (a proper pair
 * matches too, without the `u` flag): a string with none of them is clean whatever its kind, so
 * most strings cost one native scan and nothing else.
 */
// eslint-disable-next-line no-control-regex
const MAYBE_BAD = /[\u0000-\u001f\u007f-\u009f\u200b-\u200d\u202a-\u202e\u2060\u2066-\u2069\ufeff\ud800-\udfff]/;
/** MAYBE_BAD without the control characters, which a file the subset reader took cannot hold. */
const MAYBE_BAD_PRINTABLE = /[\u200b-\u200d\u202a-\u202e\u2060\u2066-\u2069\ufeff\ud800-\udfff]/;
/** Characters escaped when a value is shown in a message. */
// eslint-disable-next-line no-control-regex
const SHOW_ESCAPED = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\ud800-\udfff]/gu;

const NAMES: Readonly<Record<number, string>> = { 0: 'NUL', 7: 'BEL', 8: 'BS', 9: 'TAB', 10: 'LF', 13: 'CR', 27: 'ESC', 127: 'DEL' };

function codePoint(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = NAMES[code];
  return name === undefined ? hex : `${hex} (${name})`;
}

/** A value as it can be shown in one line: invisible characters escaped, long values cut. */
export function excerpt(value: string, max = 40): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return cut.replace(SHOW_ESCAPED, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/** `users[0].fields.company__v` */
function describe(path: DataPath): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** Where a checked value sits, and whom it concerns. */
export interface ValueSite {
  readonly yaml: YamlFile;
  readonly path: DataPath;
  /** The user name or email the diagnostic is about, when there is one. */
  readonly subject?: string | undefined;
}

function diagnostic(site: ValueSite, code: DiagnosticCode, summary: string, hint: string): Diagnostic {
  const position: SourcePosition = site.yaml.locate(site.path, 'value');
  return {
    severity: 'error',
    code,
    summary,
    hint,
    position,
    ...(site.subject === undefined ? {} : { subject: { user: excerpt(site.subject, 60) } }),
  };
}

/** A value longer than Vault takes. */
export function tooLong(site: ValueSite, value: string, max: number, field: string): Diagnostic[] {
  if (value.length <= max) return [];
  return [
    diagnostic(
      site,
      'value-too-long',
      `${describe(site.path)} is ${value.length.toLocaleString('en-US')} characters long, more than the ${max} Vault accepts for ${field} ("${excerpt(value)}")`,
      `Shorten it to at most ${max} characters: Vault refuses longer values.`,
    ),
  ];
}

/**
 * Control characters (NUL, escape…), bidirectional overrides and unpaired surrogates in a string;
 * `text` allows tabs and line breaks (free text), `identity` also refuses zero-width characters.
 */
export function badCharacters(site: ValueSite, value: string, kind: 'plain' | 'text' | 'identity'): Diagnostic[] {
  if (!MAYBE_BAD.test(value)) return [];
  const where = describe(site.path);
  const control = (kind === 'text' ? CONTROL_IN_TEXT : CONTROL).exec(value);
  if (control !== null) {
    return [
      diagnostic(
        site,
        'control-character',
        `${where} contains the control character ${codePoint(control[0])} at character ${control.index + 1}: "${excerpt(value)}"`,
        kind === 'text'
          ? 'Remove it: only tabs and line breaks may appear in a field value (check for "\\0" or other escapes in double quotes).'
          : 'Remove it: names, ids and settings hold printable characters only (check for "\\0", "\\t" or other escapes in double quotes).',
      ),
    ];
  }
  const invisible = BIDI.exec(value) ?? (kind === 'identity' ? ZERO_WIDTH.exec(value) : null);
  if (invisible !== null) {
    return [
      diagnostic(
        site,
        'invalid-character',
        `${where} contains the invisible character ${codePoint(invisible[0])} at character ${invisible.index + 1}: "${excerpt(value)}"`,
        BIDI.test(invisible[0])
          ? 'Remove it: it reorders how text is displayed, so a reviewer would not read what is sent.'
          : 'Remove it: it makes two user names or emails look the same.',
      ),
    ];
  }
  if (UNPAIRED_SURROGATE.test(value)) {
    return [
      diagnostic(site, 'invalid-character', `${where} contains an unpaired UTF-16 surrogate (a broken "\\u" escape): "${excerpt(value)}"`, 'Write the character itself, or a complete surrogate pair.'),
    ];
  }
  return [];
}

/** A whole number beyond 2^53 cannot be held exactly: it would reach Vault changed. */
export function unsafeNumber(site: ValueSite, value: number, what: string): Diagnostic[] {
  if (!Number.isInteger(value) || Number.isSafeInteger(value)) return [];
  return [
    diagnostic(
      site,
      'number-out-of-range',
      `${describe(site.path)} is ${value}, too large to be held exactly (at most ${Number.MAX_SAFE_INTEGER})`,
      what === 'text' ? 'Quote it to send it as text, e.g. "12345678901234567890".' : `Check the ${what}: it cannot be this large.`,
    ),
  ];
}

/**
 * Every string anywhere under `value` (mapping values and list items) checked for bad characters:
 * the net under the named rules, so no key is ever forgotten. The walk keeps one path and copies
 * it only for a suspicious string (a hundred thousand users hold about two million strings).
 */
export function everyString(yaml: YamlFile, path: DataPath, value: unknown, subject: string | undefined, kindOf: (path: DataPath) => 'plain' | 'text' | 'identity'): Diagnostic[] {
  // One scan of the file's text answers for all its strings when nothing suspicious is in it.
  if (yaml.valuesFreeOf(MAYBE_BAD_PRINTABLE)) return [];
  const found: Diagnostic[] = [];
  const walk: (string | number)[] = [...path];
  const visit = (item: unknown): void => {
    if (typeof item === 'string') {
      if (!MAYBE_BAD.test(item)) return;
      const at = [...walk];
      for (const d of badCharacters({ yaml, path: at, subject }, item, kindOf(at))) found.push(d);
      return;
    }
    if (item === null || typeof item !== 'object') return;
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) {
        walk.push(i);
        visit(item[i]);
        walk.pop();
      }
      return;
    }
    for (const key of Object.keys(item)) {
      walk.push(key);
      visit((item as Record<string, unknown>)[key]);
      walk.pop();
    }
  };
  visit(value);
  return found;
}
