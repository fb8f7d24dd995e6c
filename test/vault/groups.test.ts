/* eslint-disable @typescript-eslint/no-unsafe-assignment -- asymmetric matchers (expect.stringContaining) are typed any */
/**
 * The client's group read and writes over real HTTP: against the simulator under every group
 * profile (same LiveGroups), and through a small hostile proxy on 127.0.0.1 port 0 that records
 * bodies, rewrites answers (reads that disagree) or loses answers (a create whose answer never
 * arrives). Exact calls are asserted on what the proxy and the simulator saw.
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { VaultRosterError } from '../../src/errors.js';
import type { LiveGroup } from '../../src/model.js';
import { defaultSeed, humanSeedUser } from '../../src/simulator/default-state.js';
import { GROUP_PROFILES, type RunningSimulator, type SimulatorOptions, type SimulatorSeed } from '../../src/simulator/index.js';
import { createVaultClient, type VaultClient } from '../../src/vault/client.js';
import { ADMIN, API_VERSION, calls, capturingClock, CLINICAL_DNS, simulator } from './support.js';

const READER = 30001;
const WRITER = 30002;
const STUDY_MANAGERS = 1394917493801;
const REVIEWERS = 1394917493802;
const AUTO = 1394917493804;

function seed(extra = 0): SimulatorSeed {
  const base = defaultSeed();
  const user = (id: number, profile: string) =>
    humanSeedUser(id, `u${id}@veepharm.com`, 5005, { vault_membership: [{ vault_id: 5005, active__v: true, security_profile__v: profile, license_type__v: 'full__v' }] });
  const more = Array.from({ length: extra }, (_, i) => user(40_000 + i, 'document_user__v'));
  return { ...base, users: [...(base.users ?? []), user(READER, 'read_only_user__v'), user(WRITER, 'document_user__v'), ...more] };
}

interface Seen {
  readonly method: string;
  /** After `/api/{version}`, with the query. */
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: string;
}

interface ProxyHooks {
  /** Rewrites a JSON answer (the parsed body) before it goes to the client. */
  readonly rewrite?: (seen: Seen, body: Record<string, unknown>) => Record<string, unknown>;
  /** True: forward the request, then reset the connection instead of answering (a lost answer). */
  readonly lose?: (seen: Seen) => boolean;
}

/** A pass-through to the simulator that records every request with its body, and may misbehave. */
async function proxy(target: string, hooks: ProxyHooks = {}): Promise<{ url: string; seen: Seen[] }> {
  const upstream = new URL(target);
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: Seen = {
        method: req.method ?? '',
        path: (req.url ?? '').replace(/^\/api\/v[\d.]+/, ''),
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
      const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => {
          if (hooks.lose?.(entry) === true) {
            res.socket?.destroy();
            return;
          }
          let text = Buffer.concat(parts).toString('utf8');
          if (hooks.rewrite !== undefined && entry.path !== '/auth') text = JSON.stringify(hooks.rewrite(entry, JSON.parse(text) as Record<string, unknown>));
          const out = { ...answer.headers };
          delete out['content-length'];
          res.writeHead(answer.statusCode ?? 502, out);
          res.end(text);
        });
      });
      forward.on('error', () => res.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function client(url: string): VaultClient {
  const c = createVaultClient({
    baseUrl: url,
    apiVersion: API_VERSION,
    credentials: { username: ADMIN, password: 'admin' },
    vaultDns: CLINICAL_DNS,
    expectedVaultId: 5005,
    clock: capturingClock(),
    random: () => 0.5,
    timeoutMs: 10_000,
  });
  onTestFinished(() => {
    c.close();
  });
  return c;
}

async function start(options: SimulatorOptions = {}, hooks?: ProxyHooks): Promise<{ sim: RunningSimulator; client: VaultClient; seen: Seen[] }> {
  const sim = await simulator({ seed: seed(), ...options });
  const p = await proxy(sim.url, hooks);
  return { sim, client: client(p.url), seen: p.seen };
}

const writes = (seen: readonly Seen[]) => seen.filter((s) => s.method !== 'GET' && s.path.startsWith('/objects/groups'));
const form = (body: string) => Object.fromEntries(new URLSearchParams(body));

/** The demo's groups in vault 5005 as the client must read them under every profile. */
const EXPECTED: Readonly<Record<string, Partial<LiveGroup>>> = {
  'study managers': {
    id: STUDY_MANAGERS,
    key: 'study managers',
    label: 'Study Managers',
    name: 'study_managers__c',
    kind: 'user_managed',
    active: true,
    description: 'Runs the studies of VeePharm Clinical',
    allow_delegation: false,
    security_profiles: [],
    members: [25001],
    implied_members: [],
  },
  'clinical reviewers': { id: REVIEWERS, kind: 'user_managed', security_profiles: ['read_only_user__v'], members: [25001], implied_members: [READER] },
  'active study staff': { id: AUTO, kind: 'auto', label: 'Active Study Staff', name: 'active_study_staff__c', active: true, members: [25001], implied_members: [] },
  'read only user': { kind: 'system', security_profiles: ['read_only_user__v'], members: [], implied_members: [READER] },
  'all internal users': { kind: 'system', members: [] },
};

describe.each(['default', ...GROUP_PROFILES.map((p) => p.name)])('readGroups under the %s profile', (profile) => {
  it('reads every group of the session vault the same way, in three calls', async () => {
    const { sim, client: c } = await start({ profile });
    const groups = await c.readGroups();
    expect([...groups.keys()].sort()).toEqual([
      'active study staff',
      'all internal users',
      'business admin',
      'clinical reviewers',
      'document user',
      'external user',
      'read only user',
      'study managers',
      'system admin',
      'vault owner',
      'view based user',
    ]);
    for (const [key, expected] of Object.entries(EXPECTED)) expect(groups.get(key), key).toMatchObject(expected);
    expect(groups.get('study managers')).toEqual(EXPECTED['study managers']);
    expect(calls(sim, 'GET', '/objects/groups').map((e) => e.query)).toEqual([{ includeImplied: 'true' }]);
    expect(calls(sim, 'POST', '/query')).toHaveLength(2);
  });
});

describe('readGroups at scale', () => {
  it('pages group_membership__sys: ceil(rows / 1000) query calls per target plus the listing', async () => {
    const sim = await simulator({ seed: seed(1200) });
    const c = client(sim.url);
    const groups = await c.readGroups();
    // 1202 document users and the others are implied into Document User and All Internal Users.
    expect(groups.get('document user')?.implied_members).toHaveLength(1201);
    expect(groups.get('all internal users')?.implied_members.length).toBeGreaterThan(1203);
    const memberships = [...groups.values()].reduce((n, g) => n + (g.kind === 'user_managed' || g.kind === 'auto' ? g.members.length : 0) + g.implied_members.length, 0);
    const queries = calls(sim, 'POST', '/query').length + sim.requestLog().filter((e) => /\/query\/[^/]+$/.test(e.path)).length;
    expect(queries).toBe(1 + Math.ceil(memberships / 1000));
    expect(calls(sim, 'GET', '/objects/groups')).toHaveLength(1);
  });
});

describe('readGroups against reads that disagree or cannot be read', () => {
  const listing = (body: Record<string, unknown>, change: (group: Record<string, unknown>) => void): Record<string, unknown> => {
    for (const entry of body.groups as { group: Record<string, unknown> }[]) change(entry.group);
    return body;
  };

  async function readError(hooks: ProxyHooks): Promise<VaultRosterError> {
    const { client: c, seen } = await start({}, hooks);
    const error = await c.readGroups().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VaultRosterError);
    expect(writes(seen)).toEqual([]);
    return error as VaultRosterError;
  }

  it('an explicit member of the listing missing from group_membership__sys stops the read, naming the group', async () => {
    const error = await readError({
      rewrite: (seen, body) => (seen.path.startsWith('/objects/groups') ? listing(body, (g) => g.id === STUDY_MANAGERS && (g.members__v = [25001, WRITER])) : body),
    });
    expect(error.code).toBe('vault-response');
    expect(error.message).toContain(`group 'Study Managers' (id ${STUDY_MANAGERS}): explicit members ${WRITER} are missing from group_membership__sys`);
    expect(error.hint).toContain('Nothing was planned or written.');
  });

  it('a VQL member neither explicit nor implied stops the read', async () => {
    const error = await readError({
      rewrite: (seen, body) => (seen.path.startsWith('/objects/groups') ? listing(body, (g) => g.id === REVIEWERS && (g.implied_members__v = [])) : body),
    });
    expect(error.message).toContain(`group 'Clinical Reviewers' (id ${REVIEWERS}): group_membership__sys lists ${READER}, neither explicit nor implied`);
  });

  it('a listed group VQL does not know, and labels that differ only in case, stop the read', async () => {
    const missing = await readError({
      rewrite: (seen, body) => (seen.path.startsWith('/query') && Array.isArray(body.data) ? { ...body, data: (body.data as { id?: unknown }[]).filter((r) => r.id !== REVIEWERS) } : body),
    });
    expect(missing.message).toContain(`group 'Clinical Reviewers' (id ${REVIEWERS}) is in Retrieve All Groups but absent from group__sys`);
    const twins = await readError({
      rewrite: (seen, body) => {
        if (seen.path.startsWith('/objects/groups')) return listing(body, (g) => g.id === REVIEWERS && (g.label__v = 'STUDY managers'));
        if (Array.isArray(body.data)) for (const r of body.data as Record<string, unknown>[]) if (r.id === REVIEWERS && 'label__v' in r) r.label__v = 'STUDY managers';
        return body;
      },
    });
    expect(twins.message).toMatch(/group 'Study Managers' \(id 1394917493801\) and group 'STUDY managers' \(id 1394917493802\) have labels that differ only in case/);
  });

  it('a field it cannot read is a vault-decode error naming the group and the field', async () => {
    const error = await readError({
      rewrite: (seen, body) =>
        seen.path.startsWith('/objects/groups') ? listing(body, (g) => g.id === REVIEWERS && (g.implied_members__v = [{ user: READER }])) : body,
    });
    expect(error.code).toBe('vault-decode');
    expect(error.message).toContain(`group 'Clinical Reviewers', field implied_members__v: expected user ids or {id, …} objects (value {"user":${READER}})`);
    const noList = await readError({ rewrite: (seen, body) => (seen.path.startsWith('/objects/groups') ? { responseStatus: 'SUCCESS', items: [] } : body) });
    expect(noList.message).toContain('field groups: the answer has no "groups" (or "data") list');
  });
});

describe('group writes', () => {
  it('createGroup: one POST with the values as a form; the answer id is the outcome id', async () => {
    const { sim, client: c, seen } = await start();
    const outcome = await c.createGroup(
      { key: 'group:eu team', values: { label: 'EU Team', description: 'Europe', active: true, allow_delegation: false, security_profiles: ['read_only_user__v', 'document_user__v'] } },
      { sentBefore: false },
    );
    expect(outcome).toEqual({ ok: true, id: expect.stringMatching(/^\d+$/) });
    expect(writes(seen).map((s) => [s.method, s.path, s.contentType, form(s.body)])).toEqual([
      [
        'POST',
        '/objects/groups',
        'application/x-www-form-urlencoded;charset=UTF-8',
        { label__v: 'EU Team', group_description__v: 'Europe', active__v: 'true', allow_delegation_among_members__v: 'false', security_profiles__v: 'document_user__v,read_only_user__v' },
      ],
    ]);
    expect(sim.dump().groups?.find((g) => String(g.id) === (outcome.ok ? outcome.id : ''))).toMatchObject({ label__v: 'EU Team', name__v: 'eu_team__c' });
  });

  it('createGroup after a lost answer finds the group by label and does not create a second one', async () => {
    let lost = 0;
    const { sim, client: c, seen } = await start({}, { lose: (s) => s.method === 'POST' && s.path === '/objects/groups' && lost++ === 0 });
    const outcome = await c.createGroup({ key: "group:o'brien's team", values: { label: "O'Brien's Team" } }, { sentBefore: false });
    const created = sim.dump().groups?.filter((g) => g.label__v === "O'Brien's Team") ?? [];
    expect(created).toHaveLength(1);
    expect(outcome).toEqual({ ok: true, id: String(created[0]?.id) });
    expect(calls(sim, 'POST', '/objects/groups')).toHaveLength(1);
    const lookups = seen.filter((s) => s.path === '/query').map((s) => form(s.body).q);
    expect(lookups).toEqual(["SELECT id, label__v FROM group__sys WHERE label__v = 'O\\'Brien\\'s Team'"]);
  });

  it('createGroup with sentBefore looks the label up first: found, no POST; not found, one POST', async () => {
    const { sim, client: c } = await start();
    expect(await c.createGroup({ key: 'group:study managers', values: { label: ' study MANAGERS ' } }, { sentBefore: true })).toEqual({ ok: true, id: String(STUDY_MANAGERS) });
    expect(calls(sim, 'POST', '/objects/groups')).toHaveLength(0);
    const fresh = await c.createGroup({ key: 'group:fresh', values: { label: 'Fresh' } }, { sentBefore: true });
    expect(fresh.ok).toBe(true);
    expect(calls(sim, 'POST', '/objects/groups')).toHaveLength(1);
  });

  it('a refused create is a failed outcome with Vault’s type and message, sent once', async () => {
    const { sim, client: c } = await start();
    const outcome = await c.createGroup({ key: 'group:study managers', values: { label: 'STUDY MANAGERS' } }, { sentBefore: false });
    expect(outcome).toEqual({ ok: false, error_type: 'ITEM_NAME_EXISTS', message: expect.stringContaining('Study Managers') });
    expect(calls(sim, 'POST', '/objects/groups')).toHaveLength(1);
  });

  it('updateGroup: one PUT of the row’s values only; a refusal is a failed outcome', async () => {
    const { client: c, seen } = await start();
    expect(await c.updateGroup({ key: 'group:clinical reviewers', group_id: REVIEWERS, values: { active: false, security_profiles: [] } })).toEqual({ ok: true, id: String(REVIEWERS) });
    expect(writes(seen).map((s) => [s.method, s.path, form(s.body)])).toEqual([['PUT', `/objects/groups/${REVIEWERS}`, { active__v: 'false', security_profiles__v: '' }]]);
    const groups = await c.readGroups();
    expect(groups.get('clinical reviewers')).toMatchObject({ active: false, security_profiles: [], implied_members: [], members: [25001] });
    expect(await c.updateGroup({ key: 'group:active study staff', group_id: AUTO, values: { description: 'x' } })).toEqual({
      ok: false,
      error_type: 'OPERATION_NOT_ALLOWED',
      message: expect.stringContaining('Active Study Staff'),
    });
  });

  it('changeGroupMembers: add (…) and delete (…) by id, never a replace; a lost answer is repeated safely', async () => {
    let lost = 0;
    const { sim, client: c, seen } = await start({}, { lose: (s) => s.method === 'PUT' && lost++ === 0 });
    expect(await c.changeGroupMembers('add', STUDY_MANAGERS, [WRITER, READER, WRITER])).toEqual({ ok: true, id: String(STUDY_MANAGERS) });
    expect(await c.changeGroupMembers('delete', STUDY_MANAGERS, [25001])).toEqual({ ok: true, id: String(STUDY_MANAGERS) });
    expect(writes(seen).map((s) => [s.method, s.path, s.body])).toEqual([
      ['PUT', `/objects/groups/${STUDY_MANAGERS}`, 'members__v=add+%2830001%2C30002%29'],
      ['PUT', `/objects/groups/${STUDY_MANAGERS}`, 'members__v=add+%2830001%2C30002%29'],
      ['PUT', `/objects/groups/${STUDY_MANAGERS}`, 'members__v=delete+%2825001%29'],
    ]);
    expect(writes(seen).map((s) => form(s.body).members__v)).toEqual(['add (30001,30002)', 'add (30001,30002)', 'delete (25001)']);
    expect(sim.dump().groups?.find((g) => g.id === STUDY_MANAGERS)?.members__v).toEqual([READER, WRITER]);
    expect(await c.changeGroupMembers('add', STUDY_MANAGERS, [99999])).toEqual({ ok: false, error_type: 'INVALID_DATA', message: expect.stringContaining('99999') });
  });
});
