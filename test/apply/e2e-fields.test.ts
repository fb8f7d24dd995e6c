// examples/full end to end over HTTP: plan --out, apply the saved plan, re-plan shows no
// changes, and the simulator's state equals the desired state field by field.
import { describe, expect, it } from 'vitest';
import type { DesiredSiteVaultPerson } from '../../src/model.js';
import type { SeedSiteVaultPerson } from '../../src/simulator/index.js';
import { startRosterFixture } from '../helpers/roster.js';
import { actualUserView, duplicateUserNames, expectedUserView, journalFiles, journalRun, readJournal } from './support.js';

const sorted = (values: readonly string[] | undefined): string[] => [...(values ?? [])].sort();

function expectedPerson(p: DesiredSiteVaultPerson): Record<string, unknown> {
  return {
    first_name: p.first_name,
    last_name: p.last_name,
    security_policy_id: p.security_policy,
    person_type: p.person_type,
    is_investigator: p.investigator,
    ...(p.username === undefined ? {} : { username: p.username }),
    ...(p.language === undefined ? {} : { language: p.language }),
    record_status: 'active__v',
    org: { org_id: p.org.org_id, role: p.org.role, addons: sorted(p.org.addons) },
    sites: p.sites.map((s) => ({ usn: s.site_usn, role: s.role, addons: sorted(s.addons) })),
    studies: p.studies.map((s) => ({ id: s.study_id, role: s.role })),
  };
}

function actualPerson(p: SeedSiteVaultPerson, wanted: DesiredSiteVaultPerson): Record<string, unknown> {
  return {
    first_name: p.first_name,
    last_name: p.last_name,
    security_policy_id: p.security_policy_id,
    person_type: p.person_type,
    is_investigator: p.is_investigator,
    ...(wanted.username === undefined ? {} : { username: p.username }),
    ...(wanted.language === undefined ? {} : { language: p.language }),
    record_status: p.record_status,
    org: p.org_assignment ? { org_id: p.org_assignment.org_id, role: p.org_assignment.system_role_id, addons: sorted(p.org_assignment.addons) } : null,
    sites: [...(p.site_assignments ?? [])]
      .sort((a, b) => a.site_usn.localeCompare(b.site_usn))
      .map((s) => ({ usn: s.site_usn, role: s.system_role_id, addons: sorted(s.addons) })),
    studies: [...(p.study_assignments ?? [])].sort((a, b) => a.id.localeCompare(b.id)).map((s) => ({ id: s.id, role: s.study_role })),
  };
}

describe('examples/full: plan, apply the saved plan, converge', () => {
  it('leaves Vault equal to the YAML for every user and SiteVault person', async () => {
    const fx = await startRosterFixture();
    const planned = await fx.run(['plan', '--out', 'plan.json', '--detailed-exitcode']);
    expect(planned.code, planned.stderr).toBe(2);

    const applied = await fx.run(['apply', 'plan.json', '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/^Apply complete: created \d+, updated \d+, deactivated 0, promoted 1, SiteVault changes 7(, group changes \d+)?, failed 0\.$/m);

    const replanned = await fx.run(['plan', '--detailed-exitcode']);
    expect(replanned.code, replanned.stdout).toBe(0);
    expect(replanned.stdout).toContain('No changes.');

    const desired = await fx.desired();
    const dump = fx.sim.dump();
    const users = dump.users ?? [];
    expect(duplicateUserNames(users)).toEqual([]);
    const byName = new Map(users.map((u) => [u.user_name__v.toLowerCase(), u]));
    const missing = desired.users.filter((u) => !byName.has(u.user_name)).map((u) => u.user_name);
    expect(missing).toEqual([]);
    // One object per user so a mismatch names the user and the field.
    const expected = Object.fromEntries(desired.users.map((u) => [u.user_name, expectedUserView(u)]));
    const actual = Object.fromEntries(
      desired.users.flatMap((u) => {
        const live = byName.get(u.user_name);
        return live === undefined ? [] : [[u.user_name, actualUserView(live, u)]];
      }),
    );
    expect(actual).toEqual(expected);
    // The comparison is not vacuous: every declared user has names, a policy and memberships.
    expect(Object.keys(expected)).toHaveLength(desired.users.length);
    expect(desired.users.length).toBeGreaterThan(40);

    const maria = byName.get('maria.lopez@veepharm.com');
    expect(maria?.source_person_id__v).toBe('V0B000000000001');

    const persons = dump.sitevault?.persons ?? [];
    const personsByEmail = new Map(persons.map((p) => [p.email.toLowerCase(), p]));
    expect(desired.sitevault.length).toBe(7);
    const expectedPersons = Object.fromEntries(desired.sitevault.map((p) => [p.email, expectedPerson(p)]));
    const actualPersons = Object.fromEntries(
      desired.sitevault.map((p) => {
        const live = personsByEmail.get(p.email);
        return [p.email, live === undefined ? null : actualPerson(live, p)];
      }),
    );
    expect(actualPersons).toEqual(expectedPersons);
    // SiteVault identity is the email: nobody was created twice.
    expect(persons.length).toBe(new Set(persons.map((p) => p.email.toLowerCase())).size);

    // The journal of the run is complete: every batch finished, the run finished.
    const [journal] = journalFiles(fx.dir);
    expect(journal).toBeDefined();
    const run = journalRun(readJournal(journal ?? ''), 0);
    const started = run.filter((e) => e.type === 'batch_started').map((e) => e.op_id);
    const finished = run.filter((e) => e.type === 'batch_finished').map((e) => e.op_id);
    expect(finished.sort()).toEqual(started.sort());
    expect(run.at(-1)?.type).toBe('run_finished');
  });
});
