import { describe, expect, it } from 'vitest';
import { renderPlan } from '../../src/render/index.js';
import { ADMIN, ADMIN_DESIRED, desiredGroup, desiredState, desiredUser, liveGroup, liveState, liveUser, planOf } from '../plan/fixtures.js';

const KATE = 'kate@veepharm.com';
const BOB = 'bob@veepharm.com';
const NEW = 'new.hire@veepharm.com';

/** One new group with two members, one admin group gaining a member, one group losing its last member. */
function groupPlan() {
  const desired = desiredState({
    users: [ADMIN_DESIRED, desiredUser(KATE), desiredUser(BOB), desiredUser(NEW)],
    groups: [
      desiredGroup('Cholecap Team', [KATE, NEW], { description: 'Brand team' }),
      desiredGroup('Vault Admins Club', [BOB], { security_profiles: ['system_admin__v'] }),
      desiredGroup('Retired', []),
    ],
  });
  const live = liveState({
    users: [ADMIN, liveUser(KATE, 25001), liveUser(BOB, 25002)],
    groups: [liveGroup('Vault Admins Club', 901, [], { security_profiles: ['system_admin__v'] }), liveGroup('Retired', 902, [25001], { implied_members: [25002] })],
  });
  return planOf(desired, live);
}

const OPTIONS = { color: false, max_markdown_chars: 60_000 } as const;

describe('group changes in the views', () => {
  it('text: a Groups section per group, values then one line per member, and the counts in the summary line', () => {
    const text = renderPlan(groupPlan(), 'text', OPTIONS);
    const groups = text.slice(text.indexOf('\nGroups:'), text.indexOf('\nLicence seats'));
    expect(groups).toBe(
      [
        '',
        'Groups:',
        '  + cholecap team  create group',
        '      declared in groups/teams.yaml:2 (+2 members)',
        '      label        "Cholecap Team"',
        '      description  "Brand team"',
        `      + member ${KATE}`,
        `      + member ${NEW}`,
        '  ~ retired  update group  [last_member]',
        '      declared in groups/teams.yaml:2: −1; 1 implied through security profiles (not managed)',
        `      - member ${KATE}`,
        '  ~ vault admins club  update group  [admin]',
        '      declared in groups/teams.yaml:2: +1 member',
        `      + member ${BOB}`,
        '',
      ].join('\n'),
    );
    expect(text).toContain('3 group changes (+3 / −1 members)');
    expect(text).toMatch(/op-00\d {2}PUT \/objects\/groups\/\{new group id\} \(members__v=add \(…\)\) {2}add members, 1 row {2}after op-001, op-00\d/);
  });

  it('markdown: risks first (an admin-group member, an emptied group), counts in the table, members listed per group', () => {
    const md = renderPlan(groupPlan(), 'markdown', OPTIONS);
    expect(md).toContain('| Groups create | Groups update | Groups deactivate | Members + | Members − |');
    const risks = md.slice(0, md.indexOf('### Bulk changes'));
    expect(risks).toContain('joins a group with an admin profile');
    expect(risks).toContain(BOB);
    expect(risks).toContain("group's last member removed");
    expect(md).toContain(`  - members added (2): \`${KATE}\`, \`${NEW}\``);
    expect(md).toContain(`  - members removed (1): \`${KATE}\``);
    expect(md).toContain('| 2 | add to group `cholecap team` |');
  });

  it('json: the group operations and summary are in the document', () => {
    const json = JSON.parse(renderPlan(groupPlan(), 'json', OPTIONS)) as { summary: { groups: unknown }; operations: { kind: string }[] };
    expect(json.summary.groups).toEqual({ create: 1, update: 2, deactivate: 0, members_added: 3, members_removed: 1, unchanged: 0, unmanaged: 0 });
    expect(json.operations.map((o) => o.kind)).toEqual(['create_users', 'create_group', 'add_group_members', 'add_group_members', 'remove_group_members']);
  });
});
