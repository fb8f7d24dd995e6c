import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeownersMatcher, globMatcher, lastMatch, parseCodeowners } from '../../src/review/patterns.js';

describe('review.owners globs (anchored at roster.yaml, like include)', () => {
  it.each([
    ['users/*.yaml', 'users/rim-team.yaml', true],
    ['users/*.yaml', 'users/eu/rim-team.yaml', false],
    ['users/**/*.yaml', 'users/eu/rim-team.yaml', true],
    ['users/**/*.yaml', 'users/rim-team.yaml', true],
    ['./users/rim-?eam.yaml', 'users/rim-team.yaml', true],
    ['users/rim.team.yaml', 'users/rimxteam.yaml', false],
    ['rim-team.yaml', 'users/rim-team.yaml', false],
    ['**', 'sitevault/a.yaml', true],
  ])('%s vs %s → %s', (pattern, path, expected) => {
    expect(globMatcher(pattern)(path)).toBe(expected);
  });
});

describe('CODEOWNERS patterns (gitignore rules)', () => {
  it.each([
    ['*.yaml', 'users/rim-team.yaml', true],
    ['*', 'users/rim-team.yaml', true],
    ['/users/', 'users/rim-team.yaml', true],
    ['users/', 'users/rim-team.yaml', true],
    ['users/', 'users', false],
    ['users', 'users/eu/rim-team.yaml', true],
    ['/rim-team.yaml', 'users/rim-team.yaml', false],
    ['rim-team.yaml', 'users/rim-team.yaml', true],
    ['users/*.yaml', 'users/eu/rim-team.yaml', false],
    ['docs/**/x', 'docs/a/b/x', true],
    ['roster/users/', 'users/a.yaml', false],
  ])('%s vs %s → %s', (pattern, path, expected) => {
    expect(codeownersMatcher(pattern)(path)).toBe(expected);
  });

  it('reads comments, blank lines, patterns without owners, and lets the last match win', () => {
    const rules = parseCodeowners('# owners\n\n*.yaml @org/admins  # everyone\n/users/contractors.yaml @org/partners kate@x.com\n/users/unowned.yaml\n');
    expect(rules.map((r) => [r.pattern, r.owners, r.line])).toEqual([
      ['*.yaml', ['@org/admins'], 3],
      ['/users/contractors.yaml', ['@org/partners', 'kate@x.com'], 4],
      ['/users/unowned.yaml', [], 5],
    ]);
    expect(lastMatch(rules, 'users/contractors.yaml')?.owners).toEqual(['@org/partners', 'kate@x.com']);
    expect(lastMatch(rules, 'users/rim.yaml')?.owners).toEqual(['@org/admins']);
    expect(lastMatch(rules, 'users/unowned.yaml')?.owners).toEqual([]);
    expect(lastMatch(rules, 'README.md')).toBeUndefined();
  });

  it('a literal pattern (no wildcard) matches exactly its own path and what is under it', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9_.-]{1,8}$/), { minLength: 1, maxLength: 4 }), (segments) => {
        fc.pre(segments.every((s) => s !== '.' && s !== '..'));
        const path = segments.join('/');
        expect(codeownersMatcher(`/${path}`)(path)).toBe(true);
        expect(codeownersMatcher(`/${path}`)(`${path}/inner.yaml`)).toBe(true);
        expect(codeownersMatcher(`/${path}`)(`${path}x`)).toBe(false);
        expect(globMatcher(path)(path)).toBe(true);
      }),
    );
  });
});
