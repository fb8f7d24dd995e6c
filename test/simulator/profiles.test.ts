/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- contract tests assert on raw Vault JSON */
/**
 * Simulator profiles: each switch changes exactly the behaviour it names, over real HTTP.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSeed, humanSeedUser } from '../../src/simulator/default-state.js';
import {
  GROUP_PROFILES,
  PROFILES,
  ProfileError,
  READ_PROFILES,
  readProfileFile,
  resolveProfile,
  WRITE_PROFILES,
  type SimulatorOptions,
  type SimulatorSeed,
} from '../../src/simulator/index.js';
import { adminSession, startTestSimulator } from '../helpers/simulator.js';
import { runCliCaptured } from '../helpers/cli.js';
import { runCli } from '../../src/cli/run.js';
import type { CliIo } from '../../src/cli/command.js';
import { call, newUserRow } from './api.js';

const CLINICAL = 'veepharm-clinical.veevavault.com';
const KATE = 30001;
const DOMAIN_ONLY = 30002;

/** The demo domain plus Kate (two memberships, apps in one) and a user with no vault at all. */
function seed(extraUsers = 0): SimulatorSeed {
  const base = defaultSeed();
  const kate = humanSeedUser(KATE, 'kate@veepharm.com', 3003, {
    vault_membership: [
      { vault_id: 3003, active__v: true, security_profile__v: 'system_admin__v', license_type__v: 'full__v' },
      { vault_id: 4004, active__v: false, security_profile__v: 'document_user__v', license_type__v: 'read_only__v' },
    ],
    app_licensing: [
      { vault_id: 3003, application_name: 'rimReg_v', active__v: true, license_type__v: 'full__v' },
      { vault_id: 3003, application_name: 'rimSubs_v', active__v: false, license_type__v: 'read_only__v' },
    ],
  });
  const domainOnly = humanSeedUser(DOMAIN_ONLY, 'dora@veepharm.com', 3003, { vault_membership: [] });
  const more = Array.from({ length: extraUsers }, (_, i) => humanSeedUser(40_000 + i, `u${i}@veepharm.com`, 5005));
  return { ...base, users: [...(base.users ?? []), kate, domainOnly, ...more] };
}

async function start(profile: SimulatorOptions['profile'], extraUsers = 0) {
  const sim = await startTestSimulator({ seed: seed(extraUsers), ...(profile === undefined ? {} : { profile }) });
  const sid = await adminSession(sim, CLINICAL, 'v26.2');
  return { sim, sid };
}

const BLOCKS = '?exclude_vault_membership=false&exclude_app_licensing=false';

describe('profiles: definitions', () => {
  it('names every read and write profile once; default is the team reading', () => {
    expect([...PROFILES.keys()]).toEqual([...READ_PROFILES, ...WRITE_PROFILES, ...GROUP_PROFILES].map((p) => p.name));
    expect(resolveProfile(undefined)).toBe(PROFILES.get('default'));
    // Read profiles change nothing a write sees, and the other way round; group profiles only groups.
    const base = resolveProfile('default');
    for (const p of READ_PROFILES) expect([p.write, p.groups]).toEqual([base.write, base.groups]);
    for (const p of WRITE_PROFILES) expect([p.read, p.groups]).toEqual([base.read, base.groups]);
    for (const p of GROUP_PROFILES) expect([p.read, p.write]).toEqual([base.read, base.write]);
  });

  it('builds a profile from a spec on top of a named one, and from a JSON file', () => {
    const spec = { extends: 'page-cap-200', read: { limitEcho: 'none' as const }, write: { clearWith: 'null-only' as const } };
    expect(resolveProfile(spec)).toMatchObject({ name: 'page-cap-200+custom', read: { pageCap: 200, limitEcho: 'none' }, write: { clearWith: 'null-only' } });
    const file = join(mkdtempSync(join(tmpdir(), 'vr-profile-')), 'capture.json');
    writeFileSync(file, JSON.stringify({ format: 'vault-roster-simulator-profile/1', name: 'acme-sandbox', ...spec }));
    expect(readProfileFile(file)).toMatchObject({ name: 'acme-sandbox', read: { pageCap: 200, limitEcho: 'none', size: 'page' } });
  });

  it.each([
    ['an unknown name', 'page-cap-100', /unknown profile 'page-cap-100'; known profiles: default, /],
    ['an unknown key', { reed: {} }, /unknown profile key\(s\): reed/],
    ['a bad switch value', { read: { size: 'pages' } }, /read.size: expected one of page, total, got "pages"/],
    ['a bad page cap', { read: { pageCap: 0 } }, /read.pageCap: expected a whole number of at least 1/],
    ['a bad error type', { write: { duplicateUserError: 'exists' } }, /write.duplicateUserError: expected a Vault error type/],
    ['another format', { format: 'other/1' }, /format: expected vault-roster-simulator-profile\/1/],
  ])('refuses %s', (_name, input, message) => {
    expect(() => resolveProfile(input as never)).toThrow(ProfileError);
    expect(() => resolveProfile(input as never)).toThrow(message);
  });

  it('shows the profile it plays under /_sim/profile', async () => {
    const { sim } = await start('size-total');
    const r = await call(sim, 'GET', '/_sim/profile');
    expect(r.body).toMatchObject({ name: 'size-total', read: { size: 'total' } });
    expect(sim.profile.name).toBe('size-total');
  });
});

describe('profiles: membership shapes in Retrieve User', () => {
  it.each([
    [
      'default',
      [
        { vault_id: 3003, active__v: true, security_profile__v: 'system_admin__v', license_type__v: 'full__v' },
        { vault_id: 4004, active__v: false, security_profile__v: 'document_user__v', license_type__v: 'read_only__v' },
      ],
      [
        { vault_id: 3003, application_name: 'rimReg_v', active__v: true, license_type__v: 'full__v' },
        { vault_id: 3003, application_name: 'rimSubs_v', active__v: false, license_type__v: 'read_only__v' },
      ],
    ],
    [
      'membership-string',
      '3003:true:system_admin__v:full__v;4004:false:document_user__v:read_only__v',
      '3003|rimReg_v:true:full__v|rimSubs_v:false:read_only__v',
    ],
    ['membership-string-array', ['3003:true:system_admin__v:full__v', '4004:false:document_user__v:read_only__v'], ['3003|rimReg_v:true:full__v|rimSubs_v:false:read_only__v']],
    [
      'membership-alt-keys',
      [
        { vault_id__v: '3003', active__v: 'true', security_profile__v: 'system_admin__v', license_type__v: 'full__v' },
        { vault_id__v: '4004', active__v: 'false', security_profile__v: 'document_user__v', license_type__v: 'read_only__v' },
      ],
      [
        { vault_id__v: '3003', application_name__v: 'rimReg_v', active__v: 'true', license_type__v: 'full__v' },
        { vault_id__v: '3003', application_name__v: 'rimSubs_v', active__v: 'false', license_type__v: 'read_only__v' },
      ],
    ],
    [
      'membership-picklist',
      [
        { id: 3003, status__v: 'active__v', security_profile__v: 'system_admin__v', license_type__v: ['full__v'] },
        { id: 4004, status__v: 'inactive__v', security_profile__v: 'document_user__v', license_type__v: ['read_only__v'] },
      ],
      [
        { id: 3003, application_name: 'rimReg_v', status__v: 'active__v', license_type__v: ['full__v'] },
        { id: 3003, application_name: 'rimSubs_v', status__v: 'inactive__v', license_type__v: ['read_only__v'] },
      ],
    ],
  ])('%s', async (profile, memberships, apps) => {
    const { sim, sid } = await start(profile);
    const one = await call(sim, 'GET', `/objects/users/${KATE}${BLOCKS}`, { sid, version: 'v26.2' });
    expect(one.body.users[0].user.vault_membership).toEqual(memberships);
    expect(one.body.users[0].user.app_licensing).toEqual(apps);
    const listed = await call(sim, 'GET', `/objects/users${BLOCKS}&vaults=all`, { sid, version: 'v26.2' });
    const kate = listed.body.users.find((u: { user: { id: number } }) => u.user.id === KATE).user;
    expect([kate.vault_membership, kate.app_licensing]).toEqual([memberships, apps]);
  });

  it('renders a user with no vault as an empty block in each shape', async () => {
    for (const [profile, empty] of [['membership-string', ''], ['membership-string-array', []], ['default', []]] as const) {
      const { sim, sid } = await start(profile);
      const r = await call(sim, 'GET', `/objects/users/${DOMAIN_ONLY}${BLOCKS}`, { sid, version: 'v26.2' });
      expect([r.body.users[0].user.vault_membership, r.body.users[0].user.app_licensing]).toEqual([empty, empty]);
    }
  });
});

describe('profiles: Retrieve All Users paging', () => {
  // 250 extra users + Kate + Dora + the admin + 3 system users = 256 rows.
  const ROWS = 256;
  const page = async (profile: string, query: string) => {
    const { sim, sid } = await start(profile, 250);
    const r = await call(sim, 'GET', `/objects/users?vaults=all&${query}`, { sid, version: 'v26.2' });
    return r.body;
  };

  it.each([
    ['default', 'limit=1000', { size: ROWS, limit: 1000 }, ROWS],
    ['page-cap-200', 'limit=1000', { size: 200, limit: 200 }, 200],
    ['page-cap-200-echo-requested', 'limit=1000', { size: 200, limit: 1000 }, 200],
    ['page-cap-200-no-echo', 'limit=1000', { size: 200 }, 200],
    ['page-cap-200-refuse', 'limit=200&start=200', { size: ROWS - 200, limit: 200 }, ROWS - 200],
    ['size-total', 'limit=100&start=200', { size: ROWS, limit: 100 }, ROWS - 200],
  ])('%s with %s answers %o', async (profile, query, head, count) => {
    const body = await page(profile, query);
    expect(body.responseStatus).toBe('SUCCESS');
    expect(body.users).toHaveLength(count);
    expect({ size: body.size, limit: body.limit }).toEqual({ limit: undefined, ...head });
    expect('limit' in body).toBe('limit' in head);
  });

  it('page-cap-200-refuse fails a larger limit with INVALID_DATA', async () => {
    const body = await page('page-cap-200-refuse', 'limit=1000');
    expect(body).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type: 'INVALID_DATA', message: 'invalid value [1000] for parameter [limit]; the maximum is 200' }] });
  });

  it('domain-only-hidden leaves users with no vault out of vaults=all, not out of Retrieve User', async () => {
    const ids = async (profile: string) => {
      const { sim, sid } = await start(profile);
      const listed = await call(sim, 'GET', '/objects/users?vaults=all', { sid, version: 'v26.2' });
      const one = await call(sim, 'GET', `/objects/users/${DOMAIN_ONLY}`, { sid, version: 'v26.2' });
      return { listed: listed.body.users.map((u: { user: { id: number } }) => u.user.id).includes(DOMAIN_ONLY), one: one.body.responseStatus };
    };
    expect(await ids('default')).toEqual({ listed: true, one: 'SUCCESS' });
    expect(await ids('domain-only-hidden')).toEqual({ listed: false, one: 'SUCCESS' });
  });
});

describe('profiles: writes', () => {
  it.each([
    ['default', 'ITEM_NAME_EXISTS'],
    ['duplicate-invalid-data', 'INVALID_DATA'],
    ['duplicate-operation-not-allowed', 'OPERATION_NOT_ALLOWED'],
  ])('%s: a create for an existing user name fails with %s', async (profile, type) => {
    const { sim, sid } = await start(profile);
    const r = await call(sim, 'POST', '/objects/users', { sid, version: 'v26.2', json: [{ ...newUserRow('kate'), user_name__v: 'KATE@veepharm.com' }] });
    expect(r.body.data).toEqual([{ responseStatus: 'FAILURE', errors: [{ type, message: `a user named [KATE@veepharm.com] already exists (id ${KATE})` }] }]);
  });

  const PROMOTE = '/app/clinical/persons/actions/promote_to_user';
  const maria = { source_person_id: 'V0B000000000001', username__sys: 'maria.lopez@veepharm.com' };
  const unknownPerson = { source_person_id: 'V0B000000000999', username__sys: 'nobody@veepharm.com' };
  const linked = (sim: Awaited<ReturnType<typeof start>>['sim']) =>
    sim.dump().clinical?.persons.filter((p) => p.vault_user__sys !== null && p.vault_user__sys !== undefined).map((p) => p.id);

  it('promote-whole-request: one failing person fails the request and nobody is promoted', async () => {
    const perRow = await start('default');
    const r1 = await call(perRow.sim, 'POST', PROMOTE, { sid: perRow.sid, version: 'v26.2', json: [maria, unknownPerson] });
    expect(r1.body.responseStatus).toBe('SUCCESS');
    expect(r1.body.data[1]).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type: 'INVALID_DATA' }] });
    expect(linked(perRow.sim)).toEqual(['V0B000000000001']);

    const whole = await start('promote-whole-request');
    const r2 = await call(whole.sim, 'POST', PROMOTE, { sid: whole.sid, version: 'v26.2', json: [maria, unknownPerson] });
    expect(r2.body).toEqual({
      responseStatus: 'FAILURE',
      errors: [{ type: 'INVALID_DATA', message: 'person [V0B000000000999]: person [V0B000000000999] not found in vault [5005]' }],
    });
    expect(linked(whole.sim)).toEqual([]);
    const alone = await call(whole.sim, 'POST', PROMOTE, { sid: whole.sid, version: 'v26.2', json: [maria] });
    expect(alone.body.data).toEqual([{ source_person_id: 'V0B000000000001', user_id: expect.any(String) }]);
  });

  it.each([
    ['default', { language__sys: 'en', locale__sys: '0LO000000000104' }, undefined],
    ['promote-ids-only', { language__sys: '0LU000000000101', security_profile__sys: '0SP000000000109' }, undefined],
    ['promote-ids-only', { language__sys: 'en' }, 'invalid value [en] for field [language__sys]: expected a record id'],
    ['promote-ids-only', { security_profile__sys: 'system_admin__v' }, 'invalid value [system_admin__v] for field [security_profile__sys]: expected a record id'],
  ])('%s: references %o', async (profile, refs, refused) => {
    const { sim, sid } = await start(profile);
    const r = await call(sim, 'POST', PROMOTE, { sid, version: 'v26.2', json: [{ ...maria, ...refs }] });
    if (refused === undefined) expect(r.body.data[0]).toEqual({ source_person_id: maria.source_person_id, user_id: expect.any(String) });
    else expect(r.body.data[0]).toMatchObject({ responseStatus: 'FAILURE', errors: [{ type: 'INVALID_DATA', message: refused }] });
  });

  /** `company__v` of Kate after a single-user PUT of `value`, and the envelope status. */
  async function afterPut(profile: string, value: string) {
    const { sim, sid } = await start(profile);
    await call(sim, 'PUT', `/objects/users/${KATE}`, { sid, version: 'v26.2', form: { company__v: 'VeePharm' } });
    const r = await call(sim, 'PUT', `/objects/users/${KATE}`, { sid, version: 'v26.2', form: { company__v: value, user_title__v: 'Lead' } });
    const user = sim.dump().users?.find((u) => u.id === KATE);
    return { status: r.body.responseStatus, company: user?.company__v };
  }

  it.each([
    ['default', 'null', null],
    ['default', '', null],
    ['clear-null-only', 'null', null],
    ['clear-null-only', '', 'VeePharm'],
    ['clear-empty-only', '', null],
    ['clear-empty-only', 'null', 'null'],
  ])('%s: a form value %j leaves company__v %j', async (profile, value, expected) => {
    expect(await afterPut(profile, value)).toEqual({ status: 'SUCCESS', company: expected });
  });

  it.each([
    ['default', null, null],
    ['clear-null-only', '', 'VeePharm'],
    ['clear-empty-only', null, 'VeePharm'],
    ['clear-empty-only', '', null],
  ])('%s: a JSON bulk value %j leaves company__v %j', async (profile, value, expected) => {
    const { sim, sid } = await start(profile);
    await call(sim, 'PUT', `/objects/users/${KATE}`, { sid, version: 'v26.2', form: { company__v: 'VeePharm' } });
    const r = await call(sim, 'PUT', '/objects/users', { sid, version: 'v26.2', json: [{ id: String(KATE), company__v: value, user_title__v: 'Lead' }] });
    expect(r.body.data[0].responseStatus).toBe('SUCCESS');
    expect(sim.dump().users?.find((u) => u.id === KATE)?.company__v).toEqual(expected);
  });
});

describe('vault-roster simulator --profile', () => {
  it('plays a named profile with switches on top, and says so', async () => {
    const controller = new AbortController();
    let stdout = '';
    let announced: (url: string) => void = () => undefined;
    const url = new Promise<string>((resolve) => {
      announced = resolve;
    });
    const io: CliIo = {
      stdout: {
        write: (text: string) => {
          stdout += text;
          const m = /listening on (\S+)\n/.exec(stdout);
          if (m?.[1] !== undefined) announced(m[1]);
          return true;
        },
      },
      stderr: { write: () => true },
      env: {},
      cwd: process.cwd(),
      stdinIsTTY: false,
      signal: controller.signal,
    };
    const done = runCli(['simulator', '--profile', 'page-cap-200', '--limit-echo', 'none', '--domain-only-users', 'hidden'], io);
    const profile = (await (await fetch(`${await url}/_sim/profile`)).json()) as { name: string; read: Record<string, unknown> };
    controller.abort();
    expect(await done).toBe(0);
    expect(profile).toMatchObject({ name: 'page-cap-200+flags', read: { pageCap: 200, limitEcho: 'none', domainOnlyUsersListed: false, size: 'page' } });
    expect(stdout).toContain('profile page-cap-200+flags: at most 200 users per page, limit echoed as applied; switched: limitEcho=none, domainOnlyUsersListed=false\n');
  });

  it('refuses an unknown profile or switch value as a usage error naming it', async () => {
    const unknown = await runCliCaptured(['simulator', '--profile', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error [usage] --profile: unknown profile 'nope'");
    const bad = await runCliCaptured(['simulator', '--limit-echo', 'sometimes']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error [usage] --profile: read.limitEcho: expected one of applied, requested, none, got "sometimes"');
  });
});
