/**
 * The seat report over planned fixtures: seat figures (Vault's where reported, counts elsewhere),
 * after-plan figures, inactive holders and their suggestions, and the JSON against its schema.
 * The locator is a table here; test/report/locate.test.ts and the e2e test read real files.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { DesiredUser, LiveUser, Membership } from '../../src/model.js';
import { buildSeatReport, renderSeatReport, type EntryLocator, type MembershipPlace, type Place, type SeatReport } from '../../src/report/index.js';
import { AJV_OPTIONS } from '../../src/specs.js';
import { ADMIN, ADMIN_DESIRED, desiredState, desiredUser, liveState, liveUser, planOf } from '../plan/fixtures.js';

const NOW = '2026-01-02T03:04:05.000Z';
const LONG_AGO = '2025-06-01T00:00:00.000Z';
const RECENT = '2025-12-30T00:00:00.000Z';

const FULL_3003: Membership = { vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: { rimReg_v: { active: true, license_type: 'full__v' } } };
const READER_3003: Membership = { vault_id: 3003, active: true, security_profile: 'read_only_user__v', license_type: 'read_only__v', apps: { rimReg_v: { active: true, license_type: 'read_only__v' } } };
const FULL_4004: Membership = { vault_id: 4004, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: {} };

function pair(name: string, id: number, memberships: Membership[], login: LiveUser['last_login'], desired: Partial<DesiredUser> = {}): { live: LiveUser; desired: DesiredUser } {
  return {
    live: liveUser(name, id, { memberships, ...(login === undefined ? {} : { last_login: login }) }),
    desired: desiredUser(name, { memberships, source: { file: 'users/team.yaml', line: id * 10, col: 5 }, ...desired }),
  };
}

function at(line: number, text: string, col = 9): Place {
  return { file: 'users/team.yaml', line, col, text };
}

/** A locator that answers from the fixtures' line numbers: user at id*10, membership item +1, active +2, apps +3. */
const TABLE_LOCATOR: EntryLocator = {
  user: (user) => at(user.source.line, `- user_name: ${user.user_name}`, 5),
  membership: (user, vaultId): MembershipPlace | undefined => {
    const m = user.memberships?.find((x) => x.vault_id === vaultId);
    if (m === undefined) return undefined;
    const line = user.source.line + 1;
    const codes = new Map(Object.keys(m.apps ?? {}).map((code, i) => [code, at(line + 2, `apps: { ${code}: … }`, 17 + 20 * i)]));
    return { item: at(line, `- vault: ${vaultId}`), active: user.user_name.startsWith('kate') ? at(line + 1, 'active: true', 11) : undefined, apps: { key: at(line + 2, 'apps: …', 11), codes } };
  },
};

function scenario(): SeatReport {
  const kate = pair('kate@veepharm.com', 1, [FULL_3003], { kind: 'never' });
  const bob = pair('bob@veepharm.com', 2, [READER_3003], { kind: 'at', at: LONG_AGO });
  const carol = pair('carol@veepharm.com', 3, [FULL_3003, FULL_4004], { kind: 'at', at: RECENT });
  const dave = pair('dave@veepharm.com', 4, [FULL_3003], { kind: 'not_reported' });
  const gina = pair('gina@veepharm.com', 5, [FULL_3003], { kind: 'never' }, { memberships: [{ ...FULL_3003, active: false }] });
  const hugo = pair('hugo@veepharm.com', 6, [FULL_3003, FULL_4004], { kind: 'at', at: LONG_AGO });
  const frank = liveUser('frank@veepharm.com', 7, { memberships: [FULL_4004], last_login: { kind: 'never' } });
  const admin = { ...ADMIN, last_login: { kind: 'at', at: RECENT } } as LiveUser;
  const pairs = [kate, bob, carol, dave, gina, hugo];
  const desired = desiredState({ users: [ADMIN_DESIRED, ...pairs.map((p) => p.desired)] });
  const live = liveState({
    users: [admin, frank, ...pairs.map((p) => p.live)],
    licenses: [
      { application: 'rimReg_v', license_type: 'full__v', licensed: 10, used: 5 },
      { application: 'rimReg_v', license_type: 'read_only__v', licensed: 4, used: 2 },
    ],
  });
  const plan = planOf(desired, live, { created_at: NOW });
  return buildSeatReport({ desired, live, plan, locator: TABLE_LOCATOR, server: 'https://vault.example.com', vault_id: undefined, dormant_days: 90 });
}

describe('seat report', () => {
  const report = scenario();

  it('shows Vault figures for the session vault, counts elsewhere, and the plan deactivating gina as −1', () => {
    const rows = report.seats.map((r) => [r.vault_id, r.application, r.license_type, r.licensed, r.used, r.counted, r.change, r.after, r.verified]);
    expect(rows).toEqual([
      [3003, null, 'full__v', null, 6, 6, -1, 5, false],
      [3003, null, 'read_only__v', null, 1, 1, 0, 1, false],
      [3003, 'rimReg_v', 'full__v', 10, 5, 5, -1, 4, true],
      // Vault says 2 used, the listing shows 1: Vault's figure is used and the difference noted.
      [3003, 'rimReg_v', 'read_only__v', 4, 2, 1, 0, 2, true],
      [4004, null, 'full__v', null, 3, 3, 0, 3, false],
    ]);
    expect(report.seats[3]?.note).toBe('Vault reports 2 used; the user listing shows 1');
    expect(report.seats[4]?.note).toMatch(/no usage figures for vault licence types/);
  });

  it('lists never-logged-in and dormant holders with their edits, and keeps an unreported login apart', () => {
    const inactive = report.inactive.map((h) => [h.vault_id, h.user_name, h.standing, h.days_since_login, h.suggestion.kind, h.suggestion.edits.map((e) => `${e.line}:${e.col} ${e.edit}`)]);
    expect(inactive).toEqual([
      [3003, 'bob@veepharm.com', 'dormant', 215, 'remove_apps', ['23:17 remove rimReg_v from apps']],
      [3003, 'gina@veepharm.com', 'never', null, 'in_plan', []],
      [3003, 'hugo@veepharm.com', 'dormant', 215, 'deactivate_membership', ['61:9 add "active: false" to this membership of vault 3003']],
      [3003, 'kate@veepharm.com', 'never', null, 'deactivate_membership', ['12:11 change to "active: false"']],
      [4004, 'frank@veepharm.com', 'never', null, 'undeclared', []],
      [4004, 'hugo@veepharm.com', 'dormant', 215, 'deactivate_membership', ['61:9 add "active: false" to this membership of vault 4004']],
    ]);
    expect(report.inactive.find((h) => h.user_name === 'hugo@veepharm.com')?.multi_vault).toBe(true);
    expect(report.login_not_reported).toEqual([{ user_name: 'dave@veepharm.com', vault_id: 3003 }]);
    expect(report.notes.join('\n')).toMatch(/which vault's login it reflects .* is not documented/);
  });

  it('matches specs/seats.schema.json', () => {
    const schema = JSON.parse(readFileSync(new URL('../../specs/seats.schema.json', import.meta.url), 'utf8')) as object;
    const validate = new Ajv(AJV_OPTIONS).compile(schema);
    const document = JSON.parse(renderSeatReport(report, 'json')) as unknown;
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...(document as object), suggestions_not_applied: false })).toBe(false);
  });

  it('labels the edits as suggested, not applied, in text and Markdown', () => {
    expect(renderSeatReport(report, 'text')).toContain('Suggested, not applied');
    const markdown = renderSeatReport(report, 'markdown');
    expect(markdown).toContain('**Suggested, not applied');
    expect(markdown).toContain('- [ ] vault 3003 `kate@veepharm.com`: never logged in; holds full__v, rimReg_v full__v.');
    expect(markdown).toContain('| 3003 | rimReg_v full__v | 10 | 5 | 4 | -1 |');
  });

  it('reports one vault with --vault', () => {
    const desired = desiredState({ users: [ADMIN_DESIRED] });
    const live = liveState({ users: [ADMIN, liveUser('frank@veepharm.com', 7, { memberships: [FULL_4004], last_login: { kind: 'never' } })] });
    const plan = planOf(desired, live, { created_at: NOW });
    const one = buildSeatReport({ desired, live, plan, locator: TABLE_LOCATOR, server: 's', vault_id: 4004, dormant_days: 30 });
    expect(one.vault_ids).toEqual([4004]);
    expect(one.seats.every((r) => r.vault_id === 4004)).toBe(true);
    // unmanaged_users defaults to report: the plan leaves frank alone, so declaring him is the suggestion.
    expect(one.inactive.map((h) => [h.user_name, h.suggestion.kind])).toEqual([['frank@veepharm.com', 'undeclared']]);
  });

  it('refuses a plan whose seat preview disagrees with its own changes, and a change it cannot read', () => {
    const desired = desiredState({ users: [ADMIN_DESIRED, desiredUser('kate@veepharm.com', { memberships: [{ ...FULL_3003, active: false }] })] });
    const live = liveState({ users: [ADMIN, liveUser('kate@veepharm.com', 2, { memberships: [FULL_3003] })] });
    const plan = planOf(desired, live, { created_at: NOW });
    const input = { desired, live, locator: TABLE_LOCATOR, server: 's', vault_id: undefined, dormant_days: 90 };
    expect(buildSeatReport({ ...input, plan }).seats.find((r) => r.application === 'rimReg_v' && r.license_type === 'full__v')?.change).toBe(-1);
    const tampered = { ...plan, seats: (plan.seats ?? []).map((r) => ({ ...r, change: r.change - 1 })) };
    expect(() => buildSeatReport({ ...input, plan: tampered })).toThrow(/seat report and plan disagree on 3003 rimReg_v full__v: -1 vs -2/);
    const odd = { ...plan, changes: plan.changes.map((c) => ({ ...c, fields: c.fields.map((f) => ({ ...f, after: 'no' })) })) };
    expect(() => buildSeatReport({ ...input, plan: odd })).toThrow(/change of kate@veepharm.com at memberships\[3003\]\.active has a value the seat report cannot read: "no"/);
  });

  it('stops on an unreadable last login, naming the user', () => {
    const desired = desiredState({ users: [ADMIN_DESIRED] });
    const live = liveState({ users: [ADMIN, liveUser('erin@veepharm.com', 8, { last_login: { kind: 'unreadable', excerpt: '12345' } })] });
    const plan = planOf(desired, live, { created_at: NOW });
    expect(() => buildSeatReport({ desired, live, plan, locator: TABLE_LOCATOR, server: 's', vault_id: undefined, dormant_days: 90 })).toThrow(
      'user erin@veepharm.com: last_login__v 12345 from GET /api/…/objects/users (Retrieve All Users) is not an ISO-8601 instant or null',
    );
  });
});
