/**
 * How SiteVault assignments and Clinical promotions read in the terminal and in the PR comment:
 * who gets which org / site / study role and add-ons, which access is removed, and which
 * Clinical person becomes which user. Line-level assertions say what matters; the golden files
 * in test/fixtures/sitevault/ pin the whole layout (UPDATE_GOLDEN=1 rewrites them).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/index.js';
import { renderPlan } from '../../src/render/index.js';
import { appliedPerson, desiredState, desiredUser, liveState, planOf, sitevaultPerson } from '../plan/fixtures.js';

const ORG = 'V42000000001001';

function sitevaultAndPromotionPlan(refresh = false): Plan {
  const ann = sitevaultPerson('ann.new@site.example', {
    first_name: 'Ann',
    last_name: 'New',
    investigator: true,
    org: { org_id: ORG, role: 'org_admin__v', addons: ['org_patients__v'] },
    sites: [
      { site_usn: 'US-CA-0002', role: 'study_team__v', addons: [] },
      { site_usn: 'US-NC-0001', role: 'regulatory__v', addons: ['site_budgets__v', 'site_profiles__v'] },
    ],
    studies: [{ study_id: 'V0S000000001001', role: 'principal_investigator__v' }],
  });
  const bea = sitevaultPerson('bea.addon@site.example', { first_name: 'Bea', sites: [{ site_usn: 'US-NC-0001', role: 'regulatory__v', addons: ['site_budgets__v', 'site_patients__v'] }] });
  const cal = sitevaultPerson('cal.moves@site.example', { first_name: 'Cal', sites: [{ site_usn: 'US-NC-0001', role: 'regulatory__v', addons: ['site_budgets__v'] }] });
  const calBefore = { ...cal, sites: [...cal.sites, { site_usn: 'US-CA-0002', role: 'study_team__v', addons: ['site_patients__v'] }] };
  const desired = desiredState({
    users: [
      desiredUser('olivia.rue@veepharm.com', { first_name: 'Olivia', last_name: 'Rue', promote_from_person: 'V0B00000000D001' }),
      desiredUser('paul.taken@veepharm.com', { first_name: 'Paul', promote_from_person: 'V0B00000000D002' }),
    ],
    sitevault: [ann, bea, cal],
  });
  const live = liveState({
    persons: [
      { id: 'V0B00000000D001', email: 'olivia.rue@veepharm.com', first_name: 'Olivia', last_name: 'Rue', user_id: null },
      { id: 'V0B00000000D002', email: 'paul@veepharm.com', first_name: 'Paul', last_name: 'Taken', user_id: '40' },
    ],
    sitevault: [
      appliedPerson(sitevaultPerson('bea.addon@site.example', { first_name: 'Bea' }), 'V0B000000001002'),
      appliedPerson(calBefore, 'V0B000000001003'),
      appliedPerson(sitevaultPerson('dan.gone@site.example', { first_name: 'Dan' }), 'V0B000000001004'),
    ],
  });
  return planOf(desired, live, { refresh_sitevault: refresh });
}

/** Compares with test/fixtures/sitevault/<name>; UPDATE_GOLDEN=1 rewrites the file instead. */
function golden(name: string, actual: string): void {
  const path = fileURLToPath(new URL(`../fixtures/sitevault/${name}`, import.meta.url));
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/** The block of lines of one change: its header line up to the next change or section. */
function block(text: string, header: RegExp): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => header.test(l));
  expect(start, `no line matches ${String(header)}`).toBeGreaterThanOrEqual(0);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => !/^ {4,}/.test(l));
  return [lines[start] ?? '', ...rest.slice(0, end < 0 ? undefined : end)].map((l) => l.trimEnd());
}

describe('SiteVault and promotion views', () => {
  const plan = sitevaultAndPromotionPlan();
  const text = renderPlan(plan, 'text', { color: false });
  const markdown = renderPlan(plan, 'markdown', { color: false });

  it('text: a new person with every org, site and study role and add-on', () => {
    expect(block(text, /^ {2}\+ ann\.new@site\.example /)).toEqual([
      '  + ann.new@site.example  create SiteVault person  [admin]',
      '      not in the state file; declared in sitevault/staff.yaml:2',
      '      first_name                    "Ann"',
      '      last_name                     "New"',
      '      security_policy               "VeevaID"',
      '      person_type                   "staff__v"',
      '      is_investigator               true',
      `      org › org_id                  "${ORG}"`,
      '      org › role                    "org_admin__v"',
      '      org › addons                  [org_patients__v]',
      '      site US-CA-0002 › role        "study_team__v"',
      '      site US-CA-0002 › addons      (none)',
      '      site US-NC-0001 › role        "regulatory__v"',
      '      site US-NC-0001 › addons      [site_budgets__v, site_profiles__v]',
      '      study V0S000000001001 › role  "principal_investigator__v"',
    ]);
  });

  it('text: an add-on change, a removed site and a removed person, each before → after', () => {
    expect(block(text, /^ {2}~ bea\.addon@site\.example /)).toEqual([
      '  ~ bea.addon@site.example  edit SiteVault assignments',
      '      assignments differ from sitevault/staff.yaml:2 (compared with the state file)',
      '      site US-NC-0001 › addons  [site_budgets__v] → [site_budgets__v, site_patients__v]',
    ]);
    expect(block(text, /^ {2}~ cal\.moves@site\.example /)).toEqual([
      '  ~ cal.moves@site.example  edit SiteVault assignments  [deactivation]',
      '      assignments differ from sitevault/staff.yaml:2 (compared with the state file)',
      '      site US-CA-0002 › role    "study_team__v" → "no_access__v"',
      '      site US-CA-0002 › addons  [site_patients__v] → (none)',
    ]);
    expect(block(text, /^ {2}~ dan\.gone@site\.example /)).toEqual([
      '  ~ dan.gone@site.example  edit SiteVault assignments  [deactivation]',
      '      removed from YAML: org and site access revoked with the no-access roles',
      '      org › role                "org_full__v" → "org_no_access__v"',
      '      site US-NC-0001 › role    "regulatory__v" → "no_access__v"',
      '      site US-NC-0001 › addons  [site_budgets__v] → (none)',
    ]);
  });

  it('text: which person becomes which user, and why the other is not promoted', () => {
    expect(text).toContain('  ^ olivia.rue@veepharm.com  promote from Clinical person V0B00000000D001\n      not in Vault; promoted from Clinical person V0B00000000D001 (users/team.yaml:3)\n');
    expect(text).toContain(
      'users/team.yaml:3:5: warning [promote-person-has-user] Clinical person V0B00000000D002 already has a user (40), so paul.taken@veepharm.com is not promoted',
    );
    expect(text).toContain('info [sitevault-state-only] SiteVault has no read API: its drift is only visible through the last-applied state file');
    expect(text).toMatch(/op-001 {2}POST \/app\/clinical\/persons\/actions\/promote_to_user {2}promote, 1 row\n/);
    expect(text).toContain('PUT /app/sitevault/useradmin/persons/V0B000000001003  sitevault_edit, 1 row');
    expect(text).toContain('Plan: 0 to create, 0 to update, 0 to deactivate, 1 to promote, 4 SiteVault changes;');
  });

  it('markdown: one line per assignment, removals and the person → user mapping', () => {
    expect(markdown).toContain('<details><summary><strong>Create SiteVault persons (1 person)</strong></summary>');
    expect(markdown).toContain(
      [
        '- `ann.new@site.example` — not in the state file; declared in sitevault/staff.yaml:2 ⚠️ admin',
        '  - `first_name`: `"Ann"`',
        '  - `last_name`: `"New"`',
        '  - `security_policy`: `"VeevaID"`',
        '  - `person_type`: `"staff__v"`',
        '  - `is_investigator`: `true`',
        `  - \`org ${ORG}\`: role \`"org_admin__v"\`, add-ons \`[org_patients__v]\``,
        '  - `site US-CA-0002`: role `"study_team__v"`, add-ons `(none)`',
        '  - `site US-NC-0001`: role `"regulatory__v"`, add-ons `[site_budgets__v, site_profiles__v]`',
        '  - `study V0S000000001001`: role `"principal_investigator__v"`',
      ].join('\n'),
    );
    expect(markdown).toContain('<details><summary><strong>Edit SiteVault assignments (3 persons)</strong></summary>');
    expect(markdown).toContain('  - `site US-NC-0001`: add-ons `[site_budgets__v]` → `[site_budgets__v, site_patients__v]`');
    expect(markdown).toContain(
      '- `cal.moves@site.example` — assignments differ from sitevault/staff.yaml:2 (compared with the state file) ⚠️ deactivation\n  - `site US-CA-0002`: role `"study_team__v"` → `"no_access__v"`, add-ons `[site_patients__v]` → `(none)`',
    );
    expect(markdown).toContain(
      '- `dan.gone@site.example` — removed from YAML: org and site access revoked with the no-access roles ⚠️ deactivation\n  - `org`: role `"org_full__v"` → `"org_no_access__v"`\n  - `site US-NC-0001`: role `"regulatory__v"` → `"no_access__v"`, add-ons `[site_budgets__v]` → `(none)`',
    );
    expect(markdown).toContain('| 🟠 access removed | `cal.moves@site.example` | site US-CA-0002 | `"study_team__v"` → `"no_access__v"` |');
    expect(markdown).toContain('<details><summary><strong>Promote Clinical persons to users (1 user)</strong></summary>');
    expect(markdown).toContain('- person `V0B00000000D001` → user `olivia.rue@veepharm.com` — not in Vault; promoted from Clinical person V0B00000000D001 (users/team.yaml:3)');
    expect(markdown).toContain('`promote_from_person`: Clinical person V0B00000000D002 already has a user (40), so paul.taken@veepharm.com is not promoted');
    expect(markdown).toContain('| op-001 | `POST /app/clinical/persons/actions/promote_to_user` | promote | 1 |  |');
  });

  it('refresh: every managed person is shown as re-sent, with nothing else changed', () => {
    const refreshed = renderPlan(sitevaultAndPromotionPlan(true), 'text', { color: false });
    expect(block(refreshed, /^ {2}~ cal\.moves@site\.example /)[1]).toBe('      assignments differ from sitevault/staff.yaml:2 (compared with the state file)');
    const unchanged = renderPlan(
      planOf(desiredState({ sitevault: [sitevaultPerson('bea@site.example')] }), liveState({ sitevault: [appliedPerson(sitevaultPerson('bea@site.example'), 'V0B000000001009')] }), { refresh_sitevault: true }),
      'markdown',
      { color: false },
    );
    expect(unchanged).toContain('- `bea@site.example` — refresh: re-sending every assignment (sitevault/staff.yaml:2)\n');
    expect(unchanged).toContain('| op-001 | `PUT /app/sitevault/useradmin/persons/V0B000000001009` | sitevault_edit | 1 |  |');
  });

  it('golden: the whole text and Markdown views', () => {
    golden('plan.txt', text);
    golden('plan.md', markdown);
  });
});
