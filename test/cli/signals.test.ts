// Signals during apply, in a real child process against the simulator on 127.0.0.1: the first
// Ctrl-C (or SIGTERM) stops sending, lets the call in flight finish and be journaled, prints the
// resume command and exits 130; a second Ctrl-C exits at once; either way the plan resumes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/index.js';
import { startRosterFixture, type RosterFixture } from '../helpers/roster.js';
import { duplicateUserNames, journalFiles, readJournal, writesIn } from '../apply/support.js';
import { ensureBuilt, startCli, until } from './child.js';

/** Per call: long enough that a signal lands while a batch is in flight. */
const LATENCY_MS = 30;

async function plannedFixture(): Promise<{ fx: RosterFixture; plan: Plan }> {
  const fx = await startRosterFixture({ sim: { latencyMs: LATENCY_MS } });
  const planned = await fx.run(['plan', '--out', 'plan.json']);
  expect(planned.code, planned.stderr).toBe(0);
  const plan = JSON.parse(readFileSync(join(fx.dir, 'plan.json'), 'utf8')) as Plan;
  expect(plan.operations.length).toBeGreaterThan(3);
  fx.sim.clearRequestLog();
  return { fx, plan };
}

/** Re-running the plan finishes it: no changes left, no user twice. */
async function expectResumes(fx: RosterFixture): Promise<void> {
  const rerun = await fx.run(['apply', 'plan.json', '--auto-approve']);
  expect(rerun.code, rerun.stderr).toBe(0);
  expect(rerun.stdout).toContain('(resumed an interrupted run)');
  const replan = await fx.run(['plan', '--detailed-exitcode']);
  expect(replan.code, replan.stdout).toBe(0);
  expect(duplicateUserNames(fx.sim.dump().users ?? [])).toEqual([]);
}

describe('signals during apply', () => {
  beforeAll(ensureBuilt, 120_000);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`the first ${signal} stops sending, finishes the call in flight, prints the resume command and exits 130`, { timeout: 60_000 }, async () => {
      const { fx, plan } = await plannedFixture();
      const child = startCli(['apply', 'plan.json', '--auto-approve', '--concurrency', '1'], { cwd: fx.dir, env: fx.env });
      await until(() => writesIn(fx.sim.requestLog()).length >= 1, 'the first write');
      child.process.kill(signal);
      const code = await child.exit;
      expect(code, child.stderr()).toBe(130);
      expect(child.stderr()).toContain('interrupt: sending no new calls');
      expect(child.stderr()).toContain('apply interrupted');
      expect(child.stderr()).toContain('Resume with: vault-roster apply plan.json --concurrency 1\n');
      expect(child.stderr()).not.toMatch(/error \[internal\]| {4}at /);

      const [journalPath] = journalFiles(fx.dir);
      const entries = readJournal(journalPath ?? '');
      expect(entries.filter((e) => e.type === 'run_started')).toHaveLength(1);
      expect(entries.some((e) => e.type === 'run_finished')).toBe(false);
      const started = entries.flatMap((e) => (e.type === 'batch_started' ? [e.op_id] : []));
      const finished = entries.flatMap((e) => (e.type === 'batch_finished' ? [e.op_id] : []));
      // The batch in flight finished and was journaled; nothing after it was sent.
      expect(finished).toEqual(started);
      expect(started.length).toBeGreaterThanOrEqual(1);
      expect(started.length).toBeLessThan(plan.operations.length);
      const sent = entries.filter((e) => e.type === 'sent').length;
      expect(writesIn(fx.sim.requestLog())).toHaveLength(sent);

      await expectResumes(fx);
      await fx.sim.close();
    });
  }

  it('a second Ctrl-C exits at once, and the journal still resumes', { timeout: 60_000 }, async () => {
    const { fx, plan } = await plannedFixture();
    const child = startCli(['apply', 'plan.json', '--auto-approve', '--concurrency', '1'], { cwd: fx.dir, env: fx.env });
    await until(() => writesIn(fx.sim.requestLog()).length >= 1, 'the first write');
    child.process.kill('SIGINT');
    await until(() => child.stderr().includes('interrupt: sending no new calls'), 'the first interrupt notice');
    child.process.kill('SIGINT');
    const code = await child.exit;
    expect(code, child.stderr()).toBe(130);
    expect(child.stderr()).toContain('SIGINT, stopped at once');
    expect(child.stderr()).not.toContain('Resume with');
    const [journalPath] = journalFiles(fx.dir);
    const entries = readJournal(journalPath ?? '');
    expect(entries.filter((e) => e.type === 'batch_started').length).toBeLessThan(plan.operations.length);
    await expectResumes(fx);
    await fx.sim.close();
  });
});
