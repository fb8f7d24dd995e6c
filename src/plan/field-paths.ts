/**
 * The `FieldChange.path` grammar, shared by the planner, the views and tests:
 * `first_name`, `fields.company__v`, `memberships[3003].license_type`, `memberships[3003].apps.rimReg_v`,
 * `org.role`, `sites[US-NC-0001].addons`, `studies[V0S000000001001].role`; a group's explicit
 * member `members[kate@veepharm.com]` (true = member).
 */

/** Collections whose member key is written in brackets. */
const KEYED_COLLECTIONS: ReadonlySet<string> = new Set(['memberships', 'sites', 'studies', 'members']);

/** Segments → path string. */
export function formatFieldPath(segments: readonly string[]): string {
  let out = '';
  segments.forEach((segment, i) => {
    const previous = i > 0 ? segments[i - 1] : undefined;
    if (previous !== undefined && KEYED_COLLECTIONS.has(previous) && i === 1) out += `[${segment}]`;
    else out += i === 0 ? segment : `.${segment}`;
  });
  return out;
}

/** Path string → segments (inverse of {@link formatFieldPath}). */
export function parseFieldPath(path: string): string[] {
  const match = /^([A-Za-z_][\w]*)\[([^\]]*)\](.*)$/.exec(path);
  if (match) {
    const [, head = '', key = '', rest = ''] = match;
    const tail = rest.startsWith('.') ? rest.slice(1).split('.') : [];
    return [head, key, ...tail];
  }
  return path.split('.');
}

/**
 * How many segments make a leaf, given a path's first segments: a leaf is what a change shows
 * whole (an app license `{active, license_type}`, a list of add-ons, one scalar).
 */
export function leafDepth(segments: readonly string[]): number {
  switch (segments[0]) {
    case 'fields':
    case 'org':
    case 'members':
      return 2;
    case 'memberships':
      return segments[2] === 'apps' ? 4 : 3;
    case 'sites':
    case 'studies':
      return 3;
    default:
      return 1;
  }
}
