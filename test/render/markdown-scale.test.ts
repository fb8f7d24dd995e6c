// The PR comment at scale: risks first and whole, bulk changes counted, every cut named, and
// GitHub's 65,536-character limit kept, for plans made by the real planner.
import { describe, expect, it } from 'vitest';
import type { DesiredUser, LiveUser } from '../../src/model.js';
import { createPlan, type Change, type ChangeAction, type Operation, type Plan } from '../../src/plan/index.js';
import { MARKDOWN_MARKER, renderPlan } from '../../src/render/index.js';
import { riskItems } from '../../src/render/risk-items.js';
import { ADMIN, ADMIN_DESIRED, OPTIONS, desiredState, desiredUser, liveState, liveUser, planOf } from '../plan/fixtures.js';

const GITHUB_LIMIT = 65_536;
const name = (prefix: string, i: number): string => `${prefix}${String(i).padStart(6, '0')}@veepharm.com`;

interface Scenario {
  readonly creates: number;
  readonly profileMoves: number;
  readonly adminGrants: number;
  readonly deactivations: number;
  readonly extra?: { desired: DesiredUser[]; live: LiveUser[] };
}

/** Desired and live users for a PR: creates, bulk profile moves, admin grants and deactivations. */
function scenario(s: Scenario): { desired: DesiredUser[]; live: LiveUser[] } {
  const desired: DesiredUser[] = [ADMIN_DESIRED];
  const live: LiveUser[] = [ADMIN];
  let id = 100;
  for (let i = 0; i < s.creates; i++) desired.push(desiredUser(name('new', i)));
  const member = (profile: string) => [{ vault_id: 3003, active: true, security_profile: profile, license_type: 'full__v' as const, apps: { rimReg_v: { active: true, license_type: 'full__v' as const } } }];
  for (let i = 0; i < s.profileMoves; i++) {
    desired.push(desiredUser(name('move', i), { memberships: member('read_only_user__v') }));
    live.push(liveUser(name('move', i), id++));
  }
  for (let i = 0; i < s.adminGrants; i++) {
    desired.push(desiredUser(name('boss', i), { memberships: member('system_admin__v') }));
    live.push(liveUser(name('boss', i), id++));
  }
  for (let i = 0; i < s.deactivations; i++) {
    desired.push(desiredUser(name('gone', i), { active: false }));
    live.push(liveUser(name('gone', i), id++));
  }
  for (const u of s.extra?.desired ?? []) desired.push(u);
  for (const u of s.extra?.live ?? []) live.push(u);
  return { desired, live };
}

function planFor(s: Scenario): Plan {
  const { desired, live } = scenario(s);
  const policy = { max_deactivations: 1_000_000, max_access_removals: 1_000_000, max_access_removal_share: 1 };
  // createPlan directly: the schema check of planOf costs seconds at 100k changes and is covered elsewhere.
  return createPlan(desiredState({ users: desired, policy }), liveState({ users: live }), OPTIONS);
}

function riskyKeys(plan: Plan): string[] {
  return [...new Set(riskItems(plan.changes).map((i) => i.user))];
}

describe('PR comment: the done-when of issue #15', () => {
  const plan = planFor({ creates: 1_975, profileMoves: 0, adminGrants: 5, deactivations: 20 });

  it('a 2,000-user PR with 5 admin grants and 20 deactivations shows all 25 on the first screen, before the bulk view', () => {
    expect(plan.changes).toHaveLength(2_000);
    const md = renderPlan(plan, 'markdown', { color: false });
    const lines = md.split('\n');
    const firstScreen = lines.slice(0, 60).join('\n');
    const beforeBulk = md.slice(0, md.indexOf('### Bulk changes'));
    expect(md.indexOf('### Bulk changes')).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) {
      expect(firstScreen).toContain(`| 🔴 admin profile granted | \`${name('boss', i)}\` | vault 3003 | \`"document_user__v"\` → \`"system_admin__v"\` |`);
    }
    for (let i = 0; i < 20; i++) {
      expect(firstScreen).toContain(`| 🔴 user deactivated | \`${name('gone', i)}\` | domain | \`true\` → \`false\` |`);
    }
    // Worst first: every admin grant comes before every deactivation.
    expect(beforeBulk.lastIndexOf('admin profile granted |')).toBeLessThan(beforeBulk.indexOf('user deactivated |'));
    expect(md.length).toBeLessThan(GITHUB_LIMIT);
  });

  it('counts the 1,975 creates in one bulk row', () => {
    const md = renderPlan(plan, 'markdown', { color: false });
    expect(md).toContain('| 1,975 | create in vault `3003` as `document_user__v` `full__v`, app `rimReg_v` `full__v` | `new000000@veepharm.com`, `new000001@veepharm.com`, … |');
    expect(md).toContain('| 20 | deactivate |');
  });
});

/**
 * A plan of `n` changes per kind, made from a small plan the real planner made: each change of
 * the template is repeated under new user names (planning 100k users here would take ~15 s).
 */
function scaledPlan(template: Plan, counts: Readonly<Record<string, number>>): Plan {
  const changes: Change[] = [];
  const operations: Operation[] = [];
  for (const change of template.changes) {
    const prefix = change.key.replace(/\d+@.*$/, '');
    const n = counts[prefix] ?? 1;
    for (let i = 0; i < n; i++) changes.push({ ...change, key: n === 1 ? change.key : name(prefix, i) });
  }
  for (const op of template.operations) {
    const prefix = op.rows[0]?.key.replace(/\d+@.*$/, '') ?? '';
    const batches = Math.ceil((counts[prefix] ?? 1) / 500);
    for (let b = 0; b < batches; b++) operations.push({ ...op, id: `op-${String(operations.length + 1).padStart(3, '0')}`, depends_on: [] });
  }
  const by = (action: ChangeAction): number => changes.filter((c) => c.action === action).length;
  const summary = { ...template.summary, create: by('create'), update: by('update'), deactivate: by('deactivate'), api_calls: operations.length };
  return { ...template, changes, operations, summary };
}

describe('PR comment: 100,000 changes', () => {
  const custom = { desired: [desiredUser('custom.admin@veepharm.com', { memberships: [{ vault_id: 3003, active: true, security_profile: 'rim_admin__c', license_type: 'full__v', apps: {} }] })], live: [liveUser('custom.admin@veepharm.com', 9, { memberships: [{ vault_id: 3003, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: {} }] })] };
  const template = planFor({ creates: 1, profileMoves: 1, adminGrants: 1, deactivations: 1, extra: custom });
  const plan = scaledPlan(template, { new: 90_000, move: 9_650, boss: 150, gone: 199 });

  it('stays under GitHub limit, lists every risky user, counts the bulk and names each cut with the plan link', () => {
    expect(plan.changes).toHaveLength(100_000);
    const url = 'https://github.com/acme/roster/actions/runs/42';
    const md = renderPlan(plan, 'markdown', { color: false, plan_url: url });
    expect(md.length).toBeLessThan(GITHUB_LIMIT);
    expect(md.split('\n')[0]).toBe(MARKDOWN_MARKER);
    const keys = riskyKeys(plan);
    expect(keys).toHaveLength(350);
    const risks = md.slice(0, md.indexOf('### Bulk changes'));
    for (const key of keys) expect(risks).toContain(`\`${key}\``);
    expect(risks).toContain('custom.admin@veepharm.com');
    expect(risks).not.toContain('not listed here');
    expect(md).toContain('| 90,000 | create in vault `3003`');
    expect(md).toContain('| 9,650 | update `vault 3003 › security_profile`: `"document_user__v"` → `"read_only_user__v"` |');
    const cutHere = /✂️ \*\*([\d,]+) of 90,000 users cut here\*\*/.exec(md)?.[1];
    expect(cutHere).toBeDefined();
    expect(md).toContain(`Create users: ${cutHere ?? ''} of 90,000 not shown`);
    expect(md).toContain(`Everything is in [the full plan](${url})`);
    expect(md.match(/<details>/g)?.length).toBe(md.match(/<\/details>/g)?.length);
  });

  it('falls back to a denser risk form rather than cut a risk, and says so only when not even that fits', () => {
    const plan = scaledPlan(template, { new: 5_000, move: 500, boss: 150, gone: 199 });
    const tight = renderPlan(plan, 'markdown', { color: false, max_markdown_chars: 20_000 });
    expect(tight.length).toBeLessThanOrEqual(20_000);
    expect(tight).toContain('(grouped: every user listed)');
    for (const key of riskyKeys(plan)) expect(tight).toContain(`\`${key}\``);
    const tiny = renderPlan(plan, 'markdown', { color: false, max_markdown_chars: 8_000, artifact_hint: 'plan.json' });
    expect(tiny.length).toBeLessThanOrEqual(8_000);
    expect(tiny).toMatch(/\*\*[\d,]+ of 350 risky changes are not listed here\*\*: too many to fit in one comment\. Review them in the plan file `plan\.json`/);
    expect(tiny).toMatch(/risky changes: [\d,]+ of 350 not shown/);
  });
});

describe('PR comment: risk detection', () => {
  it('flags a custom admin profile by its name, Domain Admin, security policy, reactivation and licence upgrades', () => {
    const m = (profile: string, license: 'full__v' | 'read_only__v', app: 'full__v' | 'read_only__v') => [{ vault_id: 3003, active: true, security_profile: profile, license_type: license, apps: { rimReg_v: { active: true, license_type: app } } }];
    const plan = planOf(
      desiredState({
        users: [
          ADMIN_DESIRED,
          desiredUser('a@veepharm.com', { memberships: m('qa_owner__c', 'full__v', 'full__v') }),
          desiredUser('b@veepharm.com', { domain_admin: true }),
          desiredUser('c@veepharm.com', { security_policy: '822' }),
          desiredUser('d@veepharm.com', { memberships: m('document_user__v', 'full__v', 'full__v') }),
          desiredUser('e@veepharm.com', { memberships: m('reviewer__c', 'full__v', 'full__v') }),
        ],
      }),
      liveState({
        users: [
          ADMIN,
          liveUser('a@veepharm.com', 10),
          liveUser('b@veepharm.com', 11),
          liveUser('c@veepharm.com', 12),
          liveUser('d@veepharm.com', 13, { memberships: m('document_user__v', 'read_only__v', 'read_only__v') }),
          liveUser('e@veepharm.com', 14),
        ],
      }),
    );
    const md = renderPlan(plan, 'markdown', { color: false });
    expect(md).toContain('| 🔴 Domain Admin granted | `b@veepharm.com` | domain | `false` → `true` |');
    expect(md).toContain('| 🔴 admin profile granted | `a@veepharm.com` | vault 3003 | `"document_user__v"` → `"qa_owner__c"` |');
    expect(md).toContain('| 🟠 security policy changed | `c@veepharm.com` | domain | `"821"` → `"822"` |');
    expect(md).toContain('| 🟡 licence upgraded | `d@veepharm.com` | vault 3003 | `"read_only__v"` → `"full__v"` |');
    expect(md).toContain('| 🟡 licence upgraded | `d@veepharm.com` | vault 3003 › app rimReg_v | `read_only__v` → `full__v` |');
    // A custom profile without admin or owner in its name is a plain profile change (bulk view).
    // (The unknown custom profile still gets its own diagnostic; only the risk list is checked here.)
    const risksStart = md.indexOf('### ⚠️ Risky changes');
    const risksEnd = Math.min(...['\n> [!', '### Bulk changes'].map((mark) => md.indexOf(mark, risksStart)).filter((i) => i > 0));
    expect(risksStart).toBeGreaterThan(0);
    expect(md.slice(risksStart, risksEnd)).toContain('a@veepharm.com');
    expect(md.slice(risksStart, risksEnd)).not.toContain('e@veepharm.com');
    expect(md.indexOf('Domain Admin granted |')).toBeLessThan(md.indexOf('admin profile granted |'));
    expect(md.indexOf('admin profile granted |')).toBeLessThan(md.indexOf('security policy changed |'));
    expect(md.indexOf('security policy changed |')).toBeLessThan(md.indexOf('licence upgraded |'));
  });

  it('shows unmanaged-user warnings outside any collapsed section', () => {
    const plan = planOf(desiredState({ users: [ADMIN_DESIRED] }), liveState({ users: [ADMIN, liveUser('ghost@veepharm.com', 7)] }));
    const md = renderPlan(plan, 'markdown', { color: false });
    const at = md.indexOf('**unmanaged-users**');
    expect(at).toBeGreaterThan(0);
    const before = md.slice(0, at);
    expect(before.split('<details>').length).toBe(before.split('</details>').length);
  });
});
