// buildReview over hand-made desired and live states: each flag's rule, exceptions, owners,
// and that a last login Vault did not report is never read as "never".
import { describe, expect, it } from 'vitest';
import type { DesiredUser, LastLogin, ReviewException } from '../../src/model.js';
import { buildReview, filterReview, type ReviewInput } from '../../src/review/rows.js';
import type { ReviewRow } from '../../src/review/types.js';
import { desiredState, desiredUser, liveGroup, liveState, liveUser, planOf, SOURCE } from '../plan/fixtures.js';

const AS_OF = '2026-06-30T12:00:00.000Z';
const SETTINGS = { dormant_days: 90, interval_days: 90, expiry_warning_days: 14, orphan_owner: '(no owner)' };

function review(users: readonly DesiredUser[], live: Parameters<typeof liveState>[0], over: Partial<ReviewInput> = {}): readonly ReviewRow[] {
  const desired = desiredState({ users });
  const liveState_ = liveState(live);
  const plan = planOf(desired, liveState_, { created_at: AS_OF });
  return buildReview({
    desired,
    live: liveState_,
    changes: plan.changes,
    as_of: AS_OF,
    tool_version: 'test',
    settings: SETTINGS,
    owners_from: 'test',
    ownersOf: () => ['@org/rim'],
    ...over,
  }).rows;
}

const at = (iso: string): LastLogin => ({ kind: 'at', at: iso });
const reviewed = { by: 'Kate <k@x.com>', on: '2026-06-01', source: SOURCE };

describe('review flags', () => {
  it.each<[string, LastLogin | undefined, readonly string[]]>([
    ['logged in 89 days ago', at('2026-04-02T13:00:00.000Z'), []],
    ['logged in 90 days ago', at('2026-04-01T12:00:00.000Z'), ['DORMANT']],
    ['never logged in', { kind: 'never' }, ['NEVER_LOGGED_IN']],
    ['not reported by Vault', { kind: 'not_reported' }, []],
    ['absent (record not from a listing)', undefined, []],
  ])('%s', (_name, login, expected) => {
    const rows = review([desiredUser('kate@x.com', { reviewed })], { users: [liveUser('kate@x.com', 1, login === undefined ? {} : { last_login: login })] });
    expect(rows.map((r) => r.flags)).toEqual([expected]);
  });

  it('shows "not reported" and raises neither NEVER_LOGGED_IN nor DORMANT for a missing last_login__v', () => {
    const [row] = review([desiredUser('kate@x.com', { reviewed })], { users: [liveUser('kate@x.com', 1, { last_login: { kind: 'not_reported' } })] });
    expect(row?.last_login).toEqual({ kind: 'not_reported' });
  });

  it('stops on an unreadable last_login__v, naming the user, the field and the excerpt', () => {
    expect(() => review([], { users: [liveUser('kate@x.com', 1, { last_login: { kind: 'unreadable', excerpt: '"last tuesday"' } })] })).toThrow(
      /user kate@x\.com: last_login__v "last tuesday"/,
    );
  });

  it('no login flags for a domain-inactive account', () => {
    const rows = review([desiredUser('kate@x.com', { reviewed, active: false })], { users: [liveUser('kate@x.com', 1, { active: false, last_login: { kind: 'never' } })] });
    expect(rows[0]?.flags).toEqual([]);
  });

  it('ORPHANED, PRIVILEGED per vault, and Domain Admin on every row', () => {
    const memberships = [
      { vault_id: 3003, active: true, security_profile: 'rim_admin__c', license_type: 'full__v' as const },
      { vault_id: 4004, active: true, security_profile: 'document_user__v', license_type: 'full__v' as const },
      { vault_id: 5005, active: false, security_profile: 'system_admin__v', license_type: 'full__v' as const },
    ];
    const rows = review([], { users: [liveUser('ghost@x.com', 7, { memberships, last_login: at('2026-06-29T00:00:00.000Z') })] });
    expect(rows.map((r) => [r.vault_id, r.flags, r.owners])).toEqual([
      [3003, ['ORPHANED', 'PRIVILEGED'], ['(no owner)']],
      [4004, ['ORPHANED'], ['(no owner)']],
      [5005, ['ORPHANED'], ['(no owner)']],
    ]);
    const admin = review([], { users: [liveUser('root@x.com', 8, { domain_admin: true, memberships: memberships.slice(1, 2), last_login: at('2026-06-29T00:00:00.000Z') })] });
    expect(admin.map((r) => r.flags)).toEqual([['ORPHANED', 'PRIVILEGED']]);
  });

  it('EXTERNAL from an external licence or the VeevaID policy', () => {
    const ext = desiredUser('ext@x.com', { reviewed, license_type: 'external__v', memberships: [{ vault_id: 3003, active: true, security_profile: 'external_user__v', license_type: 'external__v' }] });
    const veeva = desiredUser('vid@x.com', { reviewed, security_policy: 'VeevaID' });
    const rows = review([ext, veeva], {});
    expect(rows.map((r) => [r.user_name, r.flags.includes('EXTERNAL')])).toEqual([
      ['ext@x.com', true],
      ['vid@x.com', true],
    ]);
  });

  it('EXPIRED and EXPIRING from time boxes, per vault', () => {
    const user = desiredUser('temp@x.com', {
      reviewed,
      memberships: [
        { vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v' },
        { vault_id: 4004, active: true, security_profile: 'document_user__v', license_type: 'full__v' },
      ],
      membership_grants: [
        { vault_id: 3003, valid_until: '2026-06-29', source: SOURCE },
        { vault_id: 4004, valid_until: '2026-07-10', reason: 'audit', source: SOURCE },
      ],
    });
    const live = liveUser('temp@x.com', 3, { memberships: user.memberships ?? [], fields: user.fields ?? {}, last_login: at('2026-06-29T00:00:00.000Z') });
    const rows = review([user], { users: [live] });
    expect(rows.map((r) => [r.vault_id, r.flags])).toEqual([
      [3003, ['EXPIRED', 'DRIFTED']],
      [4004, ['EXPIRING']],
    ]);
    expect(rows[1]?.grants).toEqual([{ scope: 'membership', valid_from: null, valid_until: '2026-07-10', reason: 'audit', state: 'valid', days_left: 10, declared_at: 'users/team.yaml:3' }]);
    expect(rows[0]?.drift).toEqual(['update: memberships[3003].active']);
  });

  it('DRIFTED only on the rows a change touches; user-level changes touch every row', () => {
    const memberships = [
      { vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v' as const },
      { vault_id: 4004, active: true, security_profile: 'document_user__v', license_type: 'full__v' as const },
    ];
    const desired = desiredUser('kate@x.com', { reviewed, memberships });
    const live = liveUser('kate@x.com', 1, { memberships: [memberships[0]!, { ...memberships[1]!, security_profile: 'read_only_user__v' }], last_login: at('2026-06-29T00:00:00.000Z') });
    expect(review([desired], { users: [live] }).map((r) => r.flags)).toEqual([[], ['DRIFTED']]);
    const renamed = liveUser('kate@x.com', 1, { memberships, first_name: 'Katie', last_login: at('2026-06-29T00:00:00.000Z') });
    expect(review([desired], { users: [renamed] }).map((r) => r.flags)).toEqual([['DRIFTED'], ['DRIFTED']]);
  });

  it.each<[string, Partial<DesiredUser>, boolean]>([
    ['never reviewed', {}, true],
    ['reviewed 89 days ago', { reviewed: { ...reviewed, on: '2026-04-02' } }, false],
    ['reviewed 90 days ago', { reviewed: { ...reviewed, on: '2026-04-01' } }, true],
    ['revoked in the YAML (active: false)', { active: false }, false],
  ])('REVIEW_DUE: %s → %s', (_name, over, due) => {
    const rows = review([desiredUser('kate@x.com', over)], {});
    expect(rows[0]?.flags.includes('REVIEW_DUE')).toBe(due);
  });
});

describe('review exceptions', () => {
  const exception = (until: string): ReviewException => ({ until, reason: 'CAPA-12', flags: ['NEVER_LOGGED_IN', 'REVIEW_DUE'], source: SOURCE });

  it('defer the flags they name until their day (inclusive), and are listed', () => {
    const user = desiredUser('kate@x.com', { review_exception: exception('2026-06-30') });
    const [row] = review([user], { users: [liveUser('kate@x.com', 1, { last_login: { kind: 'never' } })] });
    expect(row?.flags).toEqual([]);
    expect(row?.deferred).toEqual(['NEVER_LOGGED_IN', 'REVIEW_DUE']);
    expect(row?.exception).toEqual({ until: '2026-06-30', reason: 'CAPA-12', flags: ['NEVER_LOGGED_IN', 'REVIEW_DUE'], in_force: true, declared_at: 'users/team.yaml:3' });
  });

  it('stop deferring the day after, and say so', () => {
    const user = desiredUser('kate@x.com', { review_exception: exception('2026-06-29') });
    const [row] = review([user], { users: [liveUser('kate@x.com', 1, { last_login: { kind: 'never' } })] });
    expect(row?.flags).toEqual(['NEVER_LOGGED_IN', 'REVIEW_DUE']);
    expect(row?.deferred).toEqual([]);
    expect(row?.exception?.in_force).toBe(false);
  });
});

describe('review rows', () => {
  it('carry groups of the session vault only, SiteVault lines, owners, and filter by vault and owner', () => {
    const memberships = [
      { vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v' as const },
      { vault_id: 4004, active: true, security_profile: 'document_user__v', license_type: 'full__v' as const },
    ];
    const desired = desiredState({ users: [desiredUser('kate@x.com', { reviewed, memberships })] });
    const live = liveState({ users: [liveUser('kate@x.com', 1, { memberships, last_login: at('2026-06-29T00:00:00.000Z') })], groups: [liveGroup('Reviewers', 9, [1]), liveGroup('Others', 10, [2])] });
    const full = buildReview({ desired, live, changes: [], as_of: AS_OF, tool_version: 't', settings: SETTINGS, owners_from: 'x', ownersOf: () => ['@org/rim', 'lee'] });
    expect(full.rows.map((r) => [r.vault_id, r.groups])).toEqual([
      [3003, ['Reviewers']],
      [4004, null],
    ]);
    expect(full.owners).toEqual(['@org/rim', 'lee']);
    expect(filterReview(full, { vault_id: 4004 }).rows.map((r) => r.vault_id)).toEqual([4004]);
    expect(filterReview(full, { owner: 'LEE' }).owners).toEqual(['lee']);
    expect(filterReview(full, { owner: 'nobody' }).rows).toEqual([]);
  });

  it('a user nobody owns goes to the orphan owner; a user Vault lacks shows the YAML values', () => {
    const rows = review([desiredUser('new@x.com', { reviewed })], {}, { ownersOf: () => [] });
    expect(rows.map((r) => [r.owners, r.values_from, r.last_login, r.flags])).toEqual([[['(no owner)'], 'desired', { kind: 'no_account' }, ['DRIFTED']]]);
    expect(rows[0]?.drift).toEqual(['create']);
  });
});
