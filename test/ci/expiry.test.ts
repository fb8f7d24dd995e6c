/**
 * Scheduled expiry enforcement (issue #17 part 1): which plans lib/expiry.mjs lets the scheduled
 * job apply (only withdrawals of expired grants, as the planner writes them: see the shapes in
 * test/e2e/timebox.test.ts), and the issue body expiry-plan.mjs writes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyPlan } from '../../examples/ci/scripts/lib/expiry.mjs';
import { runScript, tempDir } from './run-script.js';

type Json = Record<string, unknown>;

/** A membership of vault 3003 that expired, as the planner writes the change and its row. */
function membershipExpiry(key = 'daniel.okafor@veepharm.com'): { change: Json; row: Json } {
  return {
    change: {
      subject: 'user',
      key,
      action: 'update',
      fields: [{ path: 'memberships[3003].active', before: true, after: false }],
      reason: 'membership of vault 3003 expired on 2026-11-30 (users/team.yaml:20; reason: contract ended); 1 managed field differs from users/team.yaml:13',
      risks: ['deactivation'],
    },
    row: { key, user_id: 25002, values: {}, membership: { vault_id: 3003, active: false, security_profile: 'document_user__v', license_type: 'full__v' } },
  };
}

function userExpiry(key = 'lena.schmidt@veepharm.com'): { change: Json; row: Json } {
  return {
    change: {
      subject: 'user',
      key,
      action: 'deactivate',
      fields: [{ path: 'active', before: true, after: false }],
      reason: 'user expired on 2026-11-29 (users/team.yaml:28; reason: left)',
      risks: ['deactivation'],
    },
    row: { key, user_id: 25006, active: false, clears: [] },
  };
}

function plan(parts: { change: Json; row: Json; kind?: string }[], extra: Json = {}): Json {
  return {
    format_version: 2,
    settings: { mode: 'full' },
    changes: parts.map((p) => p.change),
    operations: parts.map((p, i) => ({ id: `op-00${String(i + 1)}`, kind: p.kind ?? 'update_users', rows: [p.row] })),
    diagnostics: [],
    ...extra,
  };
}

function edit<T extends Json>(value: T, patch: Json): T {
  return { ...value, ...patch };
}

describe('classifyPlan', () => {
  it('accepts a plan of expired memberships and expired users only', () => {
    const result = classifyPlan(plan([membershipExpiry(), userExpiry()]));
    expect(result.expiryOnly).toBe(true);
    expect(result.expiries.map((e) => [e.user, e.what, e.date])).toEqual([
      ['daniel.okafor@veepharm.com', 'membership of vault 3003', '2026-11-30'],
      ['lena.schmidt@veepharm.com', 'user', '2026-11-29'],
    ]);
    expect(result.others).toEqual([]);
    expect(result.blockers).toEqual([]);
  });

  const m = membershipExpiry();
  const u = userExpiry();
  it.each<[string, Json, RegExp]>([
    ['another field changes too', plan([{ ...m, change: edit(m.change, { fields: [...(m.change.fields as Json[]), { path: 'first_name', before: 'Dan', after: 'Daniel' }] }) }]), /others: first_name "Dan" → "Daniel"/],
    ['a membership switched off without an expiry note', plan([{ ...m, change: edit(m.change, { reason: '1 managed field differs from users/team.yaml:13' }) }]), /no "membership of vault 3003 expired on" note/],
    ['the note names another vault', plan([{ ...m, change: edit(m.change, { reason: 'membership of vault 5005 expired on 2026-11-30 (users/team.yaml:20)' }) }]), /no "membership of vault 3003 expired on"/],
    ['a not-yet-valid grant', plan([{ ...m, change: edit(m.change, { reason: 'membership of vault 3003 is not valid before 2027-01-01 (users/team.yaml:20)' }) }]), /no "membership of vault 3003 expired on"/],
    ['a deactivation the YAML asks for', plan([{ ...u, change: edit(u.change, { reason: 'active: false in users/team.yaml:23' }) }]), /no "user expired on" note/],
    ['a reactivation', plan([{ ...u, change: edit(u.change, { action: 'reactivate', fields: [{ path: 'active', before: false, after: true }] }) }]), /active false → true/],
    ['a SiteVault change', plan([{ change: { subject: 'sitevault', key: 'x@y.z', action: 'sitevault_edit', fields: [], reason: '' }, row: { key: 'x@y.z' } }]), /others: a sitevault change/],
    ['a row sending more than the membership', plan([{ ...m, row: edit(m.row, { values: { first_name: 'Dan' } }) }]), /blockers: op-001 \(update_users\) for daniel\.okafor@veepharm\.com: it also sends values/],
    ['a row granting an app licence', plan([{ ...m, row: edit(m.row, { apps: { vault_id: 3003, apps: {} } }) }]), /it also sends apps/],
    ['a row for the membership of another vault', plan([{ ...m, row: edit(m.row, { membership: { vault_id: 5005, active: false } }) }]), /it also sends membership/],
    ['a row no change explains', { ...plan([m]), operations: [{ id: 'op-001', kind: 'update_users', rows: [m.row, { key: 'eve@x.io', values: {} }] }] }, /blockers: op-001: a row for eve@x\.io that no expiry explains/],
    ['an error diagnostic', plan([m], { diagnostics: [{ severity: 'error', code: 'guard-mass-removal', summary: 'too many' }] }), /blockers: error guard-mass-removal: too many/],
    ['a drift plan', plan([m], { settings: { mode: 'drift' } }), /blockers: a drift plan/],
    ['an unknown plan format', plan([m], { format_version: 3 }), /blockers: plan format_version 3/],
  ])('refuses when %s', (_name, input, why) => {
    const result = classifyPlan(input);
    expect(result.expiryOnly).toBe(false);
    const text = `others: ${result.others.map((o) => o.why).join(' | ')} blockers: ${result.blockers.join(' | ')}`;
    expect(text).toMatch(why);
  });

  it('is not expiry-only when nothing expired', () => {
    expect(classifyPlan(plan([])).expiryOnly).toBe(false);
  });
});

describe('expiry-plan.mjs', () => {
  async function check(input: Json | string, apply = 'false') {
    const dir = tempDir();
    writeFileSync(join(dir, 'plan.json'), typeof input === 'string' ? input : JSON.stringify(input));
    const run = await runScript('expiry-plan.mjs', ['--plan', join(dir, 'plan.json'), '--body', join(dir, 'expiry.md'), '--apply', apply]);
    return { ...run, body: existsSync(join(dir, 'expiry.md')) ? readFileSync(join(dir, 'expiry.md'), 'utf8') : undefined };
  }

  it('lists what expired and says how to apply it when apply-expiries is off', async () => {
    const run = await check(plan([membershipExpiry(), userExpiry()]));
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs).toEqual({ expired: '2', others: '0', 'expiry-only': 'true' });
    expect(run.body).toContain('<!-- vault-roster-expiry -->\n### ⏰ vault-roster: 2 time-boxed grants expired\n');
    expect(run.body).toContain('| `daniel.okafor@veepharm.com` | membership of vault 3003 | 2026-11-30 | `membership of vault 3003 expired on 2026-11-30 (users/team.yaml:20; reason: contract ended); 1 managed field differs from users/team.yaml:13` |');
    expect(run.body).toContain('Nothing was applied (Action input `apply-expiries` is false)');
  });

  it('says why a mixed plan is not applied', async () => {
    const m = membershipExpiry();
    const run = await check(plan([m, { change: { subject: 'user', key: 'ravi@x.io', action: 'update', fields: [{ path: 'fields.user_title__v', before: 'A', after: 'B' }], reason: 'r' }, row: { key: 'ravi@x.io', values: { fields: {} } } }]), 'true');
    expect(run.outputs).toEqual({ expired: '1', others: '1', 'expiry-only': 'false' });
    expect(run.body).toContain('**Not applied automatically**');
    expect(run.body).toContain('user ravi@x.io: update (fields.user_title__v "A" → "B")');
  });

  it('fails naming the file when the plan is not JSON', async () => {
    const run = await check('{ not json');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot read the plan .*plan\.json: not JSON/);
  });
});
