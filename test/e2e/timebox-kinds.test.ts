/**
 * Time boxes on application licences, group members and SiteVault site assignments end to end
 * (issue #17 part 1), over HTTP to the simulator with the plan's clock injected: plans are made
 * in-process with a chosen created_at, saved, and applied by the CLI (which re-derives them with
 * that same time). Per kind: an expired grant is withdrawn and stays withdrawn, a not-yet-valid
 * one is not created until the clock passes valid_from, one ending soon is listed in the text plan
 * and on the PR comment's first screen; the exact writes the simulator saw are asserted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPlan, type Plan } from '../../src/plan/index.js';
import { renderPlan } from '../../src/render/index.js';
import type { RequestLogEntry } from '../../src/simulator/index.js';
import { createVaultClient, resolveConnection } from '../../src/vault/index.js';
import { TOOL_VERSION } from '../../src/version.js';
import { readFixtureLive } from '../apply/support.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { isWrite } from '../helpers/simulator.js';

/** The injected clock: the plan's created_at. Days relative to it. */
const NOW = '2031-03-10T09:00:00.000Z';
const YESTERDAY = '2031-03-09';
const FROM = '2031-03-12';
const SOON = '2031-03-15';
const AFTER_FROM = '2031-03-12T00:00:01.000Z';

/** A plan made in-process at `createdAt`, from the fixture's YAML and what the simulator holds. */
async function planAt(fx: RosterFixture, createdAt: string): Promise<Plan> {
  const desired = await fx.desired();
  const connection = resolveConnection(desired.target, fx.env);
  const client = createVaultClient(connection);
  try {
    const live = await readFixtureLive(client, desired);
    return createPlan(desired, live, {
      tool_version: TOOL_VERSION,
      created_at: createdAt,
      target: { url: desired.target.url ?? connection.baseUrl, server: connection.baseUrl, vault_id: live.vault_id, api_version: desired.target.api_version },
      allow: {},
    });
  } finally {
    client.close();
  }
}

let saved = 0;

/** One row of Update Users by id (the bulk upsert), as the simulator logged it. */
const UPSERT_ONE: Call = { method: 'POST', path: '/api/v26.2/objects/users', query: { operation: 'upsert', idParam: 'id' }, rows: 1 };

/** Saves `plan` and applies it with the CLI; returns the writes the simulator saw. */
async function applySaved(fx: RosterFixture, plan: Plan): Promise<Call[]> {
  const file = `timebox-${++saved}.json`;
  writeFileSync(join(fx.dir, file), JSON.stringify(plan));
  fx.sim.clearRequestLog();
  const applied = await fx.run(['apply', file, '--auto-approve']);
  expect(applied.code, applied.stdout.slice(-2000) + applied.stderr).toBe(0);
  return fx.sim.requestLog().filter(isWrite).map(callOf);
}

interface Call {
  method: string;
  path: string;
  query: Readonly<Record<string, string>>;
  rows?: number;
  change?: string;
}

function callOf(e: RequestLogEntry): Call {
  return { method: e.method, path: e.path, query: e.query, ...(e.rows === undefined ? {} : { rows: e.rows }), ...(e.membersChange === undefined ? {} : { change: e.membersChange }) };
}

/** Replaces the first `from` after `anchor` in one of the fixture's files. */
function edit(fx: RosterFixture, file: string, anchor: string, from: string, to: string): void {
  const path = join(fx.dir, file);
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(anchor);
  const at = text.indexOf(from, start);
  expect(start >= 0 && at >= start, `${from} after ${anchor} in ${file}`).toBe(true);
  writeFileSync(path, `${text.slice(0, at)}${to}${text.slice(at + from.length)}`);
}

/** Converged fixture: the demo drift applied with the real clock, before any time box is written. */
async function converged(): Promise<RosterFixture> {
  const fx = await startRosterFixture();
  const first = await fx.run(['apply', '--auto-approve']);
  expect(first.code, first.stdout.slice(-2000) + first.stderr).toBe(0);
  return fx;
}

/** The expiring-soon line is in the text plan, and within the first 30 lines of the PR comment. */
function expectListedSoon(plan: Plan, needle: string): void {
  const text = renderPlan(plan, 'text', { color: false });
  const section = text.slice(text.indexOf('Expiring soon'));
  expect(text.includes('Expiring soon'), text.slice(0, 2000)).toBe(true);
  expect(section).toContain(needle);
  const comment = renderPlan(plan, 'markdown', { color: false }).split('\n');
  const line = comment.findIndex((l) => l.includes(needle) && l.includes(`valid_until ${SOON}`));
  expect(line, comment.slice(0, 40).join('\n')).toBeGreaterThan(0);
  expect(line).toBeLessThan(30);
}

function userId(fx: RosterFixture, name: string): number {
  const user = (fx.sim.dump().users ?? []).find((u) => u.user_name__v.toLowerCase() === name);
  if (user === undefined) throw new Error(`no user ${name} in the simulator`);
  return user.id;
}

function appOf(fx: RosterFixture, name: string, app: string): boolean | undefined {
  const user = (fx.sim.dump().users ?? []).find((u) => u.user_name__v.toLowerCase() === name);
  const licence = (user?.app_licensing ?? []).find((a) => a.vault_id === 5005 && a.application_name === app);
  return licence?.active__v;
}

describe('time-boxed application licences against the simulator', () => {
  it('withdraws an expired licence once, grants a future one from valid_from, lists one ending soon', async () => {
    const fx = await converged();
    const users = 'users/clinical-team.yaml';
    edit(fx, users, 'user_name: arjun.patel', 'etmf_v: full__v', `etmf_v: { license_type: full__v, valid_until: ${YESTERDAY}, reason: study close-out }`);
    edit(fx, users, 'user_name: chloe.martin', 'apps: { ctms_v: full__v }', `apps: { ctms_v: full__v, etmf_v: { license_type: full__v, valid_from: ${FROM} } }`);
    edit(fx, users, 'user_name: isabella.garcia', 'etmf_v: full__v', `etmf_v: { license_type: full__v, valid_until: ${SOON}, reason: audit support }`);
    expect(appOf(fx, 'arjun.patel@veepharm.com', 'etmf_v')).toBe(true);

    const plan = await planAt(fx, NOW);
    expect(plan.changes.map((c) => [c.key, c.fields.map((f) => f.path)])).toEqual([['arjun.patel@veepharm.com', ['memberships[5005].apps.etmf_v']]]);
    expect(plan.changes[0]?.reason).toMatch(new RegExp(`^application licence etmf_v in vault 5005 expired on ${YESTERDAY} \\(users/clinical-team\\.yaml:\\d+; reason: study close-out\\)`));
    expectListedSoon(plan, 'application licence etmf_v in vault 5005 of isabella.garcia@veepharm.com ends in 5 days');
    expect(await applySaved(fx, plan)).toEqual([UPSERT_ONE]);
    expect(appOf(fx, 'arjun.patel@veepharm.com', 'etmf_v')).toBe(false);
    expect(appOf(fx, 'chloe.martin@veepharm.com', 'etmf_v')).toBeUndefined();

    const again = await planAt(fx, NOW);
    expect(again.changes).toEqual([]);
    expect(again.operations).toEqual([]);

    const later = await planAt(fx, AFTER_FROM);
    expect(later.changes.map((c) => [c.key, c.fields.map((f) => f.path)])).toEqual([['chloe.martin@veepharm.com', ['memberships[5005].apps.etmf_v']]]);
    expect(await applySaved(fx, later)).toEqual([UPSERT_ONE]);
    expect(appOf(fx, 'chloe.martin@veepharm.com', 'etmf_v')).toBe(true);
    expect(appOf(fx, 'arjun.patel@veepharm.com', 'etmf_v')).toBe(false);
  });
});

describe('time-boxed group members against the simulator', () => {
  it('removes an expired member once, adds a future one from valid_from, lists one ending soon', async () => {
    const fx = await converged();
    const groups = 'groups/clinical-teams.yaml';
    edit(fx, groups, 'label: CTMS Data Stewards', '- leila.karimi@veepharm.com', `- { user: leila.karimi@veepharm.com, valid_until: ${YESTERDAY}, reason: rotation ended }`);
    edit(fx, groups, 'label: CTMS Data Stewards', '- william.nguyen@veepharm.com', `- { user: william.nguyen@veepharm.com, valid_until: ${SOON} }\n      - { user: noah.kim@veepharm.com, valid_from: ${FROM} }`);

    const plan = await planAt(fx, NOW);
    expect(plan.changes.map((c) => [c.key, c.fields.map((f) => [f.path, f.after])])).toEqual([['ctms data stewards', [['members[leila.karimi@veepharm.com]', false]]]]);
    expect(plan.changes[0]?.reason).toContain(`membership of group "CTMS Data Stewards" of leila.karimi@veepharm.com expired on ${YESTERDAY} (groups/clinical-teams.yaml:`);
    expectListedSoon(plan, 'membership of group "CTMS Data Stewards" of william.nguyen@veepharm.com ends in 5 days');
    const groupId = (fx.sim.dump().groups ?? []).find((g) => g.label__v === 'CTMS Data Stewards')?.id;
    const path = `/api/v26.2/objects/groups/${String(groupId)}`;
    expect(await applySaved(fx, plan)).toEqual([{ method: 'PUT', path, query: {}, rows: 1, change: 'delete' }]);

    const again = await planAt(fx, NOW);
    expect(again.operations).toEqual([]);

    const later = await planAt(fx, AFTER_FROM);
    expect(later.changes.map((c) => [c.key, c.fields.map((f) => [f.path, f.after])])).toEqual([['ctms data stewards', [['members[noah.kim@veepharm.com]', true]]]]);
    expect(await applySaved(fx, later)).toEqual([{ method: 'PUT', path, query: {}, rows: 1, change: 'add' }]);
    const group = (fx.sim.dump().groups ?? []).find((g) => g.label__v === 'CTMS Data Stewards');
    expect(group?.members__v).toContain(userId(fx, 'noah.kim@veepharm.com'));
    expect(group?.members__v).not.toContain(userId(fx, 'leila.karimi@veepharm.com'));
  });
});

describe('time-boxed SiteVault site assignments against the simulator', () => {
  it('sends no_access__v for an expired site once, sends a future site from valid_from, lists one ending soon', async () => {
    const fx = await converged();
    const staff = 'sitevault/raleigh-site.yaml';
    edit(fx, staff, 'email: marcus.reed', '{ usn: US-CA-0002, role: study_team__v }', `{ usn: US-CA-0002, role: study_team__v, valid_until: ${YESTERDAY}, reason: cover ended }`);
    edit(fx, staff, 'email: helen.carter', 'addons: [site_patients__v, site_profiles__v] }', `addons: [site_patients__v, site_profiles__v], valid_until: ${SOON} }\n      - { usn: US-CA-0002, role: study_team__v, valid_from: ${FROM} }`);

    const plan = await planAt(fx, NOW);
    expect(plan.changes.map((c) => [c.key, c.fields.map((f) => [f.path, f.after])])).toEqual([['marcus.reed@veepharm.com', [['sites[US-CA-0002].role', 'no_access__v']]]]);
    expect(plan.changes[0]?.reason).toContain(`assignment to site US-CA-0002 expired on ${YESTERDAY} (sitevault/raleigh-site.yaml:`);
    expectListedSoon(plan, 'assignment to site US-NC-0001 of helen.carter@veepharm.com ends in 5 days');
    const personId = (email: string): string => (fx.sim.dump().sitevault?.persons ?? []).find((p) => p.email === email)?.person_id ?? '(none)';
    const editOf = (email: string): Call => ({ method: 'PUT', path: `/api/v26.2/app/sitevault/useradmin/persons/${personId(email)}`, query: {} });
    expect(await applySaved(fx, plan)).toEqual([editOf('marcus.reed@veepharm.com')]);
    const marcus = (fx.sim.dump().sitevault?.persons ?? []).find((p) => p.email === 'marcus.reed@veepharm.com');
    // The simulator, as SiteVault, drops a site assignment sent with no_access__v.
    expect(marcus?.site_assignments?.map((s) => [s.site_usn, s.system_role_id])).toEqual([['US-NC-0001', 'study_team__v']]);

    const again = await planAt(fx, NOW);
    expect(again.operations).toEqual([]);

    const later = await planAt(fx, AFTER_FROM);
    expect(later.changes.map((c) => [c.key, c.fields.map((f) => [f.path, f.after])])).toEqual([
      ['helen.carter@veepharm.com', [['sites[US-CA-0002].role', 'study_team__v'], ['sites[US-CA-0002].addons', []]]],
    ]);
    expect(await applySaved(fx, later)).toEqual([editOf('helen.carter@veepharm.com')]);
    const helen = (fx.sim.dump().sitevault?.persons ?? []).find((p) => p.email === 'helen.carter@veepharm.com');
    expect(helen?.site_assignments?.map((s) => [s.site_usn, s.system_role_id])).toEqual([
      ['US-CA-0002', 'study_team__v'],
      ['US-NC-0001', 'regulatory__v'],
    ]);
    const settled = await planAt(fx, AFTER_FROM);
    expect(settled.operations).toEqual([]);
  });
});
