/**
 * Clinical Person → User promotions end to end: the CLI (in-process) plans and applies against
 * the simulator over HTTP; the outcome is read back the way Vault allows (VQL on person__sys,
 * Retrieve User). Persons that cannot be promoted are plan diagnostics, never a failed apply.
 */
import { isWrite } from '../helpers/simulator.js';
import { describe, expect, it } from 'vitest';
import { defaultSeed, type SimulatorSeed } from '../../src/simulator/index.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { adminSession } from '../helpers/simulator.js';
import { planJson, writeRepo } from '../sitevault/repo.js';

const CLINICAL_DNS = 'veepharm-clinical.veevavault.com';

/** Default domain; person 2 (Kenji Watanabe) is already linked to user 25002. */
function seed(): SimulatorSeed {
  const base = defaultSeed();
  return {
    ...base,
    users: [
      ...(base.users ?? []),
      {
        id: 25002,
        user_name__v: 'k.watanabe@veepharm.com',
        user_first_name__v: 'Kenji',
        user_last_name__v: 'Watanabe',
        user_email__v: 'kenji.watanabe@veepharm.com',
        user_timezone__v: 'America/New_York',
        user_locale__v: 'en_US',
        user_language__v: 'en',
        security_policy_id__v: '821',
        license_type__v: 'full__v',
        domain_active__v: true,
        vault_membership: [{ vault_id: 5005, active__v: true, security_profile__v: 'document_user__v', license_type__v: 'full__v' }],
      },
    ],
    clinical: {
      vault_id: 5005,
      persons: (base.clinical?.persons ?? []).map((p) => (p.id === 'V0B000000000002' ? { ...p, vault_user__sys: '25002' } : p)),
    },
    counters: { ...base.counters, next_user_id: 25003 },
  };
}

const USERS = `users:
  - user_name: maria.lopez@veepharm.com
    first_name: Maria
    last_name: Lopez
    email: maria.lopez@veepharm.com
    promote_from_person: V0B000000000001
    fields: { user_title__v: Clinical Trial Manager, company__v: VeePharm }
    memberships:
      - vault: 5005
        security_profile: business_admin__v
        apps: { ctms_v: full__v, etmf_v: read_only__v }
      - vault: 3003
        license_type: read_only__v
        security_profile: read_only_user__v

  - user_name: kenji.watanabe@veepharm.com
    first_name: Kenji
    last_name: Watanabe
    email: kenji.watanabe@veepharm.com
    promote_from_person: V0B000000000002

  - user_name: ghost@veepharm.com
    first_name: Ghost
    last_name: Person
    email: ghost@veepharm.com
    promote_from_person: V0B000000000099
`;

async function fixture(): Promise<RosterFixture> {
  const fx = await startRosterFixture({ seed: seed() });
  writeRepo(fx, { 'users/clinical.yaml': USERS });
  return fx;
}

async function api<T>(fx: RosterFixture, session: string, method: string, path: string, form?: Record<string, string>): Promise<T> {
  const response = await fetch(`${fx.sim.url}/api/v26.2${path}`, {
    method,
    headers: { Authorization: session, Accept: 'application/json' },
    ...(form === undefined ? {} : { body: new URLSearchParams(form) }),
  });
  return (await response.json()) as T;
}

describe('promote_from_person', () => {
  it('promotes a person without a user; a person with a user or no person at all is a diagnostic, not a failure', async () => {
    const fx = await fixture();
    const plan = await planJson(fx);
    expect(plan.changes.map((c) => [c.key, c.action])).toEqual([['maria.lopez@veepharm.com', 'promote']]);
    const diagnostics = plan.diagnostics.map((d) => [d.severity, d.code, d.subject?.user, d.position === undefined ? '' : `${d.position.file}:${d.position.line}:${d.position.col}`]);
    expect(diagnostics).toEqual([
      ['warning', 'promote-person-has-user', 'kenji.watanabe@veepharm.com', 'users/clinical.yaml:16:5'],
      ['warning', 'promote-person-not-found', 'ghost@veepharm.com', 'users/clinical.yaml:22:5'],
    ]);
    expect(plan.diagnostics.find((d) => d.code === 'promote-person-has-user')?.summary).toBe(
      'Clinical person V0B000000000002 already has a user (25002), so kenji.watanabe@veepharm.com is not promoted',
    );
    // Bulk promote call first, then the upserts that carry what promotion cannot set.
    const [promote, ...rest] = plan.operations;
    expect(promote).toMatchObject({ kind: 'promote_persons', call: 'POST /app/clinical/persons/actions/promote_to_user' });
    expect(promote?.rows).toEqual([
      {
        key: 'maria.lopez@veepharm.com',
        person_id: 'V0B000000000001',
        values: {
          first_name: 'Maria',
          last_name: 'Lopez',
          email: 'maria.lopez@veepharm.com',
          language: 'en',
          timezone: 'America/New_York',
          locale: 'en_US',
        },
        security_profile: 'business_admin__v',
        license_type: 'full__v',
      },
    ]);
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.map((op) => [op.kind, op.kind === 'upsert_users' ? op.match : '', op.depends_on.includes(promote?.id ?? '')])).toEqual(
      rest.map(() => ['upsert_users', 'user_name', true]),
    );

    fx.sim.clearRequestLog();
    const apply = await fx.run(['apply', '--auto-approve']);
    expect(apply.code, apply.stderr + apply.stdout).toBe(0);
    expect(apply.stdout).toMatch(/^Apply complete: created 0, updated 0, deactivated 0, promoted 1, SiteVault changes 0, failed 0\.$/m);
    // One promotion, then one upsert per vault, each keyed by the user name the promotion gave.
    const writes = fx.sim.requestLog().filter(isWrite);
    expect(writes.map((e) => [e.method, e.path, e.query, e.rows, e.status])).toEqual([
      ['POST', '/api/v26.2/app/clinical/persons/actions/promote_to_user', {}, 1, 'SUCCESS'],
      ['POST', '/api/v26.2/objects/users', { operation: 'upsert', idParam: 'user_name__v' }, 1, 'SUCCESS'],
      ['POST', '/api/v26.2/objects/users', { operation: 'upsert', idParam: 'user_name__v' }, 1, 'SUCCESS'],
    ]);

    const session = await adminSession(fx.sim, CLINICAL_DNS, 'v26.2');
    const vql = await api<{ responseStatus: string; data: { id: string; vault_user__sys: string | null }[] }>(fx, session, 'POST', '/query', {
      q: 'SELECT id, vault_user__sys FROM person__sys',
    });
    expect(vql.responseStatus).toBe('SUCCESS');
    const linked = Object.fromEntries(vql.data.map((p) => [p.id, p.vault_user__sys]));
    expect(linked.V0B000000000002).toBe('25002');
    expect(linked.V0B000000000003).toBeNull();
    const mariaId = linked.V0B000000000001;
    expect(mariaId).toMatch(/^\d+$/);

    interface UserView {
      user_name__v: string;
      user_title__v?: string;
      company__v?: string;
      security_policy_id__v?: string | number;
      vault_membership: { vault_id: number; active__v: boolean; security_profile__v: string; license_type__v: string }[];
      app_licensing: { vault_id: number; application_name: string; active__v: boolean; license_type__v: string }[];
    }
    const user = await api<{ responseStatus: string; users: { user: UserView }[] }>(fx, session, 'GET', `/objects/users/${mariaId ?? ''}?exclude_vault_membership=false&exclude_app_licensing=false`);
    expect(user.responseStatus).toBe('SUCCESS');
    const maria = user.users[0]?.user;
    expect(maria).toMatchObject({ user_name__v: 'maria.lopez@veepharm.com', user_title__v: 'Clinical Trial Manager', company__v: 'VeePharm' });
    expect(String(maria?.security_policy_id__v)).toBe('821');
    expect(maria?.vault_membership.map((m) => [m.vault_id, m.active__v, m.security_profile__v, m.license_type__v]).sort()).toEqual([
      [3003, true, 'read_only_user__v', 'read_only__v'],
      [5005, true, 'business_admin__v', 'full__v'],
    ]);
    expect(maria?.app_licensing.filter((a) => a.active__v).map((a) => [a.vault_id, a.application_name, a.license_type__v]).sort()).toEqual([
      [5005, 'ctms_v', 'full__v'],
      [5005, 'etmf_v', 'read_only__v'],
    ]);

    // The promoted user is now managed like any other: nothing more to do for it.
    const again = await planJson(fx);
    expect(again.changes).toEqual([]);
    expect(again.operations).toEqual([]);
    expect(again.diagnostics.map((d) => d.code)).toEqual(['promote-person-has-user', 'promote-person-not-found']);
  });

  it('validate refuses a promotion when api_version is below v26.2, at each promote_from_person key', async () => {
    const fx = await fixture();
    writeRepo(fx, { 'users/clinical.yaml': USERS }, 'v25.2');
    const run = await fx.run(['validate']);
    expect(run.code).toBe(1);
    const out = run.stdout + run.stderr;
    for (const at of ['users/clinical.yaml:6:5', 'users/clinical.yaml:20:5', 'users/clinical.yaml:26:5']) {
      expect(out).toMatch(new RegExp(`${at.replaceAll('.', '\\.')}: error \\[promotion-needs-api-version\\]`));
    }
    expect(out).toContain('promote_from_person needs API v26.2 or later, but roster.yaml sets v25.2 (user maria.lopez@veepharm.com)');
    expect(out).toContain('3 errors, 0 warnings');
    expect(fx.sim.requestLog()).toEqual([]);
  });
});
