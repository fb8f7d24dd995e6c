/**
 * Semantic rules over groups and the `groups:` lists of users (step two of validation, after the
 * schema). Whether a member exists in Vault, is active, or a group is system-managed is for the
 * planner: these rules read only the files.
 */
import type { Diagnostic, DiagnosticCode, SourcePosition } from '../diagnostics.js';
import { closestMatch } from './did-you-mean.js';
import { formatPosition, type GroupEntry } from './entries.js';
import type { GroupDeclaration, UserGroupRef } from './groups.js';
import { everyString, SECURITY_PROFILE_LIMIT, tooLong, USER_KEY_LIMITS } from './rules-text.js';
import { memberName } from './raw-types.js';
import { grantsDeclaredTwice, memberGrantDates } from './rules-timebox.js';
import type { DataPath } from './yaml-file.js';

function finding(severity: 'error' | 'warning', code: DiagnosticCode, summary: string, hint: string, position: SourcePosition, user?: string): Diagnostic {
  return { severity, code, summary, hint, position, ...(user === undefined ? {} : { subject: { user } }) };
}

/** Two groups whose labels differ only in case or surrounding spaces, in one file or across files. */
export function duplicateGroupLabels(groups: readonly GroupDeclaration[]): Diagnostic[] {
  const first = new Map<string, GroupDeclaration>();
  const found: Diagnostic[] = [];
  for (const group of groups) {
    const earlier = first.get(group.key);
    if (earlier === undefined) {
      first.set(group.key, group);
      continue;
    }
    const spelling = earlier.label === group.label ? '' : ` as "${earlier.label}"`;
    found.push(
      finding(
        'error',
        'group-label-duplicate',
        `group "${group.label}" at ${formatPosition(group.source)} is also declared at ${formatPosition(earlier.source)}${spelling}`,
        'Labels are compared case-insensitively (one Vault group): keep one declaration and merge the two.',
        group.source,
      ),
    );
  }
  return found;
}

/**
 * A user's `groups:` naming a label no groups file declares. `declared` maps every declared key
 * to its label; `undefined` = no groups file is included at all.
 */
export function undeclaredGroups(refs: readonly UserGroupRef[], declared: ReadonlyMap<string, string> | undefined, someFileUnread = false): Diagnostic[] {
  const labels = declared === undefined ? [] : [...declared.values()];
  // One suggestion per distinct label: a typo copied into many users costs one search.
  const suggestions = new Map<string, string | undefined>();
  const suggest = (ref: UserGroupRef): string | undefined => {
    if (!suggestions.has(ref.key)) suggestions.set(ref.key, closestMatch(ref.label, labels));
    return suggestions.get(ref.key);
  };
  const found: Diagnostic[] = [];
  for (const ref of refs) {
    if (declared?.has(ref.key) === true) continue;
    if (declared === undefined) {
      found.push(
        finding(
          'error',
          'group-undeclared',
          `${ref.user_name} names group "${ref.label}", but no groups file is included`,
          someFileUnread
            ? `If one of the files reported above is your groups file, fix it; else add a groups file (top-level "groups:") to include: in roster.yaml and declare "${ref.label}" there.`
            : `Add a groups file (top-level "groups:") to include: in roster.yaml and declare "${ref.label}" there, or remove it from the user's groups.`,
          ref.source,
          ref.user_name,
        ),
      );
      continue;
    }
    const suggestion = suggest(ref);
    found.push(
      finding(
        'error',
        'group-undeclared',
        `${ref.user_name} names group "${ref.label}", which no groups file declares`,
        suggestion !== undefined
          ? `Did you mean "${suggestion}"?`
          : `Declare it in a groups file (- label: ${ref.label}), or remove it from the user's groups.`,
        ref.source,
        ref.user_name,
      ),
    );
  }
  return found;
}

/** A user listed twice in one group's `members:`, or a user naming one group twice in `groups:`. */
export function duplicateGroupMembers(groups: readonly GroupDeclaration[], refs: readonly UserGroupRef[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const group of groups) {
    const seen = new Map<string, SourcePosition>();
    for (const member of group.members ?? []) {
      const earlier = seen.get(member.user_name);
      if (earlier === undefined) {
        seen.set(member.user_name, member.source);
        continue;
      }
      found.push(
        finding(
          'warning',
          'group-member-duplicate',
          `${member.user_name} is listed twice in the members of group "${group.label}" (first at ${formatPosition(earlier)})`,
          'Remove the repeated member.',
          member.source,
          member.user_name,
        ),
      );
    }
  }
  // Refs come user by user: the map starts afresh with each user.
  let user: string | undefined;
  let named = new Map<string, SourcePosition>();
  for (const ref of refs) {
    if (ref.user_name !== user) {
      user = ref.user_name;
      named = new Map();
    }
    const earlier = named.get(ref.key);
    if (earlier === undefined) {
      named.set(ref.key, ref.source);
      continue;
    }
    found.push(
      finding(
        'warning',
        'group-member-duplicate',
        `${ref.user_name} names group "${ref.label}" twice in groups: (first at ${formatPosition(earlier)})`,
        'Remove the repeated label (labels are compared case-insensitively).',
        ref.source,
        ref.user_name,
      ),
    );
  }
  return found;
}

/** The same membership in the group's `members:` and in the user's `groups:`: they merge, it is only noise. */
export function membershipsDeclaredTwice(groups: readonly GroupDeclaration[], refs: readonly UserGroupRef[]): Diagnostic[] {
  const declaration = new Map<string, GroupDeclaration>();
  for (const group of groups) if (!declaration.has(group.key)) declaration.set(group.key, group);
  // A group's members are indexed when a user first names it: groups no user names cost nothing.
  const listed = new Map<string, ReadonlyMap<string, SourcePosition>>();
  const membersOf = (key: string): ReadonlyMap<string, SourcePosition> => {
    let members = listed.get(key);
    if (members === undefined) {
      const index = new Map<string, SourcePosition>();
      for (const member of declaration.get(key)?.members ?? []) if (!index.has(member.user_name)) index.set(member.user_name, member.source);
      members = index;
      listed.set(key, members);
    }
    return members;
  };
  const found: Diagnostic[] = [];
  for (const ref of refs) {
    const at = membersOf(ref.key).get(ref.user_name);
    if (at === undefined) continue;
    found.push(
      finding(
        'warning',
        'group-member-declared-twice',
        `${ref.user_name} is a member of group "${ref.label}" twice: in the group's members: at ${formatPosition(at)} and in the user's groups: at ${formatPosition(ref.source)}`,
        "Keep one of the two: remove the user from the group's members: or the label from the user's groups:.",
        ref.source,
        ref.user_name,
      ),
    );
  }
  return found;
}

/** How strictly a group's string is checked: labels and user names are identities. */
function stringKind(path: DataPath): 'plain' | 'text' | 'identity' {
  const key = path[path.length - 1];
  if (key === 'description') return 'text';
  // A member is an item of members:, or the user: of an item in the object form.
  return key === 'label' || path[path.length - 2] === 'members' || (key === 'user' && path[path.length - 3] === 'members') ? 'identity' : 'plain';
}

/** Values within what Vault accepts: no control or invisible characters, known lengths (see rules-text.ts). */
export function groupValuesWithinLimits(entries: readonly GroupEntry[]): Diagnostic[] {
  const userNameLimit = USER_KEY_LIMITS.user_name;
  const found: Diagnostic[] = [];
  for (const entry of entries) {
    const { raw, yaml, path } = entry;
    (raw.members ?? []).forEach((item, i) => {
      const name = memberName(item);
      const at = typeof item === 'string' ? [...path, 'members', i] : [...path, 'members', i, 'user'];
      if (userNameLimit !== undefined && name.length > userNameLimit.max) found.push(...tooLong({ yaml, path: at }, name, userNameLimit.max, userNameLimit.field));
    });
    (raw.security_profiles ?? []).forEach((profile, i) => {
      if (profile.length > SECURITY_PROFILE_LIMIT.max) found.push(...tooLong({ yaml, path: [...path, 'security_profiles', i] }, profile, SECURITY_PROFILE_LIMIT.max, SECURITY_PROFILE_LIMIT.field));
    });
    found.push(...everyString(yaml, path, raw, undefined, stringKind));
  }
  return found;
}

/** Everything the group rules need, read once by the loader. */
export interface GroupRuleInput {
  readonly entries: readonly GroupEntry[];
  readonly groups: readonly GroupDeclaration[];
  readonly refs: readonly UserGroupRef[];
  /** Every declared key → label, including groups whose entry failed its schema; undefined = no groups file. */
  readonly declared: ReadonlyMap<string, string> | undefined;
  /** Some included file could not be read or has no known kind (it may be the groups file). */
  readonly someFileUnread?: boolean;
}

export function checkGroupRules(input: GroupRuleInput): Diagnostic[] {
  return [
    ...duplicateGroupLabels(input.groups),
    ...undeclaredGroups(input.refs, input.declared, input.someFileUnread),
    ...duplicateGroupMembers(input.groups, input.refs),
    ...membershipsDeclaredTwice(input.groups, input.refs),
    ...groupValuesWithinLimits(input.entries),
    ...memberGrantDates(input.entries),
    ...grantsDeclaredTwice(input.groups, input.refs),
  ];
}
