import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/index.js';
import { MARKDOWN_MARKER, renderPlan, summaryLine } from '../../src/render/index.js';
import { ADMIN, ADMIN_DESIRED, desiredState, desiredUser, expectValidPlan, liveState, planOf } from '../plan/fixtures.js';
import { goldenPlan } from './fixture.js';

/** Compares with test/render/golden/<name>; UPDATE_GOLDEN=1 rewrites the file instead. */
function expectGolden(name: string, actual: string): void {
  const path = fileURLToPath(new URL(`./golden/${name}`, import.meta.url));
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('views: golden files', () => {
  const plan = goldenPlan();

  it('the fixture plan is valid and covers every action', () => {
    expectValidPlan(plan);
    expect(new Set(plan.changes.map((c) => c.action))).toEqual(
      new Set(['create', 'promote', 'update', 'reactivate', 'deactivate', 'sitevault_create', 'sitevault_edit']),
    );
    expect(plan.diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('guard-'))).toBe(true);
  });

  it.each([
    ['text', 'plan.txt'],
    ['json', 'plan.json'],
    ['markdown', 'plan.md'],
  ] as const)('%s view matches %s', (format, file) => {
    expectGolden(file, renderPlan(plan, format, { color: false, artifact_hint: 'plan.json' }));
  });

  it('renders the same output twice (stable)', () => {
    expect(renderPlan(goldenPlan(), 'markdown', { color: false })).toBe(renderPlan(plan, 'markdown', { color: false }));
  });
});

describe('views agree', () => {
  const plan = goldenPlan();

  it('text and Markdown print the one summary line; JSON holds the same counts', () => {
    const line = summaryLine(plan);
    expect(line).toBe('Plan: 1 to create, 2 to update, 1 to reactivate, 1 to deactivate, 1 to promote, 3 SiteVault changes; 12 API calls.');
    expect(renderPlan(plan, 'text', { color: false })).toContain(line);
    expect(renderPlan(plan, 'markdown', { color: false })).toContain(line);
    const json = JSON.parse(renderPlan(plan, 'json', { color: false })) as Plan;
    expect(json).toEqual(JSON.parse(JSON.stringify(plan)));
    expect(json.summary.api_calls).toBe(12);
  });

  it('colours the text view only when asked', () => {
    expect(renderPlan(plan, 'text', { color: false })).not.toContain('\u001b[');
    const colored = renderPlan(plan, 'text', { color: true });
    expect(colored).toContain('\u001b[32m+\u001b[0m');
    expect(colored).toContain('\u001b[31m-\u001b[0m');
  });

  it.each([
    ['+', 'amy.new@veepharm.com  create'],
    ['^', 'olivia.rue@veepharm.com  promote from Clinical person V0B00000000D001'],
    ['~', 'bob.change@veepharm.com  update'],
    ['~', 'carl.back@veepharm.com  reactivate'],
    ['-', 'dora.leaving@veepharm.com  deactivate'],
    ['+', 'jerry.cotter@company.com  create SiteVault person'],
  ])('text marks %s %s', (symbol, rest) => {
    expect(renderPlan(plan, 'text', { color: false })).toContain(`  ${symbol} ${rest}`);
  });

  it('says so when there is nothing to do', () => {
    const empty = planOf(desiredState({ users: [ADMIN_DESIRED] }), liveState({ users: [ADMIN] }));
    expect(renderPlan(empty, 'text', { color: false })).toContain('No changes. Vault matches the desired state.');
    expect(renderPlan(empty, 'markdown', { color: false })).toContain('No changes. Vault matches the desired state.');
  });

  it('does not claim a match when a declared user is held back', () => {
    const orphan = desiredUser('orphan@veepharm.com', { promote_from_person: 'V0B0000000MISSING' });
    const held = planOf(desiredState({ users: [ADMIN_DESIRED, orphan] }), liveState({ users: [ADMIN] }));
    expect(held.diagnostics.map((d) => d.code)).toContain('promote-person-not-found');
    for (const format of ['text', 'markdown'] as const) {
      const out = renderPlan(held, format, { color: false });
      expect(out).toContain('No changes can be made, yet Vault does not match the desired state (1 diagnostic says why).');
      expect(out).not.toContain('Vault matches the desired state');
    }
  });
});

describe('Markdown size budget', () => {
  const many = planOf(
    desiredState({ users: [ADMIN_DESIRED, ...Array.from({ length: 3000 }, (_, i) => desiredUser(`user${String(i).padStart(4, '0')}@veepharm.com`, { domain_admin: i % 2 === 0 }))] }),
    liveState({ users: [ADMIN] }),
  );

  it.each([5_000, 20_000, 60_000])('stays within %i characters and names what it cut and where the full plan is', (max) => {
    const md = renderPlan(many, 'markdown', { color: false, max_markdown_chars: max, artifact_hint: 'plan.json' });
    expect(md.length).toBeLessThanOrEqual(max);
    expect(md.split('\n')[0]).toBe(MARKDOWN_MARKER);
    expect(md).toContain("**Cut to stay under GitHub's comment size limit**");
    expect(md).toContain('Everything is in the plan file `plan.json` (saved with `--out`).');
    expect(md.match(/<details>/g)?.length).toBe(md.match(/<\/details>/g)?.length);
    expect(md).toMatch(/Create users: [\d,]+ of 3,000 not shown/);
    expect(md).toMatch(/✂️ \*\*[\d,]+ of 3,000 users cut here\*\*/);
  });

  it('defaults to 60,000 characters and keeps the summary, every admin grant and the bulk view above the cut', () => {
    const md = renderPlan(many, 'markdown', { color: false });
    expect(md.length).toBeLessThanOrEqual(60_000);
    // Sections that need less than their share pass the rest on: the budget is used, not wasted.
    expect(md.length).toBeGreaterThan(55_000);
    expect(md.indexOf('| Create |')).toBeLessThan(md.indexOf('### ⚠️ Risky changes'));
    expect(md.indexOf('### ⚠️ Risky changes')).toBeLessThan(md.indexOf('### Bulk changes'));
    expect(md.indexOf('### Bulk changes')).toBeLessThan(md.indexOf('✂️'));
    for (let i = 0; i < 3000; i += 2) expect(md).toContain(`\`user${String(i).padStart(4, '0')}@veepharm.com\``);
    expect(md).toContain('| 1,500 | create in vault `3003` as `document_user__v` `full__v`, app `rimReg_v` `full__v`; Domain Admin |');
    expect(md).toContain('All of them are in the full plan, which this run did not save (run `vault-roster plan --out plan.json` locally).');
  });

  it('links the full plan when given a URL, with characters that could end the link encoded', () => {
    const md = renderPlan(many, 'markdown', { color: false, max_markdown_chars: 20_000, plan_url: 'https://ci.example.com/runs/1?a=(b)&c=<d>' });
    expect(md).toContain('Everything is in [the full plan](https://ci.example.com/runs/1?a=%28b%29&c=%3Cd%3E).');
  });

  it('cuts a flood of diagnostics to its share, says how many, and keeps the risks above them', () => {
    const golden = goldenPlan();
    const error = golden.diagnostics.find((d) => d.severity === 'error');
    expect(error).toBeDefined();
    const flood = Array.from({ length: 5_000 }, (_, i) => ({ ...error!, summary: `problem number ${i} <b>|</b>` }));
    const md = renderPlan({ ...golden, diagnostics: flood.concat(golden.diagnostics) }, 'markdown', { color: false });
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md).toMatch(/> - …and [\d,]+ more; they are in the full plan, which this run did not save/);
    expect(md).toMatch(/errors: [\d,]+ of 5,002 not shown/);
    expect(md).toContain('problem number 0 &lt;b&gt;&#124;&lt;/b&gt;');
    expect(md.indexOf('### ⚠️ Risky changes')).toBeLessThan(md.indexOf('[!CAUTION]'));
    expect(md).toContain('**unmanaged-users**');
  });

  it('does not truncate a plan that fits', () => {
    expect(renderPlan(goldenPlan(), 'markdown', { color: false })).not.toContain('Cut to stay');
  });
});
