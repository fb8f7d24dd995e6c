/** Grants expiring soon in the text plan and near the top of the PR comment, listed once. */
import { describe, expect, it } from 'vitest';
import type { DesiredUser } from '../../src/model.js';
import { renderPlan } from '../../src/render/index.js';
import type { Plan } from '../../src/plan/index.js';
import { desiredState, desiredUser, liveState, liveUser, planOf, ADMIN, ADMIN_DESIRED } from './fixtures.js';

const renderText = (plan: Plan): string => renderPlan(plan, 'text', { color: false });
const renderMarkdown = (plan: Plan): string => renderPlan(plan, 'markdown', { color: false });
const NAME = 'ann.lee@veepharm.com';
const AT = { file: 'users/team.yaml', line: 9, col: 9 } as const;

function planWith(user: DesiredUser, others: readonly DesiredUser[] = []) {
  const desired = desiredState({ users: [ADMIN_DESIRED, user, ...others] });
  return planOf(desired, liveState({ users: [ADMIN, liveUser(NAME, 42)] }));
}

const expiring = desiredUser(NAME, { membership_grants: [{ vault_id: 3003, valid_until: '2026-01-07', reason: 'audit CHG-7', source: AT }] });
const SUMMARY = `membership of vault 3003 of ${NAME} ends in 5 days (valid_until 2026-01-07); reason: audit CHG-7`;

describe('expiring soon in the views', () => {
  it('text: an "Expiring soon" section, and not again under Diagnostics', () => {
    const text = renderText(planWith(expiring));
    const lines = text.split('\n');
    const at = lines.indexOf('Expiring soon:');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toContain(SUMMARY);
    expect(text.split(SUMMARY).length - 1).toBe(1);
  });

  it('markdown: listed under the summary, before the notes and the change sections, with the line to edit', () => {
    // Many users created, so the comment has a long body the list must come before.
    const many = Array.from({ length: 40 }, (_, i) => desiredUser(`new.user${String(i).padStart(3, '0')}@veepharm.com`));
    const md = renderMarkdown(planWith(expiring, many));
    const item = `- ⏳ ${SUMMARY} — renew at \`users/team.yaml:9\``;
    expect(md).toContain(item);
    expect(md.split(SUMMARY).length - 1).toBe(1);
    // First screen: within the first 40 lines, above every collapsed section.
    const lines = md.split('\n');
    const index = lines.findIndex((l) => l.includes(SUMMARY));
    expect(index).toBeLessThan(40);
    expect(index).toBeLessThan(lines.findIndex((l) => l.startsWith('<details>')));
  });

  it('lists nothing when no grant ends soon', () => {
    const plan = planWith(desiredUser(NAME, { membership_grants: [{ vault_id: 3003, valid_until: '2026-03-01', source: AT }] }));
    expect(renderText(plan)).not.toContain('Expiring soon');
    expect(renderMarkdown(plan)).not.toContain('Expiring soon');
  });
});
