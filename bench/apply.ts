/**
 * apply: running a large plan against the simulator.
 *
 * Part 1, 50 ms latency per call: 10,000 new users and 10,000 security-profile changes. Targets:
 * calls (reads included) within 1.02x of the minimum (500 rows per bulk call: 20 creates + 20
 * updates, plus the reads), and the apply's wall time within 1.2x of what that call count needs
 * at the chosen concurrency (ceil(calls / concurrency) x latency).
 * Part 2, burst limit 200 per 2-second window: an apply of several windows' worth of calls paces
 * itself and receives no delayed (X-VaultAPI-ResponseDelay) and no rejected response.
 *
 * The simulator runs in a worker thread, as Vault runs on its own servers: in one thread the
 * client's work would stall the simulator and the other way round.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { applyPlan, planId, vaultPort } from '../src/apply/index.js';
import { DEFAULT_POLICY, type DesiredState, type DesiredUser, type LiveState } from '../src/model.js';
import { createPlan, type Operation, type Plan } from '../src/plan/index.js';
import { defaultSeed, humanSeedUser } from '../src/simulator/default-state.js';
import type { RequestLogEntry, SeedUser, SimulatorOptions, SimulatorSeed } from '../src/simulator/types.js';
import { createVaultClient, readLiveState, type ClientEvent, type VaultClient } from '../src/vault/index.js';
import { newUserBody, UPSERT_ID_PARAM, USERS_PATH, userWriteBody } from '../src/vault-api/index.js';
import { startRemoteSimulator, type RemoteSimulator } from './remote-simulator.js';
import type { Bench, BenchReport, BenchTarget } from './types.js';

const API = 'v26.2';
const DNS = 'veepharm-clinical.veevavault.com';
const VAULT = 5005;
const ROWS_PER_CALL = 500;
const CONCURRENCY = 4;

interface SimSetup {
  /** Existing users `bench.oldN` (document_user__v in vault 5005, site__v set). */
  readonly existing: number;
  readonly options: Omit<SimulatorOptions, 'seed' | 'port'>;
}

function existingUser(i: number): SeedUser {
  return humanSeedUser(100_001 + i, `bench.old${i}@veepharm.com`, VAULT, { user_first_name__v: 'Old', user_last_name__v: `User ${i}`, site__v: 'Old Site' });
}

/** Built inside the simulator's worker (see bench/remote-simulator.ts). */
export function benchSeed(existing: number): SimulatorSeed {
  const base = defaultSeed();
  const users = Array.from({ length: existing }, (_, i) => existingUser(i));
  return { ...base, users: [...(base.users ?? []), ...users], counters: { ...base.counters, next_user_id: 100_001 + existing } };
}

/** The simulator for a setup, in a worker thread (bench/remote-simulator.ts). */
function startSetupSimulator(setup: SimSetup): Promise<RemoteSimulator> {
  return startRemoteSimulator({ ...setup.options, seed: { module: import.meta.url, name: 'benchSeed', args: [setup.existing] } });
}

// --- desired state and the apply -------------------------------------------------------------

const SOURCE = { file: 'users/bench.yaml', line: 1, col: 1 };

function desiredUser(name: string, first: string, last: string, profile: string, fields?: Record<string, null>): DesiredUser {
  return {
    user_name: name,
    first_name: first,
    last_name: last,
    email: name,
    timezone: 'America/New_York',
    locale: 'en_US',
    language: 'en',
    security_policy: '821',
    ...(fields === undefined ? {} : { fields }),
    memberships: [{ vault_id: VAULT, active: true, security_profile: profile, license_type: 'full__v' }],
    source: SOURCE,
  };
}

interface Wanted {
  readonly fresh: number;
  /** Existing users whose profile changes (bulk update rows). */
  readonly profiles: number;
  /** Existing users whose site__v is cleared (one single-user PUT each). */
  readonly cleared: number;
}

function desiredState(dir: string, wanted: Wanted): DesiredState {
  const users: DesiredUser[] = [];
  for (let i = 0; i < wanted.fresh; i += 1) users.push(desiredUser(`bench.new${i}@veepharm.com`, 'New', `User ${i}`, 'document_user__v'));
  for (let i = 0; i < wanted.profiles; i += 1) users.push(desiredUser(`bench.old${i}@veepharm.com`, 'Old', `User ${i}`, 'business_admin__v'));
  for (let i = wanted.profiles; i < wanted.profiles + wanted.cleared; i += 1) {
    users.push(desiredUser(`bench.old${i}@veepharm.com`, 'Old', `User ${i}`, 'document_user__v', { site__v: null }));
  }
  users.sort((a, b) => (a.user_name < b.user_name ? -1 : 1));
  return {
    config_path: join(dir, 'roster.yaml'),
    target: { url: `https://${DNS}`, api_version: API, vault_id: VAULT, dns: DNS },
    policy: { ...DEFAULT_POLICY, unmanaged_users: 'ignore' },
    state_path: join(dir, '.vault-roster', 'state.json'),
    users,
    sitevault: [],
    files: [],
  };
}

interface Connected {
  readonly client: VaultClient;
  subscribe(listener: (event: ClientEvent) => void): () => void;
}

function connect(sim: RemoteSimulator, burstWindowMs?: number): Connected {
  const listeners = new Set<(event: ClientEvent) => void>();
  const client = createVaultClient({
    baseUrl: sim.url,
    apiVersion: API,
    credentials: { username: sim.adminUser, password: 'admin' },
    vaultDns: DNS,
    expectedVaultId: VAULT,
    concurrency: CONCURRENCY,
    ...(burstWindowMs === undefined ? {} : { burstWindowMs }),
    onEvent: (event) => {
      for (const l of listeners) l(event);
    },
  });
  return {
    client,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

interface Run {
  readonly plan: Plan;
  readonly readMs: number;
  readonly planIdMs: number;
  readonly applyMs: number;
  readonly log: RequestLogEntry[];
  readonly failed: number;
  readonly paceWaits: number;
}

/** Reads live state, plans, applies; the request log covers reads and writes of this run only. */
async function planAndApply(sim: RemoteSimulator, wanted: Wanted, burstWindowMs?: number): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'vr-bench-apply-'));
  const desired = desiredState(dir, wanted);
  const connection = connect(sim, burstWindowMs);
  let paceWaits = 0;
  connection.subscribe((event) => {
    if (event.type === 'pace' && event.action === 'wait') paceWaits += 1;
  });
  await sim.clearRequestLog();
  const readStarted = performance.now();
  const live: LiveState = await readLiveState(connection.client, { promotions: false });
  const readMs = performance.now() - readStarted;
  const plan = createPlan(desired, live, {
    tool_version: 'bench',
    created_at: new Date().toISOString(),
    target: { url: `https://${DNS}`, server: sim.url, vault_id: live.vault_id, api_version: API },
    allow: {},
  });
  // The CLI hashes the plan for its journal check before it applies; do the same, timed apart.
  const idStarted = performance.now();
  planId(plan);
  const planIdMs = performance.now() - idStarted;
  const applyStarted = performance.now();
  const report = await applyPlan({
    plan,
    desired,
    live,
    serverUrl: sim.url,
    port: vaultPort(connection.client),
    journalDir: join(dir, '.vault-roster', 'journal'),
    concurrency: CONCURRENCY,
    toolVersion: 'bench',
    subscribeClientEvents: (listener) => connection.subscribe(listener),
  });
  const applyMs = performance.now() - applyStarted;
  return { plan, readMs, planIdMs, applyMs, log: await sim.requestLog(), failed: report.counts.failed, paceWaits };
}

/** A bulk user operation as the plain HTTP request the client would send for it. */
function rawRequest(base: string, op: Operation): { url: string; method: string; body: string } {
  switch (op.kind) {
    case 'create_users':
      return { url: `${base}${USERS_PATH}`, method: 'POST', body: JSON.stringify(op.rows.map((r) => newUserBody(r, VAULT))) };
    case 'upsert_users':
      return {
        url: `${base}${USERS_PATH}?operation=upsert&idParam=${UPSERT_ID_PARAM[op.match]}`,
        method: 'POST',
        body: JSON.stringify(op.rows.map((r) => userWriteBody(r, op.match))),
      };
    case 'update_users':
      return { url: `${base}${USERS_PATH}`, method: 'PUT', body: JSON.stringify(op.rows.map((r) => userWriteBody(r, 'id'))) };
    default:
      throw new Error(`the apply bench sends only bulk user calls, not ${op.kind}`);
  }
}

/**
 * The same write calls sent raw (plain fetch, bodies prebuilt, same concurrency) to a fresh
 * simulator with the same seed: what the simulator itself needs to serve them.
 */
async function rawWrites(setup: SimSetup, plan: Plan): Promise<number> {
  const sim = await startSetupSimulator(setup);
  try {
    const auth = await fetch(`${sim.url}/api/${API}/auth`, {
      method: 'POST',
      body: new URLSearchParams({ username: sim.adminUser, password: 'admin', vaultDNS: DNS }),
    });
    const { sessionId } = (await auth.json()) as { sessionId: string };
    const bodies = plan.operations.map((op) => rawRequest(`${sim.url}/api/${API}`, op));
    const limit = pLimit(CONCURRENCY);
    const started = performance.now();
    await Promise.all(
      bodies.map((req) =>
        limit(async () => {
          const response = await fetch(req.url, {
            method: req.method,
            headers: { Authorization: sessionId, Accept: 'application/json', 'Content-Type': 'application/json' },
            body: req.body,
          });
          const answer = (await response.json()) as { responseStatus: string };
          if (answer.responseStatus !== 'SUCCESS') throw new Error(`raw ${req.method} failed: ${JSON.stringify(answer)}`);
        }),
      ),
    );
    return performance.now() - started;
  } finally {
    await sim.close();
  }
}

const isWrite = (e: RequestLogEntry): boolean => e.method !== 'GET' && !e.path.endsWith('/auth') && !e.path.endsWith('/query');
const ratio = (a: number, b: number): string => (a / b).toFixed(3);

async function largeApply(): Promise<{ figures: Record<string, number | string>; targets: BenchTarget[] }> {
  const FRESH = 10_000;
  const PROFILES = 10_000;
  const LATENCY = 50;
  const setup: SimSetup = { existing: PROFILES, options: { latencyMs: LATENCY } };
  const sim = await startSetupSimulator(setup);
  try {
    const run = await planAndApply(sim, { fresh: FRESH, profiles: PROFILES, cleared: 0 });
    const rawMs = await rawWrites(setup, run.plan);
    const writes = run.log.filter(isWrite);
    const reads = run.log.length - writes.length;
    const minWrites = Math.ceil(FRESH / ROWS_PER_CALL) + Math.ceil(PROFILES / ROWS_PER_CALL);
    const minimum = reads + minWrites;
    const idealMs = Math.ceil(writes.length / CONCURRENCY) * LATENCY;
    const rowsSent = writes.reduce((n, e) => n + (e.rows ?? 0), 0);
    const figures = {
      'part 1 users created': FRESH,
      'part 1 profile changes': PROFILES,
      'part 1 plan operations': run.plan.operations.length,
      'part 1 read calls': reads,
      'part 1 write calls': writes.length,
      'part 1 rows sent': rowsSent,
      'part 1 minimum calls (reads + 40 writes)': minimum,
      'part 1 calls / minimum': ratio(run.log.length, minimum),
      'part 1 read ms': Math.round(run.readMs),
      'part 1 plan id (journal name) ms': Math.round(run.planIdMs),
      'part 1 apply ms': Math.round(run.applyMs),
      'part 1 ideal apply ms (ceil(writes / 4) x 50)': idealMs,
      'part 1 apply ms / ideal': ratio(run.applyMs, idealMs),
      'part 1 same write calls sent raw, ms': Math.round(rawMs),
      'part 1 apply ms / raw': ratio(run.applyMs, rawMs),
      'part 1 failed rows': run.failed,
    };
    const targets: BenchTarget[] = [
      {
        name: 'calls <= 1.02x the minimum (500 rows per bulk call, plus the reads)',
        pass: run.log.length <= minimum * 1.02 && run.failed === 0,
        detail: `${run.log.length} calls (${reads} reads + ${writes.length} writes) vs minimum ${minimum}: ${ratio(run.log.length, minimum)}x; ${run.failed} failed rows`,
      },
      {
        name: 'apply wall time <= 1.2x (write calls / concurrency 4 x 50 ms latency)',
        pass: run.applyMs <= idealMs * 1.2,
        detail: `${Math.round(run.applyMs)} ms vs ${idealMs} ms: ${ratio(run.applyMs, idealMs)}x`,
      },
      {
        name: 'apply wall time <= 1.2x the same write calls sent raw (fetch, concurrency 4) to the simulator',
        pass: run.applyMs <= rawMs * 1.2,
        detail: `${Math.round(run.applyMs)} ms vs ${Math.round(rawMs)} ms raw: ${ratio(run.applyMs, rawMs)}x`,
      },
    ];
    return { figures, targets };
  } finally {
    await sim.close();
  }
}

async function pacedApply(): Promise<{ figures: Record<string, number | string>; targets: BenchTarget[] }> {
  const BURST = 200;
  const WINDOW_MS = 2_000;
  const FRESH = 5_000;
  const CLEARED = 600;
  const sim = await startSetupSimulator({ existing: CLEARED, options: { latencyMs: 5, burstLimit: BURST, burstWindowMs: WINDOW_MS } });
  try {
    const run = await planAndApply(sim, { fresh: FRESH, profiles: 0, cleared: CLEARED }, WINDOW_MS);
    const delayed = run.log.filter((e) => (e.delayedMs ?? 0) > 0).length;
    const rejected = run.log.filter((e) => e.errorTypes.includes('API_LIMIT_EXCEEDED')).length;
    const windows = Math.ceil(run.log.length / BURST);
    const figures = {
      'part 2 burst limit / window': `${BURST} / ${WINDOW_MS} ms`,
      'part 2 calls': run.log.length,
      'part 2 write calls': run.log.filter(isWrite).length,
      'part 2 burst windows needed at least': windows,
      'part 2 pacing waits': run.paceWaits,
      'part 2 apply ms': Math.round(run.applyMs),
      'part 2 delayed responses': delayed,
      'part 2 rejected responses': rejected,
      'part 2 failed rows': run.failed,
    };
    const targets: BenchTarget[] = [
      {
        name: `burst limit ${BURST} per ${WINDOW_MS} ms: the apply paces itself, zero delayed or rejected responses`,
        pass: delayed === 0 && rejected === 0 && run.failed === 0 && run.log.length > BURST,
        detail: `${run.log.length} calls over >= ${windows} windows, ${run.paceWaits} pacing waits, ${delayed} delayed, ${rejected} rejected, ${run.failed} failed rows`,
      },
    ];
    return { figures, targets };
  } finally {
    await sim.close();
  }
}

const bench: Bench = async (): Promise<BenchReport> => {
  const large = await largeApply();
  const paced = await pacedApply();
  return { name: 'apply', figures: { ...large.figures, ...paced.figures }, targets: [...large.targets, ...paced.targets] };
};

export default bench;

