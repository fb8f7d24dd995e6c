/**
 * End to end, as a user runs it: a generated repo of N users over 20 YAML files and a simulator
 * holding the same N users; `vault-roster validate`, `plan` (0% and 10% changed), `plan --format
 * markdown` and `import`, each a child process, best of 3. Records wall time, peak RSS (each
 * child's own, through bench/rss-probe.ts), API calls (the simulator's request log) and the
 * ratio to the floors: JSON.parse of the same data (the YAML floor) and raw page serving of the
 * live users (the live-read floor).
 *
 * Sizes: 10,000 and 100,000 users; BENCH_E2E_300K=1 adds 300,000 (several minutes), and
 * BENCH_E2E_SIZES=5000,20000 replaces the list.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadDesiredState } from '../src/desired/index.js';
import { parseSubset } from '../src/desired/yaml-subset.js';
import { createVaultClient } from '../src/vault/client.js';
import { USER_PAGE_SIZE } from '../src/vault-api/index.js';
import { packageRoot } from '../src/version.js';
import { writeRepo } from './e2e-data.js';
import { startRemoteSimulator, type RemoteSimulator } from './remote-simulator.js';
import type { Bench, BenchTarget } from './types.js';

const API = 'v26.2';
const DNS = 'veepharm-clinical.veevavault.com';
const RUNS = 3;
const FILES = 20;

function sizes(): number[] {
  const listed = process.env.BENCH_E2E_SIZES;
  if (listed !== undefined && listed !== '') return listed.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  return [10_000, 100_000, ...(process.env.BENCH_E2E_300K === '1' ? [300_000] : [])];
}

interface CommandRun {
  readonly ms: number;
  readonly code: number;
  readonly rssMb: number;
  /** User + system CPU time of the child. */
  readonly cpuMs: number;
  readonly calls: number;
  readonly outBytes: number;
  readonly stderr: string;
}

const cli = (): string => join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
const probe = (): string => pathToFileURL(join(packageRoot(), 'dist', 'bench', 'rss-probe.js')).href;

/** One CLI command as a child process; stdout is counted, not kept (a 10%-changed plan is large). */
async function runCli(sim: RemoteSimulator, args: readonly string[], cwd: string, scratch: string): Promise<CommandRun> {
  await sim.clearRequestLog();
  const rssFile = join(scratch, `rss-${process.hrtime.bigint()}`);
  const env = { ...process.env, VAULT_URL: sim.url, VAULT_USERNAME: sim.adminUser, VAULT_PASSWORD: 'admin', VAULT_DNS: DNS, VAULT_ROSTER_BENCH_RSS: rssFile, NO_COLOR: '1' };
  const started = performance.now();
  const { code, outBytes, stderr } = await new Promise<{ code: number; outBytes: number; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', probe(), cli(), ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < 4000) err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (exit) => {
      resolve({ code: exit ?? -1, outBytes: bytes, stderr: err });
    });
  });
  const ms = performance.now() - started;
  const calls = (await sim.requestLog()).length;
  let usage = { maxRssKb: Number.NaN, userUs: Number.NaN, systemUs: Number.NaN };
  try {
    usage = JSON.parse(readFileSync(rssFile, 'utf8')) as typeof usage;
  } catch {
    // The child died before its exit handler ran; the figures stay NaN and the exit code says why.
  }
  return { ms, code, rssMb: usage.maxRssKb / 1024, cpuMs: (usage.userUs + usage.systemUs) / 1000, calls, outBytes, stderr };
}

interface Best {
  readonly best: CommandRun;
  readonly all: readonly number[];
  /** Least CPU time over the runs. */
  readonly cpuMs: number;
}

async function bestOf(run: () => Promise<CommandRun>, expectedCode: number, label: string): Promise<Best> {
  const runs: CommandRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await run();
    if (r.code !== expectedCode) throw new Error(`${label}: exit ${r.code}, expected ${expectedCode}\n${r.stderr}`);
    runs.push(r);
  }
  const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
  return { best, all: runs.map((r) => r.ms), cpuMs: Math.min(...runs.map((r) => r.cpuMs)) };
}

/** JSON.parse of the same users data as the repo's YAML files: the YAML floor. */
function jsonFloor(repo: string): { ms: number; mb: number } {
  const dir = join(repo, 'users');
  const jsons = readdirSync(dir).map((f) => JSON.stringify(parseSubset(readFileSync(join(dir, f), 'utf8'))?.data));
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    for (const json of jsons) JSON.parse(json);
    best = Math.min(best, performance.now() - started);
  }
  return { ms: best, mb: jsons.reduce((n, j) => n + j.length, 0) / 2 ** 20 };
}

/** Every user page fetched raw, back to back: the live-read floor (the simulator's own serving time). */
async function liveFloor(sim: RemoteSimulator): Promise<number> {
  const client = createVaultClient({ baseUrl: sim.url, apiVersion: API, credentials: { username: sim.adminUser, password: 'admin' }, vaultDns: DNS });
  const { sessionId } = await client.session();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    for (let start = 0; ; start += USER_PAGE_SIZE) {
      const url = `${sim.url}/api/${API}/objects/users?vaults=all&exclude_vault_membership=false&exclude_app_licensing=false&limit=${USER_PAGE_SIZE}&start=${start}`;
      const text = await (await fetch(url, { headers: { Authorization: sessionId, Accept: 'application/json' } })).text();
      if (text.split('"user_name__v"').length - 1 < USER_PAGE_SIZE) break;
    }
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** loadDesiredState in this process, best of 3 (for the 4× growth check of the loader alone). */
async function loaderMs(repo: string): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const result = await loadDesiredState(join(repo, 'roster.yaml'), { cwd: repo });
    if (!result.ok) throw new Error(`generated repo is invalid: ${result.diagnostics[0]?.summary ?? '?'}`);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

interface SizeResult {
  readonly users: number;
  readonly yamlMb: number;
  readonly json: { ms: number; mb: number };
  readonly liveMs: number;
  readonly seedMs: number;
  readonly commands: Readonly<Record<string, Best>>;
}

async function measureSize(users: number): Promise<SizeResult> {
  const scratch = mkdtempSync(join(tmpdir(), 'vault-roster-e2e-'));
  // No burst limit in the way: the runs make ~2,100 calls within five minutes, past Vault's 2,000,
  // and the client would (rightly) wait for the next window. Pacing has its own bench (apply).
  const sim = await startRemoteSimulator({ burstLimit: 1_000_000, seed: { module: new URL('./e2e-data.js', import.meta.url).href, name: 'e2eSeed', args: [users] } });
  try {
    const same = join(scratch, 'same');
    const changed = join(scratch, 'changed');
    const yamlBytes = writeRepo(same, { url: sim.url, count: users, changedShare: 0, files: FILES });
    writeRepo(changed, { url: sim.url, count: users, changedShare: 0.1, files: FILES });
    const json = jsonFloor(same);
    const liveMs = await liveFloor(sim);
    const commands: Record<string, Best> = {};
    const config = (repo: string): string[] => ['--config', join(repo, 'roster.yaml')];
    commands.validate = await bestOf(() => runCli(sim, ['validate', ...config(same)], scratch, scratch), 0, 'validate');
    commands['plan 0%'] = await bestOf(() => runCli(sim, ['plan', '--detailed-exitcode', ...config(same)], scratch, scratch), 0, 'plan 0%');
    commands['plan 10%'] = await bestOf(() => runCli(sim, ['plan', '--detailed-exitcode', ...config(changed)], scratch, scratch), 2, 'plan 10%');
    commands['plan 10% markdown'] = await bestOf(() => runCli(sim, ['plan', '--format', 'markdown', ...config(changed)], scratch, scratch), 0, 'plan markdown');
    let imports = 0;
    commands.import = await bestOf(() => runCli(sim, ['import', '--out', join(scratch, `import-${imports++}`)], scratch, scratch), 0, 'import');
    return { users, yamlMb: yamlBytes / 2 ** 20, json, liveMs, seedMs: sim.startMs, commands };
  } finally {
    await sim.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function loaderGrowth(users: number): Promise<{ small: number; large: number }> {
  const scratch = mkdtempSync(join(tmpdir(), 'vault-roster-e2e-'));
  try {
    writeRepo(join(scratch, 'small'), { url: 'http://127.0.0.1:1', count: users / 4, changedShare: 0, files: FILES });
    writeRepo(join(scratch, 'large'), { url: 'http://127.0.0.1:1', count: users, changedShare: 0, files: FILES });
    await loaderMs(join(scratch, 'small'));
    return { small: await loaderMs(join(scratch, 'small')), large: await loaderMs(join(scratch, 'large')) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const r2 = (x: number): number => Math.round(x * 100) / 100;

const bench: Bench = async () => {
  const results: SizeResult[] = [];
  // Other work on the machine slows every figure: the 1-minute load average says how much.
  const loads: number[] = [loadavg()[0] ?? Number.NaN];
  for (const users of sizes()) {
    console.log(`  … ${users} users`);
    results.push(await measureSize(users));
  }
  loads.push(loadavg()[0] ?? Number.NaN);
  const figures: Record<string, number | string> = { 'load average (1 min) at start / end of the runs (2 cores)': loads.map((l) => l.toFixed(1)).join(' / ') };
  for (const res of results) {
    const k = `${res.users / 1000}k`;
    figures[`${k}: YAML written (MiB) / as JSON (MiB)`] = `${r2(res.yamlMb)} / ${r2(res.json.mb)}`;
    figures[`${k}: floor JSON.parse of the same data (ms)`] = Math.round(res.json.ms);
    figures[`${k}: floor raw page serving of the live users (ms)`] = Math.round(res.liveMs);
    figures[`${k}: simulator seed load (ms)`] = Math.round(res.seedMs);
    for (const [name, b] of Object.entries(res.commands)) {
      figures[`${k}: ${name} wall ms (best of ${RUNS}; all)`] = `${Math.round(b.best.ms)} (${b.all.map((m) => Math.round(m)).join(', ')})`;
      figures[`${k}: ${name} CPU ms (best) / peak RSS MB / API calls`] = `${Math.round(b.cpuMs)} / ${Math.round(b.best.rssMb)} / ${b.best.calls}`;
    }
  }
  const largest = results.at(-1);
  const smallest = results[0];
  const growth = largest === undefined ? undefined : await loaderGrowth(largest.users);
  if (growth !== undefined && largest !== undefined) {
    figures[`loadDesiredState ${largest.users / 4000}k vs ${largest.users / 1000}k users (ms, in process)`] = `${Math.round(growth.small)} vs ${Math.round(growth.large)}: ${r2(growth.large / growth.small)}x for 4x the users`;
  }
  const targets: BenchTarget[] = [];
  const at100k = results.find((r) => r.users === 100_000);
  if (at100k !== undefined) {
    const floor = at100k.json.ms + at100k.liveMs;
    const cmd = at100k.commands;
    const validate = cmd.validate?.best;
    const plan0 = cmd['plan 0%']?.best;
    const plan10 = cmd['plan 10%']?.best;
    const markdown = cmd['plan 10% markdown']?.best;
    const imp = cmd.import?.best;
    if (validate) targets.push({ name: 'validate 100k ≤ 2 s', pass: validate.ms <= 2000, detail: `${s(validate.ms)}, ${r2(validate.ms / at100k.json.ms)}x the JSON.parse floor` });
    for (const [label, run] of [['plan 0%', plan0], ['plan 10%', plan10], ['plan 10% markdown', markdown]] as const) {
      if (run === undefined) continue;
      targets.push({ name: `${label} 100k ≤ 3 s`, pass: run.ms <= 3000, detail: s(run.ms) });
      targets.push({
        name: `${label} 100k ≤ 2× (YAML floor + live-read floor)`,
        pass: run.ms <= 2 * floor,
        detail: `${r2(run.ms / floor)}x (${s(run.ms)} vs ${s(at100k.json.ms)} + ${s(at100k.liveMs)})`,
      });
      targets.push({ name: `${label} 100k peak RSS ≤ 600 MB`, pass: run.rssMb <= 600, detail: `${Math.round(run.rssMb)} MB` });
    }
    if (imp) targets.push({ name: 'import 100k ≤ 5 s', pass: imp.ms <= 5000, detail: `${s(imp.ms)}, ${r2(imp.ms / at100k.liveMs)}x the live-read floor, ${Math.round(imp.rssMb)} MB` });
  }
  if (largest !== undefined && smallest !== undefined && largest !== smallest) {
    const users = largest.users / smallest.users;
    for (const name of Object.keys(largest.commands)) {
      const big = largest.commands[name]?.best.ms ?? 0;
      const small = smallest.commands[name]?.best.ms ?? 1;
      const factor = big / small / users;
      targets.push({
        name: `${name}: growth ${smallest.users / 1000}k → ${largest.users / 1000}k ≤ linear × 1.2`,
        pass: factor <= 1.2,
        detail: `${r2(big / small)}x the time for ${users}x the users (${r2(factor)} of linear)`,
      });
    }
  }
  if (growth !== undefined) {
    targets.push({ name: 'loader: 4× the users ≤ 4.5× the time', pass: growth.large / growth.small <= 4.5, detail: `${r2(growth.large / growth.small)}x` });
  }
  return { name: 'e2e', figures, targets };
};

export default bench;
