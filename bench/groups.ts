/**
 * Groups benchmark (issue #16): 5,000 user-managed groups holding 200,000 explicit memberships
 * of 40,000 users. Measures
 * - createPlan for that state (10% of the groups gain one member and lose another), in memory;
 * - reading it from the simulator over HTTP: the calls `readGroups` makes (VQL pages plus the
 *   listing) against ceil(rows / page size) + a constant, and the time it takes.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_POLICY, type DesiredGroup, type DesiredState, type DesiredUser, type LiveGroup, type LiveState, type LiveUser } from '../src/model.js';
import { createPlan, type PlanOptions } from '../src/plan/index.js';
import { defaultSeed, humanSeedUser } from '../src/simulator/default-state.js';
import { startSimulator } from '../src/simulator/index.js';
import type { SeedGroup, SimulatorSeed } from '../src/simulator/types.js';
import { createVaultClient } from '../src/vault/client.js';
import type { Bench, BenchTarget } from './types.js';

const GROUPS = 5_000;
const USERS = 40_000;
const PER_GROUP = 40;
const VAULT = 3003;
const RUNS = 3;

const OPTIONS: PlanOptions = {
  tool_version: 'bench',
  created_at: '2026-01-01T00:00:00.000Z',
  target: { url: 'https://bench.example.com', server: 'https://bench.example.com', vault_id: VAULT, api_version: 'v26.2' },
  allow: { mass_removal: true },
};

const userName = (i: number): string => `user${String(i).padStart(6, '0')}@veepharm.com`;
const label = (g: number): string => `Team ${String(g).padStart(5, '0')}`;
/** The members of group g: PER_GROUP users spread over the whole population. */
const memberIndex = (g: number, k: number): number => (g * 7 + k * 1_009) % USERS;

function liveUser(i: number): LiveUser {
  const name = userName(i);
  return {
    id: 100_000 + i,
    user_name: name,
    first_name: `First${i}`,
    last_name: `Last${i}`,
    email: name,
    timezone: 'America/New_York',
    locale: 'en_US',
    language: 'en',
    security_policy: '821',
    license_type: 'full__v',
    domain_admin: i === 0,
    active: true,
    fields: {},
    memberships: [{ vault_id: VAULT, active: true, security_profile: 'document_user__v', license_type: 'full__v', apps: {} }],
  };
}

function desiredUser(i: number): DesiredUser {
  const { id: _id, ...rest } = liveUser(i);
  return { ...rest, source: { file: 'users/bench.yaml', line: i + 1, col: 5 } };
}

function liveGroup(g: number): LiveGroup {
  const members = [...new Set(Array.from({ length: PER_GROUP }, (_, k) => 100_000 + memberIndex(g, k)))].sort((a, b) => a - b);
  return { id: 1_000_000 + g, key: label(g).toLowerCase(), label: label(g), name: `team_${g}__c`, kind: 'user_managed', members, implied_members: [], active: true, description: '', allow_delegation: false, security_profiles: [] };
}

/** Every tenth group swaps its first member for a user outside it. */
function desiredGroup(g: number): DesiredGroup {
  const names = [...new Set(Array.from({ length: PER_GROUP }, (_, k) => userName(memberIndex(g, k))))];
  if (g % 10 === 3) names[0] = userName((memberIndex(g, 0) + USERS / 2 + 1) % USERS);
  const members = [...new Set(names)].sort().map((user_name, k) => ({ user_name, source: { file: 'groups/bench.yaml', line: g * 50 + k + 3, col: 9 } }));
  return { key: label(g).toLowerCase(), label: label(g), members, source: { file: 'groups/bench.yaml', line: g * 50 + 1, col: 5 } };
}

function states(): { desired: DesiredState; live: LiveState } {
  const users = Array.from({ length: USERS }, (_, i) => liveUser(i));
  const groups = Array.from({ length: GROUPS }, (_, g) => liveGroup(g));
  const desired: DesiredState = {
    config_path: '/bench/roster.yaml',
    target: { url: OPTIONS.target.url, api_version: 'v26.2', vault_id: VAULT },
    policy: { ...DEFAULT_POLICY, unmanaged_users: 'ignore' },
    state_path: '/bench/state.json',
    users: Array.from({ length: USERS }, (_, i) => desiredUser(i)),
    sitevault: [],
    groups: Array.from({ length: GROUPS }, (_, g) => desiredGroup(g)),
    files: [{ path: 'roster.yaml', sha256: '0'.repeat(64) }],
  };
  const live: LiveState = {
    vault_id: VAULT,
    authenticated_user: userName(0),
    users: new Map(users.map((u) => [u.user_name, u])),
    vault_ids: [VAULT],
    security_policies: ['821'],
    persons: new Map(),
    licenses: [],
    sitevault: new Map(),
    groups: new Map(groups.map((g) => [g.key, g])),
  };
  return { desired, live };
}

function planFigures(): { figures: Record<string, number | string>; target: BenchTarget } {
  const { desired, live } = states();
  let best = Number.POSITIVE_INFINITY;
  let plan;
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    plan = createPlan(desired, live, OPTIONS);
    best = Math.min(best, performance.now() - start);
  }
  const g = plan?.summary.groups;
  return {
    figures: {
      'plan: groups / memberships / users': `${GROUPS} / ${GROUPS * PER_GROUP} / ${USERS}`,
      'plan: createPlan, best of 3 (ms)': Math.round(best),
      'plan: groups changed, members +/−': `${g?.update ?? 0}, +${g?.members_added ?? 0} / −${g?.members_removed ?? 0}`,
      'plan: API calls planned': plan?.summary.api_calls ?? 0,
    },
    target: { name: 'plan for 5,000 groups and 200,000 memberships < 2 s', pass: best < 2_000, detail: `${Math.round(best)} ms` },
  };
}

const READ_VAULT = 5005;
const DNS = 'veepharm-clinical.veevavault.com';
/** Rows per VQL page in the simulator (as Vault's default page). */
const PAGE = 1_000;

/** The default domain plus USERS users and GROUPS groups of PER_GROUP explicit members in vault 5005. */
function readSeed(): SimulatorSeed {
  const base = defaultSeed();
  const users = Array.from({ length: USERS }, (_, i) => humanSeedUser(100_000 + i, userName(i), READ_VAULT));
  const groups: SeedGroup[] = Array.from({ length: GROUPS }, (_, g) => ({
    vault_id: READ_VAULT,
    id: 1_000_000 + g,
    label__v: label(g),
    members__v: [...new Set(Array.from({ length: PER_GROUP }, (_, k) => 100_000 + memberIndex(g, k)))],
  }));
  return { ...base, users: [...(base.users ?? []), ...users], groups: [...(base.groups ?? []), ...groups], counters: { ...base.counters, next_user_id: 100_000 + USERS } };
}

async function readFigures(): Promise<{ figures: Record<string, number | string>; target: BenchTarget }> {
  const sim = await startSimulator({ port: 0, seed: readSeed() });
  try {
    const client = createVaultClient({ baseUrl: sim.url, apiVersion: 'v26.2', credentials: { username: sim.adminUser, password: 'admin' }, vaultDns: DNS, expectedVaultId: READ_VAULT });
    await client.session();
    sim.clearRequestLog();
    const started = performance.now();
    const groups = await client.readGroups();
    const ms = performance.now() - started;
    client.close();
    const log = sim.requestLog();
    const queries = log.filter((e) => e.method === 'POST' && e.path.includes('/query')).length;
    const others = log.length - queries;
    let memberships = 0;
    for (const g of groups.values()) memberships += g.members.length + g.implied_members.length;
    const groupRows = groups.size;
    // group__sys pages + group_membership__sys pages (explicit and implied rows) + the first page of each.
    const bound = Math.ceil(groupRows / PAGE) + Math.ceil(memberships / PAGE) + 2;
    return {
      figures: {
        'read: groups (all kinds) / memberships (explicit + implied)': `${groupRows} / ${memberships}`,
        'read: VQL query calls': queries,
        'read: other calls (the listing)': others,
        'read: readGroups wall time, simulator in process (ms)': Math.round(ms),
      },
      target: {
        name: 'read 5,000 groups / 200,000 memberships in ceil(rows / page) query calls plus a constant',
        pass: queries <= bound && others <= 2,
        detail: `${queries} query calls (bound ${bound}) + ${others} other`,
      },
    };
  } finally {
    await sim.close();
  }
}

const bench: Bench = async () => {
  const plan = planFigures();
  const read = await readFigures();
  return { name: 'groups', figures: { ...plan.figures, ...read.figures }, targets: [plan.target, read.target] };
};

export default bench;