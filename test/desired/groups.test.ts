/**
 * Groups: normalisation through the loader (identity, values, members merged from a group's
 * `members:` and users' `groups:`, positions), and the merge as a pure function (property: the
 * order declarations come in does not matter).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeGroups, type GroupDeclaration, type UserGroupRef } from '../../src/desired/groups.js';
import { loadDesiredState } from '../../src/desired/index.js';
import type { DesiredGroup, DesiredState } from '../../src/model.js';
import { makeRepo, removeRepo, summarise, type RepoFiles } from './temp-repo.js';

export const GROUPS_ROSTER = 'vault: { api_version: v26.2 }\ninclude: [users/*.yaml, groups/*.yaml]\n';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) removeRepo(root);
});

async function loadOk(files: RepoFiles): Promise<DesiredState> {
  const root = makeRepo(files);
  roots.push(root);
  const result = await loadDesiredState('roster.yaml', { cwd: root });
  expect(summarise(result.diagnostics)).toEqual([]);
  if (!result.ok) throw new Error('expected a valid repo');
  return result.state;
}

const BRAND = `# brand teams
groups:
  - label: "  Cholecap Team US "
    description: Cholecap brand team, US
    active: true
    allow_delegation_among_members: false
    security_profiles: [external_user__v, document_user__v]
    members:
      - Carol@VeePharm.com
      - alice@veepharm.com
  - label: Cholecap Team EU
  - label: Nobody Yet
    members: []
`;

const USERS = `users:
  - user_name: Bob@VeePharm.com
    groups: [cholecap team us, CHOLECAP TEAM EU]
  - user_name: dave@veepharm.com
  - user_name: erin@veepharm.com
    groups: [" Cholecap Team EU"]
`;

describe('groups normalisation', () => {
  it('leaves groups undefined when no groups file is included (the repo does not manage groups)', async () => {
    const state = await loadOk({ 'roster.yaml': 'vault: { api_version: v26.2 }\ninclude: [users/*.yaml]\n', 'users/a.yaml': 'users:\n  - user_name: a@b.c\n' });
    expect(state.groups).toBeUndefined();
    expect('groups' in state).toBe(false);
  });

  it('manages groups, declaring none, for a groups file with an empty list', async () => {
    const state = await loadOk({ 'roster.yaml': GROUPS_ROSTER, 'users/a.yaml': 'users: []\n', 'groups/none.yaml': 'groups: []\n' });
    expect(state.groups).toEqual([]);
  });

  it('sorts by key, keeps the label case, fills only declared values and merges both member forms', async () => {
    const state = await loadOk({ 'roster.yaml': GROUPS_ROSTER, 'users/a.yaml': USERS, 'groups/brand.yaml': BRAND });
    const expected: DesiredGroup[] = [
      {
        key: 'cholecap team eu',
        label: 'Cholecap Team EU',
        source: { file: 'groups/brand.yaml', line: 11, col: 5 },
        members: [
          { user_name: 'bob@veepharm.com', source: { file: 'users/a.yaml', line: 3, col: 32 } },
          { user_name: 'erin@veepharm.com', source: { file: 'users/a.yaml', line: 6, col: 14 } },
        ],
      },
      {
        key: 'cholecap team us',
        label: 'Cholecap Team US',
        description: 'Cholecap brand team, US',
        active: true,
        allow_delegation: false,
        security_profiles: ['document_user__v', 'external_user__v'],
        source: { file: 'groups/brand.yaml', line: 3, col: 5 },
        members: [
          { user_name: 'alice@veepharm.com', source: { file: 'groups/brand.yaml', line: 10, col: 9 } },
          { user_name: 'bob@veepharm.com', source: { file: 'users/a.yaml', line: 3, col: 14 } },
          { user_name: 'carol@veepharm.com', source: { file: 'groups/brand.yaml', line: 9, col: 9 } },
        ],
      },
      { key: 'nobody yet', label: 'Nobody Yet', source: { file: 'groups/brand.yaml', line: 12, col: 5 }, members: [] },
    ];
    expect(state.groups).toEqual(expected);
    // toEqual ignores undefined properties: unmanaged values must be absent, not undefined.
    expect(Object.keys(state.groups?.[0] ?? {}).sort()).toEqual(['key', 'label', 'members', 'source']);
  });

  it('leaves members unmanaged only when the group has no members: key and no user names it', async () => {
    const state = await loadOk({
      'roster.yaml': GROUPS_ROSTER,
      'users/a.yaml': 'users:\n  - user_name: a@b.c\n    groups: [From Users]\n',
      'groups/g.yaml': 'groups:\n  - label: Untouched\n  - label: From Users\n  - label: Emptied\n    members: []\n',
    });
    const byKey = new Map(state.groups?.map((g) => [g.key, g]));
    expect(byKey.get('untouched')?.members).toBeUndefined();
    expect('members' in (byKey.get('untouched') ?? {})).toBe(false);
    expect(byKey.get('from users')?.members).toEqual([{ user_name: 'a@b.c', source: { file: 'users/a.yaml', line: 3, col: 14 } }]);
    expect(byKey.get('emptied')?.members).toEqual([]);
  });

  it('merges a membership declared in both forms into one entry at the members: item (warning only)', async () => {
    const root = makeRepo({
      'roster.yaml': GROUPS_ROSTER,
      'users/a.yaml': 'users:\n  - user_name: a@b.c\n    groups: [G]\n',
      'groups/g.yaml': 'groups:\n  - label: G\n    members: [A@B.C, a@b.c]\n',
    });
    roots.push(root);
    const result = await loadDesiredState('roster.yaml', { cwd: root });
    if (!result.ok) throw new Error(JSON.stringify(summarise(result.diagnostics)));
    expect(summarise(result.diagnostics)).toEqual(['groups/g.yaml:3:22 group-member-duplicate', 'users/a.yaml:3:14 group-member-declared-twice']);
    expect(result.state.groups?.[0]?.members).toEqual([{ user_name: 'a@b.c', source: { file: 'groups/g.yaml', line: 3, col: 15 } }]);
  });

  it('reads groups declared across files, with users in a third file', async () => {
    const state = await loadOk({
      'roster.yaml': GROUPS_ROSTER,
      'users/a.yaml': 'users:\n  - user_name: a@b.c\n    groups: [Zeta, alpha]\n',
      'groups/z.yaml': 'groups:\n  - label: Zeta\n',
      'groups/a.yaml': '# first\ngroups:\n  - label: Alpha\n    members: [b@b.c]\n',
    });
    expect(state.groups?.map((g) => [g.label, g.source.file, g.members?.map((m) => m.user_name)])).toEqual([
      ['Alpha', 'groups/a.yaml', ['a@b.c', 'b@b.c']],
      ['Zeta', 'groups/z.yaml', ['a@b.c']],
    ]);
    expect(state.files.map((f) => f.path)).toEqual(['roster.yaml', 'groups/a.yaml', 'groups/z.yaml', 'users/a.yaml']);
  });
});

const at = (file: string, line: number, col = 5) => ({ file, line, col });

/** Declarations of distinct groups and refs of distinct users, as a valid repo would give. */
const inputArb = fc
  .record({
    groups: fc.uniqueArray(
      fc.record({
        key: fc.constantFrom('g1', 'g2', 'g3', 'g4'),
        line: fc.nat({ max: 50 }),
        members: fc.option(fc.array(fc.record({ user: fc.constantFrom('a', 'b', 'c', 'd'), line: fc.nat({ max: 50 }) }), { maxLength: 5 }), { nil: undefined }),
      }),
      { selector: (g) => g.key, maxLength: 4 },
    ),
    users: fc.uniqueArray(
      fc.record({ user: fc.constantFrom('a', 'b', 'c', 'd', 'e'), groups: fc.array(fc.constantFrom('g1', 'g2', 'g3', 'g5'), { maxLength: 4 }) }),
      { selector: (u) => u.user, maxLength: 5 },
    ),
  })
  .map(({ groups, users }) => {
    const declarations: GroupDeclaration[] = groups.map((g, i) => ({
      key: g.key,
      label: g.key.toUpperCase(),
      values: {},
      source: at('groups.yaml', 100 * i + 1),
      ...(g.members === undefined ? {} : { members: g.members.map((m) => ({ user_name: m.user, source: at('groups.yaml', 100 * i + 2 + m.line) })) }),
    }));
    const refs: UserGroupRef[] = users.flatMap((u, i) => u.groups.map((key, j) => ({ user_name: u.user, key, label: key, source: at('users.yaml', 10 * i + j + 1) })));
    return { declarations, refs };
  });

describe('mergeGroups (pure)', () => {
  it('does not depend on the order of declarations or refs, and gives each member once (property)', () => {
    fc.assert(
      fc.property(inputArb, fc.nat(), fc.nat(), ({ declarations, refs }, s1, s2) => {
        const baseline = mergeGroups(declarations, refs);
        const shuffle = <T>(items: readonly T[], seed: number): T[] => {
          const out = [...items];
          let state = seed;
          for (let i = out.length - 1; i > 0; i--) {
            state = (state * 1103515245 + 12345) % 2 ** 31;
            const j = state % (i + 1);
            [out[i], out[j]] = [out[j] as T, out[i] as T];
          }
          return out;
        };
        const shuffledGroups = shuffle(declarations, s1).map((g) => (g.members === undefined ? g : { ...g, members: shuffle(g.members, s2) }));
        expect(mergeGroups(shuffledGroups, shuffle(refs, s2))).toEqual(baseline);

        // The members are exactly the union of both forms, once each, sorted.
        for (const group of baseline) {
          const declared = declarations.find((d) => d.key === group.key);
          const named = refs.filter((r) => r.key === group.key).map((r) => r.user_name);
          const union = [...new Set([...(declared?.members ?? []).map((m) => m.user_name), ...named])].sort();
          if (declared?.members === undefined && named.length === 0) expect(group.members).toBeUndefined();
          else expect(group.members?.map((m) => m.user_name)).toEqual(union);
          // A user the group lists is placed at its members: item, whoever else names it.
          for (const member of group.members ?? []) {
            const listed = declared?.members?.some((m) => m.user_name === member.user_name) === true;
            expect(member.source.file).toBe(listed ? 'groups.yaml' : 'users.yaml');
          }
        }
        expect(baseline.map((g) => g.key)).toEqual(declarations.map((d) => d.key).sort());
      }),
      { numRuns: 200 },
    );
  });

  it('ignores refs to undeclared groups and keeps the earliest of two declarations of one label', () => {
    const first: GroupDeclaration = { key: 'g', label: 'G', values: {}, source: at('a.yaml', 2) };
    const second: GroupDeclaration = { key: 'g', label: 'g', values: { active: false }, source: at('a.yaml', 9), members: [] };
    const refs: UserGroupRef[] = [{ user_name: 'x', key: 'nope', label: 'Nope', source: at('u.yaml', 3) }];
    expect(mergeGroups([second, first], refs)).toEqual([{ key: 'g', label: 'G', source: at('a.yaml', 2) }]);
  });
});
