/**
 * The pure group wire helpers (src/vault-api/groups.ts): kinds, VQL literals, decoders of both
 * listing forms, the cross-check under both readings of group_membership__sys, and form bodies.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assembleGroups,
  decodeListedGroup,
  decodeQueriedGroup,
  groupByLabelVql,
  groupCreateForm,
  groupKind,
  groupMembersForm,
  groupUpdateForm,
  listedEntries,
  membershipMismatch,
  WireDecodeError,
  type ListedGroup,
  type QueriedGroup,
} from '../../src/vault-api/index.js';

describe('groupKind', () => {
  it.each([
    ['user_managed__sys', false, 'user_managed'],
    ['user_managed__sys', true, 'system'],
    ['USER_MANAGED__SYS', false, 'user_managed'],
    ['auto_managed__sys', false, 'auto'],
    ['dynamic_auto__sys', true, 'auto'],
    ['manager_group__sys', true, 'manager'],
    ['system_managed__sys', true, 'system'],
    ['system_provided__sys', false, 'system'],
    ['custom_thing__c', true, 'system'],
    ['custom_thing__c', false, 'other'],
  ] as const)('%s with system_group__sys %s is %s', (type, system, kind) => {
    expect(groupKind(type, system)).toBe(kind);
  });
});

describe('decoders', () => {
  it('reads a group__sys row with ids as text or numbers and picklists as text or one-value arrays', () => {
    const row = { id: '12', name__v: 'a__c', label__v: ' A ', status__v: ['inactive__v'], system_group__sys: 'false', type__sys: ['user_managed__sys'] };
    expect(decodeQueriedGroup(row)).toEqual<QueriedGroup>({ id: 12, name: 'a__c', label: 'A', active: false, kind: 'user_managed' });
    expect(() => decodeQueriedGroup({ ...row, type__sys: undefined })).toThrow(new WireDecodeError('type__sys', 'absent from the answer', undefined));
    expect(() => decodeQueriedGroup({ ...row, label__v: '  ' })).toThrow(/label__v: is empty/);
  });

  it('reads implied members as objects or bare ids, absent lists as none, and refuses anything else naming the field', () => {
    const base = { id: 7, label__v: 'G', active__v: true, members__v: ['3', 1, 3], security_profiles__v: ['b__v', 'a__v'] };
    expect(decodeListedGroup({ group: { ...base, implied_members__v: [{ id: 9, source_name: 'x' }, { id: '4' }] } })).toEqual<ListedGroup>({
      id: 7,
      label: 'G',
      active: true,
      members: [1, 3],
      implied_members: [4, 9],
      security_profiles: ['a__v', 'b__v'],
    });
    expect(decodeListedGroup({ group: { ...base, implied_members__v: [9, '4'] } }).implied_members).toEqual([4, 9]);
    expect(decodeListedGroup({ group: { id: 7, label__v: 'G', active__v: 'false', group_description__v: null } })).toEqual({
      id: 7,
      label: 'G',
      active: false,
      members: [],
      implied_members: [],
      security_profiles: [],
    });
    expect(() => decodeListedGroup({ group: { ...base, implied_members__v: [{ user: 9 }] } })).toThrow(/implied_members__v: expected user ids or \{id, …\} objects/);
    expect(() => decodeListedGroup({ group: { ...base, members__v: '1,2' } })).toThrow(/members__v: expected a list of user ids/);
    expect(() => decodeListedGroup({ group: { ...base, active__v: undefined } })).toThrow(/active__v: absent from the answer/);
  });

  it('finds the listing under groups or data, and refuses an answer with neither', () => {
    expect(listedEntries({ groups: [1] })).toEqual([1]);
    expect(listedEntries({ data: [2] })).toEqual([2]);
    expect(() => listedEntries({ groups: [1], data: [2] })).toThrow(/both a "groups" and a "data" list/);
    expect(() => listedEntries({ responseStatus: 'SUCCESS' })).toThrow(/no "groups" \(or "data"\) list/);
  });
});

describe('the cross-check', () => {
  const ids = fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 12 });
  const listed = (members: number[], implied: number[]): ListedGroup => ({
    id: 1,
    label: 'G',
    active: true,
    members: [...members].sort((a, b) => a - b),
    implied_members: [...implied].sort((a, b) => a - b),
    security_profiles: [],
  });

  it('accepts both readings of group_membership__sys: explicit only, and explicit with implied', () => {
    fc.assert(
      fc.property(ids, ids, (explicit, implied) => {
        const g = listed(explicit, implied);
        expect(membershipMismatch(g, g.members)).toBeUndefined();
        expect(membershipMismatch(g, [...new Set([...g.members, ...g.implied_members])])).toBeUndefined();
      }),
    );
  });

  it('refuses a VQL without an explicit member, or with a user the listing does not explain', () => {
    fc.assert(
      fc.property(ids.filter((a) => a.length > 0), ids, fc.nat(), (explicit, implied, pick) => {
        const g = listed(explicit, implied);
        const dropped = g.members[pick % g.members.length] as number;
        expect(membershipMismatch(g, g.members.filter((id) => id !== dropped))).toContain(`explicit members ${dropped} are missing`);
        expect(membershipMismatch(g, [...g.members, 999])).toContain('group_membership__sys lists 999');
      }),
    );
  });

  it('keys groups by lower-cased label; Auto Managed groups take members from VQL; twins and strays are conflicts', () => {
    const q = (id: number, label: string, kind: QueriedGroup['kind']): QueriedGroup => ({ id, name: `${label.toLowerCase()}__c`, label, active: true, kind });
    const { groups, conflicts } = assembleGroups(
      [q(1, 'Team', 'user_managed'), q(2, 'Auto', 'auto'), q(3, 'TEAM ', 'user_managed')],
      [listed([5], []), { ...listed([], []), id: 3, label: 'TEAM' }, { ...listed([], []), id: 4, label: 'Stray' }],
      [
        { group_id: 1, user_id: 5 },
        { group_id: 2, user_id: 8 },
        { group_id: 2, user_id: 6 },
      ],
    );
    expect(groups.get('auto')).toEqual({ id: 2, key: 'auto', label: 'Auto', name: 'auto__c', kind: 'auto', active: true, members: [6, 8], implied_members: [] });
    expect(groups.get('g')).toMatchObject({ id: 1, label: 'G', name: 'team__c', members: [5] });
    expect(conflicts).toEqual(["group 'Stray' (id 4) is in Retrieve All Groups but absent from group__sys"]);
    const twins = assembleGroups([q(1, 'Team', 'user_managed'), q(3, 'team', 'user_managed')], [{ ...listed([], []), label: 'Team' }, { ...listed([], []), id: 3, label: 'team' }], []);
    expect(twins.conflicts).toEqual(["group 'Team' (id 1) and group 'team' (id 3) have labels that differ only in case or spaces"]);
    expect(assembleGroups([q(1, 'Team', 'user_managed')], [], []).conflicts).toEqual(["group 'Team' (id 1) is a user-managed group in group__sys but absent from Retrieve All Groups"]);
  });
});

describe('forms and VQL literals', () => {
  it('escapes quotes and backslashes in the label lookup', () => {
    expect(groupByLabelVql(" O'Brien \\ Co ")).toBe("SELECT id, label__v FROM group__sys WHERE label__v = 'O\\'Brien \\\\ Co'");
  });

  it('sends only the values a row sets, booleans as true/false and profiles comma-joined', () => {
    expect(groupCreateForm({ label: 'A' })).toEqual({ label__v: 'A' });
    expect(groupUpdateForm({ active: false, allow_delegation: true, security_profiles: ['b__v', 'a__v'], description: '' })).toEqual({
      active__v: 'false',
      allow_delegation_among_members__v: 'true',
      security_profiles__v: 'a__v,b__v',
      group_description__v: '',
    });
    expect(groupUpdateForm({})).toEqual({});
    expect(groupMembersForm('delete', [1, 2])).toEqual({ members__v: 'delete (1,2)' });
  });
});
