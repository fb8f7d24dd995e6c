/**
 * Planner benchmark: 100,000 desired users with 3 memberships each against 100,000 live users
 * (10% changed). Measures createPlan time and peak RSS, compares with JSON.parse of the same
 * live data, and counts the calls planned for 10,000 new users in one vault.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_POLICY, type DesiredState, type DesiredUser, type LiveState, type LiveUser, type Membership } from '../src/model.js';
import { createPlan, type Plan, type PlanOptions } from '../src/plan/index.js';
import type { Bench } from './types.js';

const USERS = 100_000;
const NEW_USERS = 10_000;
const VAULTS = [3003, 4004, 5005];
/** Best of several runs: the machine is shared, and the minimum is the least disturbed figure. */
const RUNS = 5;

const OPTIONS: PlanOptions = {
  tool_version: 'bench',
  created_at: '2026-01-01T00:00:00.000Z',
  target: { url: 'https://bench.example.com', server: 'https://bench.example.com', vault_id: 3003, api_version: 'v26.2' },
  allow: { mass_deactivation: true, license_overuse: true, protected_users: true, last_domain_admin: true },
};

function userName(i: number): string {
  return `user${String(i).padStart(6, '0')}@veepharm.com`;
}

function memberships(i: number, changed: boolean): Membership[] {
  return VAULTS.map((vault_id, v) => ({
    vault_id,
    active: true,
    security_profile: changed && v === 1 ? 'system_admin__v' : 'document_user__v',
    license_type: 'full__v',
    apps: { rimReg_v: { active: true, license_type: 'full__v' }, [`app${v}_v`]: { active: (i + v) % 7 !== 0, license_type: 'full__v' } },
  }));
}

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
    fields: { company__v: 'VeevaPharm', user_title__v: `Title ${i % 50}` },
    memberships: memberships(i, false),
  };
}

/** Every tenth user differs: a name, a profile in one vault, or an app license. */
function desiredUser(i: number): DesiredUser {
  const live = liveUser(i);
  const changed = i % 10 === 3;
  const kind = Math.floor(i / 10) % 3;
  const ms = memberships(i, changed && kind === 1);
  if (changed && kind === 2) {
    const first = ms[0];
    if (first !== undefined) ms[0] = { ...first, apps: { ...first.apps, rimReg_v: { active: true, license_type: 'read_only__v' } } };
  }
  const { id: _id, ...rest } = live;
  return { ...rest, first_name: changed && kind === 0 ? `Changed${i}` : `First${i}`, memberships: ms, source: { file: 'users/bench.yaml', line: i + 1, col: 5 } };
}

function desiredState(users: DesiredUser[]): DesiredState {
  return {
    config_path: '/bench/roster.yaml',
    target: { url: OPTIONS.target.url, api_version: 'v26.2', vault_id: 3003 },
    policy: { ...DEFAULT_POLICY, unmanaged_users: 'ignore' },
    state_path: '/bench/state.json',
    users,
    sitevault: [],
    files: [{ path: 'roster.yaml', sha256: '0'.repeat(64) }],
  };
}

function liveState(users: LiveUser[]): LiveState {
  return {
    vault_id: 3003,
    authenticated_user: userName(0),
    users: new Map(users.map((u) => [u.user_name, u])),
    vault_ids: VAULTS,
    security_policies: ['821'],
    persons: new Map(),
    licenses: [],
    sitevault: new Map(),
  };
}

function timed<T>(run: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = run();
  return { result, ms: performance.now() - start };
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const bench: Bench = () => {
  const liveUsers = Array.from({ length: USERS }, (_, i) => liveUser(i));
  const desired = desiredState(Array.from({ length: USERS }, (_, i) => desiredUser(i)));
  const live = liveState(liveUsers);
  collectGarbage();

  // One warm-up run so the figure is the planner, not the JIT's first look at it.
  createPlan(desiredState(desired.users.slice(0, 5_000)), live, OPTIONS);
  collectGarbage();
  const runs: number[] = [];
  let plan: Plan | undefined;
  for (let r = 0; r < RUNS; r++) {
    const t = timed(() => createPlan(desired, live, OPTIONS));
    runs.push(t.ms);
    plan = t.result;
    collectGarbage();
  }
  const planMs = Math.min(...runs);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;

  const serialised = JSON.stringify(liveUsers);
  const parseRuns: number[] = [];
  for (let r = 0; r < RUNS; r++) parseRuns.push(timed(() => JSON.parse(serialised) as unknown).ms);
  const parseMs = Math.min(...parseRuns);
  const ratio = planMs / parseMs;

  const fresh = Array.from({ length: NEW_USERS }, (_, i) => {
    const u = desiredUser(USERS + i);
    const first = u.memberships?.[0];
    return { ...u, memberships: first === undefined ? [] : [first] };
  });
  const createPlanResult = createPlan(desiredState(fresh), liveState([]), OPTIONS);
  const createCalls = createPlanResult.operations.length;

  const changes = plan?.changes.length ?? 0;
  return Promise.resolve({
    name: 'plan',
    figures: {
      'desired users': USERS,
      'live users': USERS,
      'changed users': changes,
      'createPlan ms (best of 5)': Math.round(planMs),
      'createPlan ms (all runs)': runs.map((r) => Math.round(r)).join(', '),
      'peak RSS MB': Math.round(peakRssMb),
      'live data JSON MB': Math.round(serialised.length / 2 ** 20),
      'JSON.parse ms (best of 5)': Math.round(parseMs),
      'createPlan / JSON.parse': Math.round(ratio * 100) / 100,
      'operations for the 100k plan': plan?.operations.length ?? 0,
      'API calls, 10,000 new users in one vault': createCalls,
      'API calls, per-user client': NEW_USERS,
    },
    targets: [
      { name: 'createPlan 100k×3 memberships < 2 s', pass: planMs < 2000, detail: `${Math.round(planMs)} ms` },
      { name: 'peak RSS < 600 MB', pass: peakRssMb < 600, detail: `${Math.round(peakRssMb)} MB` },
      { name: 'createPlan ≤ 3× JSON.parse of the live data', pass: ratio <= 3, detail: `${ratio.toFixed(2)}× (${Math.round(planMs)} ms vs ${Math.round(parseMs)} ms)` },
      { name: '10,000 new users in one vault → 20 calls', pass: createCalls === 20, detail: `${createCalls} calls vs ${NEW_USERS} for a per-user client` },
    ],
  });
};

export default bench;
