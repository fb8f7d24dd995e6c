/**
 * Semantic rules over users (step two of validation, after the schema). Each rule is a small
 * named function returning diagnostics; none of them reads files or talks to Vault.
 */
import type { Diagnostic, SourcePosition, DiagnosticCode } from '../diagnostics.js';
import { isLicenseAllowedUnder, normaliseIdentity, type LicenseType } from '../model.js';
import { PROMOTE_OWN_FIELDS, READ_ONLY_USER_FIELDS, USER_FIELD_TO_VAULT } from '../vault-api/index.js';
import { formatPosition, type ConfigEntry, type UserEntry } from './entries.js';
import {
  everyString,
  FIELD_LIMITS,
  LONGEST_FIELD_TEXT,
  SECURITY_PROFILE_LIMIT,
  tooLong,
  unsafeNumber,
  USER_KEY_LIMITS,
  type ValueSite,
} from './rules-text.js';
import { appLicenseType } from './raw-types.js';
import { reviewDates } from './rules-review.js';
import { grantDates, requiredGrants } from './rules-timebox.js';
import type { DataPath } from './yaml-file.js';

/** Promote Person to User first appears in API v26.2 (VAULT-API.md §9.1). */
export const PROMOTION_MIN_API_VERSION = { major: 26, minor: 2 } as const;

function error(code: DiagnosticCode, summary: string, hint: string, user: string, position: SourcePosition): Diagnostic {
  return { severity: 'error', code, summary, hint, position, subject: { user } };
}

/** One user listing the same vault in two memberships. */
export function duplicateMemberships(users: readonly UserEntry[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const entry of users) {
    const memberships = entry.raw.memberships ?? [];
    // A handful of memberships each: compared pairwise, no set built per user.
    for (let index = 1; index < memberships.length; index++) {
      const vault = memberships[index]?.vault;
      let earlier = false;
      for (let before = 0; before < index && !earlier; before++) earlier = memberships[before]?.vault === vault;
      if (!earlier) continue;
      found.push(
        error(
          'duplicate-membership',
          `vault ${vault} is listed twice in the memberships of ${normaliseIdentity(entry.raw.user_name)}`,
          'Merge the two memberships into one entry per vault.',
          normaliseIdentity(entry.raw.user_name),
          entry.yaml.locate([...entry.path, 'memberships', index, 'vault'], 'value'),
        ),
      );
    }
  }
  return found;
}

/**
 * An application license more permissive than the membership's license or the user's domain
 * license (VAULT-API.md §5.12-5.13). Vault rejects such rows, so catch them before any call.
 */
export function appLicensePermissiveness(users: readonly UserEntry[], config: ConfigEntry): Diagnostic[] {
  const defaultLicense = config.raw.defaults?.license_type;
  const all: Diagnostic[] = [];
  for (const entry of users) {
    const userLicense: LicenseType | undefined = entry.raw.license_type ?? defaultLicense;
    const memberships = entry.raw.memberships ?? [];
    for (let index = 0; index < memberships.length; index++) {
      const membership = memberships[index];
      if (membership?.apps === undefined) continue;
      const membershipLicense: LicenseType = membership.license_type ?? defaultLicense ?? 'full__v';
      for (const app in membership.apps) {
        const value = membership.apps[app];
        if (value === undefined) continue;
        const license = appLicenseType(value);
        const overMembership = !isLicenseAllowedUnder(license, membershipLicense);
        const overUser = userLicense !== undefined && !isLicenseAllowedUnder(license, userLicense);
        if (!overMembership && !overUser) continue;
        const userName = normaliseIdentity(entry.raw.user_name);
        // Located only for a finding: a position walk per app of every user is most of this rule's time.
        const position = entry.yaml.locate([...entry.path, 'memberships', index, 'apps', app, ...(typeof value === 'string' ? [] : ['license_type'])], 'value');
        if (overMembership) {
          all.push(
            error(
              'app-license-exceeds-membership',
              `app ${app} in vault ${membership.vault} has license ${license}, more permissive than the membership's ${membershipLicense}`,
              `Lower the app license or raise the membership's license_type.`,
              userName,
              position,
            ),
          );
        }
        if (overUser) {
          all.push(
            error(
              'app-license-exceeds-user-license',
              `app ${app} in vault ${membership.vault} has license ${license}, more permissive than the user's license_type ${userLicense}`,
              `Lower the app license or raise the user's license_type (app licenses cannot exceed it).`,
              userName,
              position,
            ),
          );
        }
      }
    }
  }
  return all;
}

/** `v26.2` → { major: 26, minor: 2 }; the schema guarantees the form. */
export function parseApiVersion(version: string): { major: number; minor: number } {
  const match = /^v(\d+)\.(\d+)$/.exec(version);
  return { major: Number(match?.[1] ?? 0), minor: Number(match?.[2] ?? 0) };
}

/** promote_from_person needs the Promote Person to User endpoint, which needs api_version >= v26.2. */
export function promotionApiVersion(users: readonly UserEntry[], config: ConfigEntry): Diagnostic[] {
  const version = parseApiVersion(config.raw.vault.api_version);
  const min = PROMOTION_MIN_API_VERSION;
  if (version.major > min.major || (version.major === min.major && version.minor >= min.minor)) return [];
  return users
    .filter((entry) => entry.raw.promote_from_person !== undefined)
    .map((entry) =>
      error(
        'promotion-needs-api-version',
        `promote_from_person needs API v${min.major}.${min.minor} or later, but roster.yaml sets ${config.raw.vault.api_version}`,
        `Set vault.api_version to v${min.major}.${min.minor} (or later) in the config, or create the user without promote_from_person.`,
        normaliseIdentity(entry.raw.user_name),
        entry.yaml.locate([...entry.path, 'promote_from_person']),
      ),
    );
}

/** `promote_fields` go with a promotion only, and may not set what vault-roster sends itself. */
export function promoteFields(users: readonly UserEntry[]): Diagnostic[] {
  return users.flatMap((entry) => {
    const fields = entry.raw.promote_fields;
    if (fields === undefined) return [];
    const user = normaliseIdentity(entry.raw.user_name);
    if (entry.raw.promote_from_person === undefined) {
      return [
        error(
          'promote-fields-without-promotion',
          `promote_fields are sent only with Promote Person to User, but ${user} has no promote_from_person`,
          'Add promote_from_person, or move these values to fields (legacy user field names such as company__v).',
          user,
          entry.yaml.locate([...entry.path, 'promote_fields']),
        ),
      ];
    }
    return Object.keys(fields)
      .filter((name) => PROMOTE_OWN_FIELDS.has(name))
      .map((name) =>
        error(
          'promote-field-reserved',
          `promote_fields.${name} is filled by vault-roster from the user's own keys`,
          'Remove it from promote_fields and set the dedicated key (first_name, language, memberships …) instead.',
          user,
          entry.yaml.locate([...entry.path, 'promote_fields', name], 'key'),
        ),
      );
  });
}

const DEDICATED_KEY_BY_FIELD = new Map<string, string>(Object.entries(USER_FIELD_TO_VAULT).map(([key, field]) => [field, key]));

/** `fields` may not set what a dedicated key covers, nor read-only fields. */
export function reservedFieldNames(users: readonly UserEntry[]): Diagnostic[] {
  return users.flatMap((entry) =>
    Object.keys(entry.raw.fields ?? {}).flatMap((field) => {
      const dedicated = DEDICATED_KEY_BY_FIELD.get(field);
      if (dedicated === undefined && !READ_ONLY_USER_FIELDS.has(field)) return [];
      const position = entry.yaml.locate([...entry.path, 'fields', field]);
      const userName = normaliseIdentity(entry.raw.user_name);
      if (dedicated !== undefined) {
        return [error('field-has-dedicated-key', `${field} cannot be set under fields`, `Use the "${dedicated}" key of the user instead.`, userName, position)];
      }
      if (READ_ONLY_USER_FIELDS.has(field)) {
        return [
          error(
            'field-read-only',
            `${field} is read-only or managed through memberships`,
            field === 'security_profile__v' || field === 'active__v'
              ? 'Set it per vault under memberships.'
              : 'Remove it: Vault sets this field itself.',
            userName,
            position,
          ),
        ];
      }
      return [];
    }),
  );
}

/** How strictly a string is checked: free text under `fields`, identities (names, emails, group labels), or plain settings. */
function stringKind(path: DataPath): 'plain' | 'text' | 'identity' {
  const key = path[path.length - 1];
  if (path[path.length - 2] === 'fields') return 'text';
  // Group labels are identities too: an invisible character would name another group.
  const groupLabel = path[path.length - 2] === 'groups' || (key === 'group' && path[path.length - 3] === 'groups');
  return key === 'user_name' || key === 'email' || groupLabel ? 'identity' : 'plain';
}

/**
 * Every value within what Vault accepts (see rules-text.ts for the sources): documented lengths,
 * no control or invisible characters anywhere, and numbers that reach Vault unchanged.
 */
export function valuesWithinLimits(users: readonly UserEntry[]): Diagnostic[] {
  return users.flatMap((entry) => {
    const raw = entry.raw;
    const site = (path: DataPath): ValueSite => ({ yaml: entry.yaml, path: [...entry.path, ...path], subject: raw.user_name });
    const found: Diagnostic[] = [];
    // Each check is asked only of a value that fails its cheap test: a site (a path copy) per
    // value of every user would be most of this rule's time.
    for (const key in USER_KEY_LIMITS) {
      const limit = USER_KEY_LIMITS[key];
      const value: unknown = (raw as unknown as Record<string, unknown>)[key];
      if (limit !== undefined && typeof value === 'string' && value.length > limit.max) found.push(...tooLong(site([key]), value, limit.max, limit.field));
    }
    if (typeof raw.security_policy === 'number' && !Number.isSafeInteger(raw.security_policy)) found.push(...unsafeNumber(site(['security_policy']), raw.security_policy, 'text'));
    for (const [field, value] of Object.entries(raw.fields ?? {})) {
      if (typeof value === 'string') found.push(...tooLong(site(['fields', field]), value, FIELD_LIMITS[field] ?? LONGEST_FIELD_TEXT, field));
      if (typeof value === 'number') found.push(...unsafeNumber(site(['fields', field]), value, 'text'));
    }
    const memberships = raw.memberships ?? [];
    for (let index = 0; index < memberships.length; index++) {
      const membership = memberships[index];
      if (membership === undefined) continue;
      if (!Number.isSafeInteger(membership.vault)) found.push(...unsafeNumber(site(['memberships', index, 'vault']), membership.vault, 'vault id'));
      const profile = membership.security_profile;
      if (profile !== undefined && profile.length > SECURITY_PROFILE_LIMIT.max) {
        found.push(...tooLong(site(['memberships', index, 'security_profile']), profile, SECURITY_PROFILE_LIMIT.max, SECURITY_PROFILE_LIMIT.field));
      }
    }
    found.push(...everyString(entry.yaml, entry.path, raw, raw.user_name, stringKind));
    return found;
  });
}

const userNamePath = (entry: UserEntry): DataPath => [...entry.path, 'user_name'];

/**
 * The user rules over users added file by file, so each file's parsed data can go once its turn
 * is over. The rules within a user run when its file is added; the rules across files (a user
 * name or a promotion declared twice) keep only names and positions. `diagnostics()` lists the
 * findings rule by rule, each in declaration order: what one pass over every user gives.
 */
export class UserRuleRun {
  readonly #config: ConfigEntry | undefined;
  /** One list per rule, in the order they are reported (the order of `add`'s results). */
  readonly #found: Diagnostic[][] = [];
  /** Where each user name was declared first: the entry while its file is being added, then its position. */
  readonly #names = new Map<string, UserEntry | SourcePosition>();
  /** The first spelling of a name, when it is not the identity itself (capitals, spaces). */
  readonly #spellings = new Map<string, string>();
  readonly #promotions = new Map<string, { user: string; at: string }>();
  /** Names the file being added declared first, with their place in its list of users. */
  #pending: { identity: string; index: number; entry: UserEntry }[] = [];
  #errors = false;

  constructor(config: ConfigEntry | undefined) {
    this.#config = config;
  }

  /**
   * Checks one file's users (entries that passed their schema). Call `settle` before the next
   * file, with the user_name positions when the caller has them (normalised users carry them).
   */
  add(users: readonly UserEntry[]): void {
    const config = this.#config;
    const results: Diagnostic[][] = [
      this.#duplicateUserNames(users),
      duplicateMemberships(users),
      config === undefined ? [] : appLicensePermissiveness(users, config),
      config === undefined ? [] : promotionApiVersion(users, config),
      config === undefined ? [] : requiredGrants(users, config),
      this.#duplicatePromotions(users),
      promoteFields(users),
      reservedFieldNames(users),
      valuesWithinLimits(users),
      grantDates(users),
      reviewDates(users),
    ];
    results.forEach((found, rule) => {
      const list = (this.#found[rule] ??= []);
      for (const d of found) {
        list.push(d);
        if (d.severity === 'error') this.#errors = true;
      }
    });
  }

  /**
   * Keeps the positions of the names the last file declared first, so its entries can go:
   * `positionAt(i)` for the file's i-th user when given (it must be the user_name key's
   * position), else located here.
   */
  settle(positionAt?: (index: number) => SourcePosition | undefined): void {
    for (const { identity, index, entry } of this.#pending) this.#names.set(identity, positionAt?.(index) ?? entry.yaml.locate(userNamePath(entry)));
    this.#pending = [];
  }

  /** Some rule found an error so far. */
  get hasErrors(): boolean {
    return this.#errors;
  }

  diagnostics(): Diagnostic[] {
    const all: Diagnostic[] = [];
    for (const list of this.#found) for (const d of list) all.push(d);
    return all;
  }

  /** The same user_name twice, exactly or as case variants (Vault compares user names case-insensitively). */
  #duplicateUserNames(users: readonly UserEntry[]): Diagnostic[] {
    const diagnostics: Diagnostic[] = [];
    for (let index = 0; index < users.length; index++) {
      const entry = users[index];
      if (entry === undefined) continue;
      const identity = normaliseIdentity(entry.raw.user_name);
      const earlier = this.#names.get(identity);
      if (earlier === undefined) {
        this.#names.set(identity, entry);
        this.#pending.push({ identity, index, entry });
        const written = entry.raw.user_name.trim();
        if (written !== identity) this.#spellings.set(identity, written);
        continue;
      }
      const earlierAt = formatPosition('raw' in earlier ? earlier.yaml.locate(userNamePath(earlier)) : earlier);
      const earlierWritten = this.#spellings.get(identity) ?? identity;
      const written = entry.raw.user_name.trim();
      const position = entry.yaml.locate(userNamePath(entry));
      diagnostics.push(
        earlierWritten === written
          ? error('duplicate-user', `user ${identity} is declared twice (first at ${earlierAt})`, 'Keep one entry per user: merge the two declarations.', identity, position)
          : error(
              'user-name-case-conflict',
              `"${written}" and "${earlierWritten}" (at ${earlierAt}) are the same Vault user`,
              'User names are case-insensitive in Vault: keep one entry with one spelling.',
              identity,
              position,
            ),
      );
    }
    return diagnostics;
  }

  /** One Clinical person promoted into two users. */
  #duplicatePromotions(users: readonly UserEntry[]): Diagnostic[] {
    const diagnostics: Diagnostic[] = [];
    for (const entry of users) {
      const person = entry.raw.promote_from_person;
      if (person === undefined) continue;
      const earlier = this.#promotions.get(person);
      if (earlier === undefined) {
        this.#promotions.set(person, {
          user: normaliseIdentity(entry.raw.user_name),
          at: formatPosition(entry.yaml.locate([...entry.path, 'promote_from_person'])),
        });
        continue;
      }
      diagnostics.push(
        error(
          'duplicate-promotion',
          `person ${person} is promoted twice (also by ${earlier.user} at ${earlier.at})`,
          'A person can become one user only: keep promote_from_person on one of them.',
          normaliseIdentity(entry.raw.user_name),
          entry.yaml.locate([...entry.path, 'promote_from_person'], 'value'),
        ),
      );
    }
    return diagnostics;
  }
}

/** All user rules over users given at once; those that need the config (defaults, api_version) run only when it is valid. */
export function checkUserRules(users: readonly UserEntry[], config: ConfigEntry | undefined): Diagnostic[] {
  const run = new UserRuleRun(config);
  run.add(users);
  return run.diagnostics();
}
