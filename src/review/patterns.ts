/**
 * File patterns of review owners, matched against `/`-separated paths relative to a root.
 *
 * Two dialects share one matcher: `review.owners` globs (anchored at roster.yaml's folder, like
 * `include`) and CODEOWNERS lines (gitignore rules, as GitHub reads them: a pattern without an
 * inner `/` matches at any depth, a leading `/` anchors, a trailing `/` or a folder name covers
 * everything beneath). Pure.
 */

/** `*` and `?` stay inside one path segment; `**` crosses segments. */
function globBody(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '*' && pattern.charAt(i + 1) === '*') {
      // `**/` matches zero or more folders; a trailing or inner `**` anything.
      if (pattern.charAt(i + 2) === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else {
      out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return out;
}

/** A `review.owners` glob: the whole path relative to roster.yaml's folder (a leading `./` or `/` is ignored). */
export function globMatcher(pattern: string): (path: string) => boolean {
  const body = globBody(pattern.replace(/^\.?\//, ''));
  const regex = new RegExp(`^${body}$`);
  return (path) => regex.test(path);
}

/** A CODEOWNERS pattern, with gitignore's anchoring and folder rules. */
export function codeownersMatcher(pattern: string): (path: string) => boolean {
  let text = pattern;
  const folderOnly = text.endsWith('/');
  if (folderOnly) text = text.slice(0, -1);
  const anchored = text.startsWith('/') || text.includes('/');
  text = text.replace(/^\//, '');
  const prefix = anchored ? '^' : '^(?:.*/)?';
  // A match on a folder covers what is inside it; a folder-only pattern never matches the file itself.
  const regex = new RegExp(`${prefix}${globBody(text)}${folderOnly ? '/.*' : '(?:/.*)?'}$`);
  return (path) => regex.test(path);
}

/** One CODEOWNERS rule: its pattern, owners (none = explicitly unowned) and line. */
export interface CodeownersRule {
  readonly pattern: string;
  readonly owners: readonly string[];
  readonly line: number;
  readonly matches: (path: string) => boolean;
}

/** Parses CODEOWNERS text: `#` comments, blank lines, `pattern owner…` (escaped `\#` kept). */
export function parseCodeowners(text: string): CodeownersRule[] {
  const rules: CodeownersRule[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/(^|[^\\])#.*$/, '$1').trim();
    if (line === '') return;
    const [pattern = '', ...owners] = line.split(/\s+/);
    const unescaped = pattern.replace(/\\#/g, '#');
    rules.push({ pattern: unescaped, owners, line: index + 1, matches: codeownersMatcher(unescaped) });
  });
  return rules;
}

/** The owners of `path`: the last matching rule wins, as GitHub reads CODEOWNERS. */
export function lastMatch<R extends { readonly matches: (path: string) => boolean }>(rules: readonly R[], path: string): R | undefined {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i];
    if (rule?.matches(path) === true) return rule;
  }
  return undefined;
}
