// Crash safety: a child process running `apply plan.json` is killed with SIGKILL at a random
// point (seeded), ten times over. Each time, re-running the same plan converges (re-plan shows
// no changes), no user exists twice, the re-run never meets ITEM_NAME_EXISTS, and the journal
// is complete (every batch started is finished by the end; the re-run finished).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/index.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { duplicateUserNames, journalFiles, journalRun, readJournal, seededRandom, writesIn } from './support.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const TRIALS = 10;
/** Per /api call: long enough that a kill lands inside calls, short enough for ten trials. */
const LATENCY_MS = 30;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The child runs the built CLI: build it when it is missing or older than src/. */
function ensureBuilt(): void {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestSource(join(ROOT, 'src'))) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  } catch {
    // Type errors elsewhere still emit JavaScript; only a missing entry point stops the test.
  }
  if (!existsSync(MAIN)) throw new Error(`${MAIN} was not built`);
}

interface Kill {
  readonly writesSeen: number;
  readonly exitedByItself: boolean;
}

/**
 * Starts `apply plan.json` in a child and SIGKILLs it once Vault answered `k` requests (reads
 * included, so the first writes can be cut off too), plus a random delay.
 */
async function runAndKill(fx: RosterFixture, k: number, extraDelayMs: number): Promise<Kill> {
  const child = spawn(process.execPath, [MAIN, 'apply', 'plan.json', '--auto-approve', '--config', join(fx.dir, 'roster.yaml')], {
    cwd: fx.dir,
    env: { PATH: process.env.PATH, ...fx.env },
    stdio: 'ignore',
  });
  const status = { exited: false };
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      status.exited = true;
      resolve();
    }),
  );
  const running = (): boolean => !status.exited;
  while (running() && fx.sim.requestLog().length < k) await sleep(2);
  if (running()) await sleep(extraDelayMs);
  const exitedByItself = !running();
  child.kill('SIGKILL');
  await exit;
  const writesSeen = writesIn(fx.sim.requestLog()).length;
  // Requests the dead process left inside the simulator's latency still complete; let them.
  await sleep(LATENCY_MS * 3);
  return { writesSeen, exitedByItself };
}

describe('apply killed at random points', () => {
  beforeAll(ensureBuilt, 120_000);

  it(`converges after SIGKILL in ${TRIALS} seeded trials, with no duplicate user and a complete journal`, { timeout: 90_000 }, async () => {
    const random = seededRandom(20_261_122);
    const kills: string[] = [];
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const fx = await startRosterFixture({ sim: { latencyMs: LATENCY_MS } });
      const planned = await fx.run(['plan', '--out', 'plan.json']);
      expect(planned.code, planned.stderr).toBe(0);
      const plan = JSON.parse(readFileSync(join(fx.dir, 'plan.json'), 'utf8')) as Plan;
      const writes = plan.operations.length;
      // apply reads what plan read (to check staleness) before its first write.
      const reads = fx.sim.requestLog().length;
      fx.sim.clearRequestLog();

      const k = reads - 1 + Math.floor(random() * writes);
      const kill = await runAndKill(fx, k, Math.floor(random() * LATENCY_MS));
      expect(kill.exitedByItself, `trial ${trial}: the child finished before the kill`).toBe(false);

      const [journalPath] = journalFiles(fx.dir);
      const killedRun = journalPath === undefined ? [] : journalRun(readJournal(journalPath), 0);
      const finishedBefore = new Set(killedRun.flatMap((e) => (e.type === 'batch_finished' ? [e.op_id] : [])));
      const cutOff = killedRun.flatMap((e) => (e.type === 'batch_started' && !finishedBefore.has(e.op_id) ? [`${e.op_id}:${e.kind}`] : []));
      kills.push(`trial ${trial}: killed after ${kill.writesSeen}/${writes} writes, cut off in [${cutOff.join(' ')}]`);

      const rerun = await fx.run(['apply', 'plan.json', '--auto-approve']);
      expect(rerun.code, `trial ${trial}: ${rerun.stderr}`).toBe(0);
      const replan = await fx.run(['plan', '--detailed-exitcode']);
      expect(replan.code, `trial ${trial}: ${replan.stdout}`).toBe(0);

      const users = fx.sim.dump().users ?? [];
      expect(duplicateUserNames(users), `trial ${trial}`).toEqual([]);
      // examples/full creates three groups: a cut-off Create Group is looked up by label, never sent twice.
      const labels = (fx.sim.dump().groups ?? []).map((g) => `${g.vault_id}:${g.label__v.toLowerCase()}`);
      expect(labels.length - new Set(labels).size, `trial ${trial}: duplicate groups`).toBe(0);

      const [finalJournal] = journalFiles(fx.dir);
      expect(finalJournal, `trial ${trial}: a journal exists`).toBeDefined();
      const entries = readJournal(finalJournal ?? '');
      const alreadyDone = rerun.stdout.includes('already applied in full');
      if (!alreadyDone) {
        // The re-run is the last run (a kill during the reads leaves no run of its own).
        const runs = entries.filter((e) => e.type === 'run_started').length;
        expect(runs, `trial ${trial}`).toBe(killedRun.length === 0 ? 1 : 2);
        const second = journalRun(entries, runs - 1);
        expect(second.at(-1)?.type, `trial ${trial}: the re-run finished`).toBe('run_finished');
        const refused = second.flatMap((e) => (e.type === 'row_result' && e.error_type === 'ITEM_NAME_EXISTS' ? [e.key] : []));
        expect(refused, `trial ${trial}`).toEqual([]);
      }
      // Every batch started in any run was finished by a later entry.
      const open = new Set<string>();
      for (const e of entries) {
        if (e.type === 'batch_started') open.add(e.op_id);
        if (e.type === 'batch_finished') open.delete(e.op_id);
      }
      expect([...open], `trial ${trial}: batches left unfinished`).toEqual([]);
      await fx.sim.close();
    }
    if (process.env.VR_CRASH_VERBOSE === '1') process.stdout.write(kills.join('\n') + '\n');
    expect(kills).toHaveLength(TRIALS);
  });
});
