/**
 * client-read: reading the live state of a domain with 100,000 users from the simulator.
 *
 * Targets: the user listing takes ceil(rows / 1000) list calls (rows = every user the API
 * returns, system-owned included) and no other calls besides auth, me, domain, policies and
 * licenses; the client's wall time is within 1.5x of the time the simulator needs to serve the
 * same pages fetched raw, back to back.
 *
 * The simulator runs in a worker thread, as Vault runs on its own servers: in the same thread
 * the client's decoding would stall the simulator and the comparison would measure neither.
 * RSS is per process, so it includes the simulator's store; the main thread's peak heap is the
 * reader's own share.
 *
 * Paging figures: the same domain read under every read profile of the simulator (page cap 200
 * with the limit echoed, echoed as requested, or not echoed; a refused large limit; `size` as a
 * total; other membership shapes), switched with PUT /_sim/profile. Target: each takes exactly
 * the calls its reading allows (ceil(rows / page length), plus the one refused call) and reads
 * every user.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defaultSeed, humanSeedUser } from '../src/simulator/default-state.js';
import type { SeedUser, SimulatorSeed } from '../src/simulator/types.js';
import { createVaultClient } from '../src/vault/client.js';
import { readLiveState } from '../src/vault/live-state.js';
import { READ_PROFILES, type SimulatorProfile } from '../src/simulator/profiles.js';
import { DEFAULT_USER_PAGE_SIZE, USER_PAGE_SIZE } from '../src/vault-api/index.js';
import { packageRoot } from '../src/version.js';
import { startRemoteSimulator, type RemoteSimulator } from './remote-simulator.js';
import type { Bench } from './types.js';

const USERS = 100_000;
const RUNS = 3;
const API = 'v26.2';
const DNS = 'veepharm-clinical.veevavault.com';

/** Built inside the simulator's worker (see bench/remote-simulator.ts). */
export function benchSeed(count: number): SimulatorSeed {
  const base = defaultSeed();
  const vaults = [3003, 4004, 5005] as const;
  const apps: Readonly<Record<number, string>> = { 3003: 'rimReg_v', 4004: 'qualityDocs_v', 5005: 'ctms_v' };
  const users: SeedUser[] = Array.from({ length: count }, (_, i) => {
    const home = vaults[i % 3] ?? 3003;
    const second = vaults[(i + 1) % 3] ?? 4004;
    return humanSeedUser(100_001 + i, `bench.user${i}@veepharm.com`, home, {
      user_first_name__v: 'Bench',
      user_last_name__v: `User ${i}`,
      company__v: 'VeePharm',
      vault_membership: [
        { vault_id: home, active__v: true, security_profile__v: 'document_user__v', license_type__v: 'full__v' },
        ...(i % 4 === 0 ? [{ vault_id: second, active__v: true, security_profile__v: 'read_only_user__v', license_type__v: 'read_only__v' as const }] : []),
      ],
      app_licensing: [{ vault_id: home, application_name: apps[home] ?? 'rimReg_v', active__v: true, license_type__v: 'full__v' }],
    });
  });
  return { ...base, users: [...(base.users ?? []), ...users], counters: { ...base.counters, next_user_id: 100_001 + count } };
}

/** The simulator as the main thread sees it: a URL and a few questions over the worker channel. */
/** Fetches every user page back to back with plain fetch: the simulator's own serving time. */
async function rawPages(sim: RemoteSimulator, sessionId: string, parse = false): Promise<{ ms: number; pages: number; rows: number }> {
  const started = performance.now();
  let start = 0;
  let pages = 0;
  for (;;) {
    const url = `${sim.url}/api/${API}/objects/users?vaults=all&exclude_vault_membership=false&exclude_app_licensing=false&limit=${USER_PAGE_SIZE}&start=${start}`;
    const response = await fetch(url, { headers: { Authorization: sessionId, Accept: 'application/json' } });
    const text = await response.text();
    pages += 1;
    // Count rows without a full parse: every user carries exactly one user_name__v.
    const rows = parse ? (JSON.parse(text) as { users: unknown[] }).users.length : text.split('"user_name__v"').length - 1;
    start += rows;
    if (rows < USER_PAGE_SIZE) return { ms: performance.now() - started, pages, rows: start };
  }
}

/** The client's paged listing (fetch, text, JSON.parse) without normalising users. */
async function listingOnly(sim: RemoteSimulator): Promise<number> {
  const client = createVaultClient({ baseUrl: sim.url, apiVersion: API, credentials: { username: sim.adminUser, password: 'admin' }, vaultDns: DNS });
  await client.session();
  const started = performance.now();
  let rows = 0;
  for await (const page of client.listUserPages()) rows += page.length;
  if (rows === 0) throw new Error('listing returned no users');
  return performance.now() - started;
}

interface CliRun {
  readonly ms: number;
  readonly exitCode: number;
  readonly unmanaged: string;
}

/**
 * The whole `vault-roster plan` command (a separate process: YAML load, login, live read of the
 * whole domain, plan) of examples/full against the 100,000-user simulator. Its seats guard would
 * fail (the bench seed uses far more ctms_v seats than the demo licenses), hence the allow flag.
 */
async function cliPlan(sim: RemoteSimulator): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), 'vault-roster-bench-'));
  try {
    cpSync(join(packageRoot(), 'examples', 'full'), dir, { recursive: true });
    const cli = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
    const env = { ...process.env, VAULT_URL: sim.url, VAULT_USERNAME: sim.adminUser, VAULT_PASSWORD: 'admin', VAULT_DNS: DNS };
    const started = performance.now();
    const outcome = await promisify(execFile)(process.execPath, [cli, 'plan', '--config', join(dir, 'roster.yaml'), '--format', 'json', '--allow-license-overuse'], {
      env,
      maxBuffer: 64 * 2 ** 20,
    }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (error: unknown) => ({ code: (error as { code?: number }).code ?? 1, stdout: (error as { stdout?: string }).stdout ?? '' }),
    );
    const ms = performance.now() - started;
    const plan = JSON.parse(outcome.stdout) as { diagnostics: { code: string; summary: string }[] };
    const unmanaged = plan.diagnostics.find((d) => d.code === 'unmanaged-users')?.summary.split(' ')[0] ?? '0';
    return { ms, exitCode: outcome.code, unmanaged };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ClientRun {
  readonly ms: number;
  readonly peakRss: number;
  readonly peakHeap: number;
  readonly users: number;
  readonly listCalls: number;
  readonly otherCalls: Readonly<Record<string, number>>;
}

async function clientRun(sim: RemoteSimulator): Promise<ClientRun> {
  await sim.clearRequestLog();
  const client = createVaultClient({
    baseUrl: sim.url,
    apiVersion: API,
    credentials: { username: sim.adminUser, password: 'admin' },
    vaultDns: DNS,
    expectedVaultId: 5005,
  });
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sample = (): void => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const sampler = setInterval(sample, 25);
  const started = performance.now();
  const live = await readLiveState(client, { promotions: false });
  const ms = performance.now() - started;
  clearInterval(sampler);
  sample();
  const otherCalls: Record<string, number> = {};
  let listCalls = 0;
  for (const entry of await sim.requestLog()) {
    const path = entry.path.replace(`/api/${API}`, '');
    if (entry.method === 'GET' && path === '/objects/users') listCalls += 1;
    else otherCalls[`${entry.method} ${path}`] = (otherCalls[`${entry.method} ${path}`] ?? 0) + 1;
  }
  return { ms, peakRss, peakHeap, users: live.users.size, listCalls, otherCalls };
}

/** List calls a profile's reading allows for `rows` rows (see src/vault/user-list.ts). */
function expectedListCalls(profile: SimulatorProfile, rows: number): number {
  const { pageCap, overCap } = profile.read;
  const length = Math.min(USER_PAGE_SIZE, pageCap);
  const pages = Math.ceil(rows / length) + (rows % length === 0 ? 1 : 0);
  const refused = pageCap < USER_PAGE_SIZE && overCap === 'refuse' ? 1 : 0;
  // Below Vault's default of 200, a fallback to 200 would read pages of the cap: not a profile we ship.
  if (refused === 1 && pageCap < DEFAULT_USER_PAGE_SIZE) throw new Error(`profile ${profile.name}: cap below ${DEFAULT_USER_PAGE_SIZE}`);
  return pages + refused;
}

interface ProfileRun {
  readonly name: string;
  readonly ms: number;
  readonly users: number;
  readonly listCalls: number;
  readonly expected: number;
}

/** readLiveState of the whole domain while the simulator plays `profile`. */
async function profileRun(sim: RemoteSimulator, profile: SimulatorProfile, rows: number): Promise<ProfileRun> {
  const set = await fetch(`${sim.url}/_sim/profile`, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: profile.name });
  if (!set.ok) throw new Error(`cannot switch the simulator to profile ${profile.name}: HTTP ${set.status}`);
  await sim.clearRequestLog();
  const client = createVaultClient({ baseUrl: sim.url, apiVersion: API, credentials: { username: sim.adminUser, password: 'admin' }, vaultDns: DNS });
  const started = performance.now();
  const live = await readLiveState(client, { promotions: false });
  const ms = performance.now() - started;
  const listCalls = (await sim.requestLog()).filter((e) => e.method === 'GET' && e.path === `/api/${API}/objects/users`).length;
  return { name: profile.name, ms, users: live.users.size, listCalls, expected: expectedListCalls(profile, rows) };
}

const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
const round = (ms: number): number => Math.round(ms);

const bench: Bench = async () => {
  // The runs below make several thousand calls; a burst budget would make the client pace itself
  // (wait for the 5-minute window) and measure the wait, not the reading.
  const sim = await startRemoteSimulator({ seed: { module: import.meta.url, name: 'benchSeed', args: [USERS] }, burstLimit: 1_000_000 });
  const seedMs = sim.startMs;
  try {
    const login = createVaultClient({ baseUrl: sim.url, apiVersion: API, credentials: { username: sim.adminUser, password: 'admin' }, vaultDns: DNS });
    const { sessionId } = await login.session();
    // Warm-up of both paths: the first pass pays for JIT compilation on both sides.
    await rawPages(sim, sessionId);
    const baseline = process.memoryUsage();
    await clientRun(sim);
    const raws: { ms: number; pages: number; rows: number }[] = [];
    const runs: ClientRun[] = [];
    const listings: number[] = [];
    const parsed: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      raws.push(await rawPages(sim, sessionId));
      parsed.push((await rawPages(sim, sessionId, true)).ms);
      listings.push(await listingOnly(sim));
      runs.push(await clientRun(sim));
    }
    const cli = await cliPlan(sim);
    const profiles: ProfileRun[] = [];
    for (const profile of READ_PROFILES) profiles.push(await profileRun(sim, profile, raws[0]?.rows ?? 0));
    await fetch(`${sim.url}/_sim/profile`, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: 'default' });
    const raw = raws.reduce((a, b) => (b.ms < a.ms ? b : a));
    const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const expectedCalls = Math.ceil(raw.rows / USER_PAGE_SIZE) + (raw.rows % USER_PAGE_SIZE === 0 ? 1 : 0);
    const allowedOthers = new Set([
      `POST /auth`,
      `GET /objects/users/me`,
      `GET /objects/domain`,
      `GET /objects/securitypolicies`,
      `GET /objects/licenses`,
    ]);
    const strayCalls = Object.keys(best.otherCalls).filter((k) => !allowedOthers.has(k));
    const ratio = best.ms / raw.ms;
    return {
      name: 'client-read',
      figures: {
        'seeded users (human)': USERS,
        'rows listed (incl. admin + 3 system users)': raw.rows,
        'users in LiveState': best.users,
        'page size': USER_PAGE_SIZE,
        'list calls': best.listCalls,
        'other calls': Object.entries(best.otherCalls)
          .map(([k, v]) => `${k} ×${v}`)
          .join(', '),
        'simulator start + seed (ms)': round(seedMs),
        'raw page fetch, best of runs (ms)': round(raw.ms),
        'readLiveState wall, best of runs (ms)': round(best.ms),
        'raw fetch + JSON.parse, best of runs (ms)': round(Math.min(...parsed)),
        'client page listing incl. JSON.parse, without normalising, best of runs (ms)': round(Math.min(...listings)),
        'readLiveState wall, all runs (ms)': runs.map((r) => round(r.ms)).join(', '),
        'raw fetch, all runs (ms)': raws.map((r) => round(r.ms)).join(', '),
        'wall / raw': Math.round(ratio * 100) / 100,
        'process RSS before reads, incl. simulator worker (MiB)': mib(baseline.rss),
        'peak process RSS during reads (MiB)': mib(Math.max(...runs.map((r) => r.peakRss))),
        'main-thread heap before reads (MiB)': mib(baseline.heapUsed),
        'peak main-thread heap during reads (MiB)': mib(Math.max(...runs.map((r) => r.peakHeap))),
        'vault-roster plan (CLI, examples/full) against this domain, wall (ms)': round(cli.ms),
        'vault-roster plan exit code / unmanaged users reported': `${cli.exitCode} / ${cli.unmanaged}`,
        ...Object.fromEntries(
          profiles.map((p) => [`profile ${p.name}: list calls / users / readLiveState (ms)`, `${p.listCalls} / ${p.users} / ${round(p.ms)}`]),
        ),
      },
      targets: [
        {
          name: `list calls = ceil(rows / ${USER_PAGE_SIZE}) (+1 only when rows is an exact multiple)`,
          pass: best.listCalls === expectedCalls && runs.every((r) => r.listCalls === expectedCalls),
          detail: `${best.listCalls} list calls for ${raw.rows} rows (expected ${expectedCalls})`,
        },
        {
          name: 'no calls besides auth, me, domain, policies, licenses',
          pass: strayCalls.length === 0 && Object.values(best.otherCalls).every((n) => n === 1),
          detail: strayCalls.length === 0 ? Object.keys(best.otherCalls).join(', ') : `unexpected: ${strayCalls.join(', ')}`,
        },
        {
          name: '`vault-roster plan` reads the whole 100,000-user domain',
          pass: cli.exitCode === 0 && Number(cli.unmanaged) === best.users,
          detail: `exit ${cli.exitCode}, ${cli.unmanaged} of ${best.users} live users reported unmanaged (examples/full declares none of them), ${round(cli.ms)} ms`,
        },
        {
          name: 'every read profile: exactly the list calls its paging allows, every user read',
          pass: profiles.every((p) => p.listCalls === p.expected && p.users === best.users),
          detail: profiles
            .filter((p) => p.listCalls !== p.expected || p.users !== best.users)
            .map((p) => `${p.name}: ${p.listCalls} calls (expected ${p.expected}), ${p.users} users`)
            .join('; ') || `${profiles.length} profiles, calls ${[...new Set(profiles.map((p) => p.listCalls))].sort((a, b) => a - b).join(' / ')}`,
        },
        {
          name: 'readLiveState wall ≤ 1.5 × raw page serving time',
          pass: ratio <= 1.5,
          detail: `${round(best.ms)} ms vs ${round(raw.ms)} ms raw (${(Math.round(ratio * 100) / 100).toFixed(2)}x)`,
        },
      ],
    };
  } finally {
    await sim.close();
  }
};


export default bench;
