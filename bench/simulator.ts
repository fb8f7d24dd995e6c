/**
 * Simulator benchmark: with 100,000 users loaded, how fast is a 1,000-user page of
 * GET /objects/users (vaults=all, memberships and app licenses included), and how many small
 * requests per second does it sustain on loopback? The simulator runs in a worker thread so
 * the load generator does not share its event loop (as a real client would not).
 */
import { defaultSeed } from '../src/simulator/default-state.js';
import type { SeedUser, SimulatorSeed } from '../src/simulator/types.js';
import { startRemoteSimulator } from './remote-simulator.js';
import type { Bench, BenchReport } from './types.js';

const USERS = 100_000;
const PAGE = 1000;
const PAGE_PASSES = 3;
const SMALL_REQUESTS = 20_000;
const CONCURRENCY = 16;


/** Built inside the simulator's worker (see bench/remote-simulator.ts). */
export function benchSeed(defaults: SimulatorSeed = defaultSeed()): SimulatorSeed {
  const vaults = [3003, 4004, 5005];
  const apps: Record<number, string> = { 3003: 'rimReg_v', 4004: 'qualityQms_v', 5005: 'ctms_v' };
  const users: SeedUser[] = [];
  for (let i = 0; i < USERS; i++) {
    const home = vaults[i % 3] ?? 3003;
    const second = vaults[(i + 1) % 3] ?? 4004;
    users.push({
      id: 30_000 + i,
      user_name__v: `user${i}@veepharm.com`,
      user_first_name__v: `First${i}`,
      user_last_name__v: `Last${i}`,
      company__v: 'VeePharm',
      vault_membership: [
        { vault_id: home, active__v: true, security_profile__v: 'document_user__v', license_type__v: 'full__v' },
        ...(i % 4 === 0 ? [{ vault_id: second, active__v: i % 8 === 0, security_profile__v: 'read_only_user__v', license_type__v: 'read_only__v' as const }] : []),
      ],
      app_licensing: [{ vault_id: home, application_name: apps[home] ?? 'rimReg_v', active__v: true, license_type__v: 'full__v' }],
    });
  }
  return { ...defaults, users: [...(defaults.users ?? []), ...users] };
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/api/v25.2/auth`, { method: 'POST', body: new URLSearchParams({ username: 'admin@sim.veevavault.local', password: 'admin' }) });
  const body = (await response.json()) as { sessionId?: string };
  if (body.sessionId === undefined) throw new Error('bench login failed');
  return body.sessionId;
}

async function measurePages(url: string, sid: string): Promise<{ times: number[]; bytes: number; users: number }> {
  const times: number[] = [];
  let bytes = 0;
  let users = 0;
  for (let pass = 0; pass < PAGE_PASSES; pass++) {
    for (let start = 0; ; start += PAGE) {
      const query = `vaults=all&exclude_vault_membership=false&exclude_app_licensing=false&limit=${PAGE}&start=${start}`;
      const t0 = performance.now();
      const response = await fetch(`${url}/api/v25.2/objects/users?${query}`, { headers: { Authorization: sid } });
      const text = await response.text();
      const elapsed = performance.now() - t0;
      const count = (JSON.parse(text) as { users: unknown[] }).users.length;
      if (pass > 0 && count === PAGE) times.push(elapsed);
      if (pass === 0) {
        bytes = Math.max(bytes, text.length);
        users += count;
      }
      if (count < PAGE) break;
    }
  }
  return { times, bytes, users };
}

async function measureThroughput(url: string, sid: string): Promise<{ seconds: number; failures: number }> {
  let next = 0;
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (next < SMALL_REQUESTS) {
      next += 1;
      const response = await fetch(`${url}/api/v25.2/objects/users/me`, { headers: { Authorization: sid } });
      const body = (await response.json()) as { responseStatus: string };
      if (body.responseStatus !== 'SUCCESS') failures += 1;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { seconds: (performance.now() - t0) / 1000, failures };
}

const bench: Bench = async (): Promise<BenchReport> => {
  const ready = await startRemoteSimulator({ seed: { module: import.meta.url, name: 'benchSeed', args: [] }, burstLimit: 100_000_000 });
  try {
    const sid = await login(ready.url);
    const pages = await measurePages(ready.url, sid);
    const sorted = [...pages.times].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p95 = percentile(sorted, 95);
    // Warm the connection pool, then measure.
    await Promise.all(Array.from({ length: CONCURRENCY }, () => fetch(`${ready.url}/api/v25.2/objects/users/me`, { headers: { Authorization: sid } }).then((r) => r.text())));
    const throughput = await measureThroughput(ready.url, sid);
    const rps = SMALL_REQUESTS / throughput.seconds;
    return {
      name: 'simulator',
      figures: {
        users_loaded: pages.users,
        seed_load_ms: Math.round(ready.startMs),
        server_rss_mb_after_load: Math.round(ready.rssMb),
        page_size: PAGE,
        pages_measured: sorted.length,
        page_p50_ms: Number(p50.toFixed(1)),
        page_p95_ms: Number(p95.toFixed(1)),
        page_max_ms: Number((sorted.at(-1) ?? NaN).toFixed(1)),
        page_bytes: pages.bytes,
        small_requests: SMALL_REQUESTS,
        concurrency: CONCURRENCY,
        small_requests_per_s: Math.round(rps),
        small_request_failures: throughput.failures,
      },
      targets: [
        {
          name: `1,000-user page with ${USERS.toLocaleString('en-US')} users loaded < 50 ms (p95, round trip)`,
          pass: p95 < 50,
          detail: `p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms over ${sorted.length} pages`,
        },
        {
          name: '>= 2,000 small requests/s on loopback (GET /objects/users/me, keep-alive)',
          pass: rps >= 2000 && throughput.failures === 0,
          detail: `${Math.round(rps)} req/s over ${SMALL_REQUESTS} requests, concurrency ${CONCURRENCY}, ${throughput.failures} failures`,
        },
      ],
    };
  } finally {
    await ready.close();
  }
};


export default bench;
