/**
 * Simulator at a million users: how long a 1,000,000-user seed takes to load (check, build the
 * store, listen) and how much memory the loaded simulator holds; then one Retrieve All Users
 * page at the start and one at the end, to show the loaded users are served. The seed is built
 * inside the simulator's worker thread (bench/remote-simulator.ts), minimal users with one
 * membership each, so the figure is the simulator's own load, not the building of the seed.
 */
import { defaultSeed } from '../src/simulator/default-state.js';
import type { SeedUser, SimulatorSeed } from '../src/simulator/types.js';
import { startRemoteSimulator } from './remote-simulator.js';
import type { Bench, BenchReport } from './types.js';

const USERS = 1_000_000;
const FIRST_ID = 100_000;
const PAGE = 1000;
const LOAD_TARGET_MS = 30_000;

/** Built inside the simulator's worker. */
export function millionUserSeed(count: number = USERS): SimulatorSeed {
  const base = defaultSeed();
  const users: SeedUser[] = (base.users ?? []).filter((u) => typeof u.id === 'number' && u.id < 100);
  const vaults = [3003, 4004, 5005] as const;
  for (let i = 0; i < count; i++) users.push({ id: FIRST_ID + i, user_name__v: `u${i}@veepharm.com`, vault_membership: [{ vault_id: vaults[i % 3] ?? 3003 }] });
  return { ...base, users };
}

async function page(url: string, sid: string, start: number): Promise<{ ms: number; ids: number[] }> {
  const t0 = performance.now();
  const response = await fetch(`${url}/api/v25.2/objects/users?vaults=all&limit=${PAGE}&start=${start}`, { headers: { Authorization: sid } });
  const body = (await response.json()) as { users?: { user: { id: number } }[] };
  return { ms: performance.now() - t0, ids: (body.users ?? []).map((u) => u.user.id) };
}

const bench: Bench = async (): Promise<BenchReport> => {
  // CPU time of the whole process (the worker shares it): wall time on a busy shared machine says little.
  const cpu0 = process.cpuUsage();
  const ready = await startRemoteSimulator({ seed: { module: import.meta.url, name: 'millionUserSeed', args: [USERS] }, burstLimit: 100_000_000 });
  const cpu = process.cpuUsage(cpu0);
  const loadCpuS = (cpu.user + cpu.system) / 1e6;
  try {
    const auth = await fetch(`${ready.url}/api/v25.2/auth`, { method: 'POST', body: new URLSearchParams({ username: ready.adminUser, password: 'admin' }) });
    const sid = ((await auth.json()) as { sessionId?: string }).sessionId ?? '';
    const first = await page(ready.url, sid, 0);
    // The seed's users, the default seed's system users and the admin: the last page ends with the admin.
    const last = await page(ready.url, sid, USERS);
    const served = first.ids.length === PAGE && last.ids.length > 0 && (last.ids.at(-1) ?? 0) === FIRST_ID + USERS;
    return {
      name: 'simulator-scale',
      figures: {
        seed_users: USERS,
        seed_build_and_load_ms: Math.round(ready.startMs),
        seed_build_and_load_cpu_s: Number(loadCpuS.toFixed(1)),
        process_rss_mb_after_load: Math.round(ready.rssMb),
        process_peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
        first_page_ms: Number(first.ms.toFixed(1)),
        last_page_ms: Number(last.ms.toFixed(1)),
        last_page_users: last.ids.length,
      },
      targets: [
        {
          name: `loads a ${USERS.toLocaleString('en-US')}-user seed and serves its first and last page`,
          pass: served,
          detail: `first page ${first.ids.length} users, last page ${last.ids.length} users ending at id ${String(last.ids.at(-1))}`,
        },
        {
          name: `seed built and loaded in < ${LOAD_TARGET_MS / 1000} s of CPU`,
          pass: loadCpuS * 1000 < LOAD_TARGET_MS,
          detail: `${loadCpuS.toFixed(1)} s CPU, ${(ready.startMs / 1000).toFixed(1)} s wall, RSS ${Math.round(ready.rssMb)} MB after load`,
        },
      ],
    };
  } finally {
    await ready.close();
  }
};

export default bench;
