/**
 * `vault-roster review` over the demo domain: every flag checked against the simulator's own
 * state (not hard-coded names), only reads sent, the three formats written, owners from
 * review.owners and CODEOWNERS, and `review stamp` as an edit that changes no plan.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { demoSeed } from '../../src/cli/demo-seed.js';
import { isAdminProfile, type ReviewFlag } from '../../src/model.js';
import type { Review } from '../../src/review/index.js';
import type { SeedUser } from '../../src/simulator/index.js';
import { AJV_OPTIONS, specsDirectory } from '../../src/specs.js';
import { startRosterFixture } from '../helpers/roster.js';
import { startFakeGitHub } from '../ci/fake-github.js';
import { runScript } from '../ci/run-script.js';

const AS_OF = '2026-12-01';
const AS_OF_MS = Date.parse('2026-12-01T00:00:00.000Z');
const DAY = 86_400_000;
const validateReview = new Ajv(AJV_OPTIONS).compile(JSON.parse(readFileSync(join(specsDirectory(), 'review.schema.json'), 'utf8')) as object);

/** What the simulator's state says a row's login, privilege and orphan flags must be. */
function expectedFlags(user: SeedUser, vaultId: number | null, declared: ReadonlySet<string>): ReviewFlag[] {
  const flags: ReviewFlag[] = [];
  const membership = user.vault_membership?.find((m) => m.vault_id === vaultId);
  if (!declared.has(user.user_name__v.toLowerCase())) flags.push('ORPHANED');
  if (user.is_domain_admin__v === true || (membership?.active__v !== false && isAdminProfile(membership?.security_profile__v ?? 'document_user__v'))) flags.push('PRIVILEGED');
  const login = user.last_login__v ?? null;
  if (user.domain_active__v !== false && login === null) flags.push('NEVER_LOGGED_IN');
  if (user.domain_active__v !== false && login !== null && Math.floor((AS_OF_MS - Date.parse(login)) / DAY) >= 90) flags.push('DORMANT');
  return flags;
}

const CHECKED: readonly ReviewFlag[] = ['ORPHANED', 'PRIVILEGED', 'NEVER_LOGGED_IN', 'DORMANT'];

describe('vault-roster review over the demo domain', () => {
  it('flags every user as the simulator state says, reads only, and writes Markdown, CSV and JSON', async () => {
    const fx = await startRosterFixture();
    const run = await fx.run(['review', '--format', 'json', '--as-of', AS_OF]);
    expect(run.code, run.stderr).toBe(0);
    const review = JSON.parse(run.stdout) as Review;
    expect(validateReview(review), JSON.stringify(validateReview.errors)).toBe(true);
    expect(review.as_of).toBe('2026-12-01T00:00:00.000Z');

    // Read-only: logins, GETs and VQL queries, nothing else.
    const calls = fx.sim.requestLog().filter((e) => !(e.method === 'GET' || (e.method === 'POST' && (e.path.endsWith('/auth') || e.path.endsWith('/query')))));
    // Ending the session is the only other call.
    expect(calls.map((e) => `${e.method} ${e.path}`)).toEqual(calls.length === 0 ? [] : [expect.stringMatching(/^DELETE \/api\/v[\d.]+\/session$/)]);
    expect(fx.sim.requestLog().filter((e) => e.method === 'GET').length).toBeGreaterThan(0);

    const desired = await fx.desired();
    const declared = new Set(desired.users.map((u) => u.user_name));
    const live = (fx.sim.dump().users ?? []).filter((u) => u.system_owned !== true);
    let checkedRows = 0;
    for (const user of live) {
      const rows = review.rows.filter((r) => r.user_name === user.user_name__v.toLowerCase());
      expect(rows.map((r) => r.vault_id).sort(), user.user_name__v).toEqual(
        [...new Set([...(user.vault_membership ?? []).map((m) => m.vault_id), ...(desired.users.find((d) => d.user_name === user.user_name__v.toLowerCase())?.memberships ?? []).map((m) => m.vault_id)])].sort(),
      );
      for (const row of rows) {
        expect(row.flags.filter((f) => CHECKED.includes(f)), `${row.user_name} vault ${row.vault_id}`).toEqual(expectedFlags(user, row.vault_id, declared));
        checkedRows++;
      }
    }
    expect(checkedRows).toBeGreaterThan(10);
    // The demo domain shows each of these at least once.
    for (const flag of [...CHECKED, 'DRIFTED', 'EXTERNAL', 'REVIEW_DUE'] as const) expect(review.rows.some((r) => r.flags.includes(flag)), flag).toBe(true);

    // DRIFTED = the plan made at the same time changes the user.
    const plan = await fx.run(['plan', '--format', 'json']);
    const changed = new Set((JSON.parse(plan.stdout) as { changes: { subject: string; key: string }[] }).changes.filter((c) => c.subject === 'user').map((c) => c.key));
    expect(new Set(review.rows.filter((r) => r.flags.includes('DRIFTED')).map((r) => r.user_name))).toEqual(changed);

    const out = await fx.run(['review', '--as-of', AS_OF, '--out', 'review-out']);
    expect(out.code, out.stderr).toBe(0);
    expect(readdirSync(join(fx.dir, 'review-out')).sort()).toEqual(['no-owner.md', 'review.json']);
    const markdown = readFileSync(join(fx.dir, 'review-out', 'no-owner.md'), 'utf8');
    expect(markdown).toContain('<!-- vault-roster:review -->');
    expect(markdown).toContain('- [ ] `former.contractor@veepharm.com` (Former Contractor) — **ORPHANED, DORMANT**');
    expect(markdown.indexOf('### Flagged')).toBeLessThan(markdown.indexOf('### No flags'));
    expect(out.stderr).toMatch(/flags \(users\): ORPHANED 2,/);

    const csv = await fx.run(['review', '--as-of', AS_OF, '--format', 'csv', '--vault', '3003']);
    const lines = csv.stdout.split('\r\n').filter((l) => l !== '');
    expect(lines[0]).toMatch(/^owners,user_name,name,vault_id,flags,/);
    expect(lines.length - 1).toBe(review.rows.filter((r) => r.vault_id === 3003).length);
  });

  it('takes owners from review.owners (last match wins) or CODEOWNERS, and refuses a pattern that matches no file', async () => {
    const fx = await startRosterFixture();
    const roster = join(fx.dir, 'roster.yaml');
    const base = readFileSync(roster, 'utf8');
    writeFileSync(roster, `${base}review:\n  orphan_owner: security@veepharm.com\n  owners:\n    users/*.yaml: it-ops\n    users/contractors.yaml: [Partner Desk, it-ops]\n`);
    const json = await fx.run(['review', '--format', 'json', '--as-of', AS_OF]);
    expect(json.code, json.stderr).toBe(0);
    const review = JSON.parse(json.stdout) as Review;
    expect(review.owners).toEqual(['it-ops', 'Partner Desk', 'security@veepharm.com']);
    const julia = review.rows.find((r) => r.user_name === 'julia.novak@veepharm.com');
    expect(julia?.owners).toEqual(['Partner Desk', 'it-ops']);
    expect(review.rows.find((r) => r.user_name === 'former.contractor@veepharm.com')?.owners).toEqual(['security@veepharm.com']);
    const partner = await fx.run(['review', '--owner', 'partner desk', '--as-of', AS_OF, '--out', 'out']);
    expect(partner.code, partner.stderr).toBe(0);
    expect(readdirSync(join(fx.dir, 'out')).sort()).toEqual(['partner-desk.md', 'review.json']);
    // The CI example's review step reads exactly this: one issue per owner from owner_reports.
    const written = JSON.parse(readFileSync(join(fx.dir, 'out', 'review.json'), 'utf8')) as { owner_reports: unknown };
    expect(written.owner_reports).toEqual([{ name: 'Partner Desk', slug: 'partner-desk', file: 'partner-desk.md' }]);
    const github = await startFakeGitHub();
    try {
      const opened = await runScript('review-issues.mjs', ['--dir', join(fx.dir, 'out'), '--quarter', '2026-Q4'], {
        env: { GITHUB_API_URL: github.url, GITHUB_TOKEN: github.token, GITHUB_REPOSITORY: github.repository },
      });
      expect(opened.code, opened.stderr).toBe(0);
      expect(github.issues.map((i) => i.title)).toEqual(['Access review 2026-Q4: Partner Desk']);
      expect(github.issues[0]?.body).toContain(readFileSync(join(fx.dir, 'out', 'partner-desk.md'), 'utf8').trim().split('\n')[1]);
    } finally {
      await github.close();
    }

    writeFileSync(roster, `${base}review:\n  owners:\n    users/*.yaml: it-ops\n    users/partners/*.yaml: [Partner Desk]\n`);
    const before = fx.sim.requestLog().length;
    const refused = await fx.run(['review']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`roster.yaml:${base.split('\n').length + 3}:5`);
    expect(refused.stderr).toContain('review.owners pattern "users/partners/*.yaml" matches no included file');
    expect(fx.sim.requestLog().slice(before).filter((e) => e.method !== 'GET' && !/\/(auth|query|session)$/.test(e.path))).toEqual([]);

    writeFileSync(roster, base);
    mkdirSync(join(fx.dir, '.github'));
    writeFileSync(join(fx.dir, '.github', 'CODEOWNERS'), '# reviewers\n*.yaml @veepharm/admins\n/users/contractors.yaml @veepharm/partners\n');
    const coded = JSON.parse((await fx.run(['review', '--format', 'json', '--as-of', AS_OF])).stdout) as Review;
    expect(coded.owners_from).toMatch(/^CODEOWNERS at .*\.github[/\\]CODEOWNERS$/);
    expect(coded.rows.find((r) => r.user_name === 'julia.novak@veepharm.com')?.owners).toEqual(['@veepharm/partners']);
    expect(coded.rows.find((r) => r.user_name === 'grace.holloway@veepharm.com')?.owners).toEqual(['@veepharm/admins']);
  });

  it('review stamp records keep decisions in place, changes no plan, and clears REVIEW_DUE', async () => {
    const fx = await startRosterFixture();
    const planBefore = JSON.parse((await fx.run(['plan', '--format', 'json'])).stdout) as { changes: unknown; operations: unknown };
    const file = join(fx.dir, 'users', 'contractors.yaml');
    const original = readFileSync(file, 'utf8');
    const stamped = await fx.run(['review', 'stamp', '--by', 'Ana Silva <ana@veepharm.com>', '--on', AS_OF, 'julia.novak@veepharm.com', 'KWAME.MENSAH@veepharm.com']);
    expect(stamped.code, stamped.stderr).toBe(0);
    expect(stamped.stderr).toContain('on 2 users in 1 file');
    const after = readFileSync(file, 'utf8');
    // Only two lines were added; every other line is as it was.
    expect(after.split('\n').filter((l) => !l.includes('reviewed: { by: "Ana Silva <ana@veepharm.com>", on: 2026-12-01 }'))).toEqual(original.split('\n'));
    expect(after.split('\n').length - original.split('\n').length).toBe(2);

    const planAfter = JSON.parse((await fx.run(['plan', '--format', 'json'])).stdout) as { changes: unknown; operations: unknown };
    // The same changes; only the lines they name moved (two lines were added), in their source and reason.
    const unplaced = (changes: unknown): unknown => (changes as { source?: unknown; reason?: unknown }[]).map(({ source: _source, reason: _reason, ...rest }) => rest);
    expect(unplaced(planAfter.changes)).toEqual(unplaced(planBefore.changes));
    expect(planAfter.operations).toEqual(planBefore.operations);

    const review = JSON.parse((await fx.run(['review', '--format', 'json', '--as-of', AS_OF])).stdout) as Review;
    const julia = review.rows.find((r) => r.user_name === 'julia.novak@veepharm.com');
    expect(julia?.reviewed).toEqual({ by: 'Ana Silva <ana@veepharm.com>', on: AS_OF });
    expect(julia?.flags).not.toContain('REVIEW_DUE');
    expect(review.rows.find((r) => r.user_name === 'elena.petrova@veepharm.com')?.flags).toContain('REVIEW_DUE');

    const unknown = await fx.run(['review', 'stamp', '--by', 'Ana', 'former.contractor@veepharm.com']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('user former.contractor@veepharm.com is declared in no file');
    writeFileSync(join(fx.dir, 'users', 'rim-team.yaml'), 'users:\n  - user_name: broken\n');
    const refused = await fx.run(['review', 'stamp', '--by', 'Ana', '--all']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/users\/rim-team\.yaml:2:/);
    expect(readFileSync(file, 'utf8')).toBe(after);
  });

  it('stops with the user, the field and the value when Vault gives a last login it cannot read', async () => {
    const fx = await startRosterFixture({
      seed: (desired) => {
        const seed = demoSeed(desired);
        return { ...seed, users: (seed.users ?? []).map((u) => (u.user_name__v === 'former.contractor@veepharm.com' ? { ...u, last_login__v: 'last tuesday' } : u)) };
      },
    });
    const run = await fx.run(['review', '--as-of', AS_OF]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('user former.contractor@veepharm.com: last_login__v "last tuesday"');
    expect(run.stdout).toBe('');
  });

  it('review record keeps keep / revoke / defer decisions, with the execution ids of the applied revocation', async () => {
    const fx = await startRosterFixture();
    expect((await fx.run(['review', 'stamp', '--by', 'Ana', '--on', AS_OF, 'julia.novak@veepharm.com'])).code).toBe(0);
    const quality = join(fx.dir, 'users', 'quality-team.yaml');
    writeFileSync(quality, readFileSync(quality, 'utf8').replace('  - user_name: amara.nwosu@veepharm.com\n', '  - user_name: amara.nwosu@veepharm.com\n    active: false\n'));
    expect((await fx.run(['plan', '--out', 'plan.json'])).code).toBe(0);
    const reviews = join(fx.dir, '.vault-roster', 'reviews');
    type Rec = { entries: { user_name: string; decisions: string[]; revokes: string[]; remediation: { op_id: string; applied: boolean | null; execution_ids: string[] }[] }[]; journal: unknown };
    // The record names the file it wrote: <date>-<id>.json under .vault-roster/reviews.
    const readRecord = (stderr: string): Rec => JSON.parse(readFileSync(/review record (\S+\.json):/.exec(stderr)?.[1] ?? '', 'utf8')) as Rec;

    const before = await fx.run(['review', 'record', '--plan', 'plan.json', '--by', 'Ana', '--on', AS_OF]);
    expect(before.code, before.stderr).toBe(0);
    const pending = readRecord(before.stderr);
    expect(before.stderr).toContain(join(reviews, '2026-12-01-'));
    expect(pending.journal).toBeNull();
    expect(pending.entries.find((e) => e.user_name === 'julia.novak@veepharm.com')?.decisions).toEqual(['keep']);
    const amara = pending.entries.find((e) => e.user_name === 'amara.nwosu@veepharm.com');
    expect(amara?.decisions).toEqual(['revoke']);
    expect(amara?.revokes).toEqual(['deactivate']);
    expect(amara?.remediation.every((r) => r.applied === null)).toBe(true);

    const applied = await fx.run(['apply', 'plan.json', '--auto-approve']);
    expect(applied.code).toBe(0);
    const after = await fx.run(['review', 'record', '--plan', 'plan.json', '--by', 'Ana', '--on', AS_OF]);
    expect(after.code, after.stderr).toBe(0);
    const done = readRecord(after.stderr).entries.find((e) => e.user_name === 'amara.nwosu@veepharm.com');
    expect(done?.remediation.length).toBeGreaterThan(0);
    expect(done?.remediation.length).toBeGreaterThan(0);
    expect(done?.remediation.every((r) => r.applied === true && r.execution_ids.length > 0)).toBe(true);

    // The evidence bundle of that apply keeps the review records of its plan, and verifies.
    const id = (await fx.run(['plan-id', 'plan.json'])).stdout.trim();
    const bundle = await fx.run(['evidence', id, '--out', 'bundle', '--no-read-back']);
    expect(bundle.code, bundle.stderr).toBe(0);
    const kept = readdirSync(join(fx.dir, 'bundle')).filter((f) => f.startsWith('review-'));
    expect(kept.sort()).toEqual(readdirSync(reviews).map((f) => `review-${f}`).sort());
    expect(kept.length).toBeGreaterThan(0);
    expect(readFileSync(join(fx.dir, 'bundle', 'summary.md'), 'utf8')).toContain('## Access reviews carried out by this plan');
    const verified = await fx.run(['evidence', 'verify', 'bundle']);
    expect(verified.code, verified.stderr).toBe(0);
  });
});
