/**
 * The review keys in the loader: `reviewed` and `review_exception` kept with their positions,
 * bad dates and unknown flags refused at file:line:col, the roster's `review:` block accepted, and
 * neither key able to change a plan (they are never sent to Vault).
 */
import { appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReviewConfig, readReviewSettings } from '../../src/review/index.js';
import { createPlan } from '../../src/plan/index.js';
import { BASE_ROSTER, expectDiagnostic, summarise, usersFileLoader } from '../desired/temp-repo.js';
import { liveState, liveUser, OPTIONS } from '../plan/fixtures.js';

const repos = usersFileLoader();
afterAll(() => {
  repos.cleanup();
});
const load = repos.load;

const ANN = ['users:', '  - user_name: Ann.Lee@veepharm.com', '    first_name: Ann', '    memberships:', '      - vault: 3003', '        security_profile: system_admin__v'];
const REVIEW_KEYS = [
  '    reviewed: { by: "Kate <kate@veepharm.com>", on: 2026-05-01 }',
  '    review_exception:',
  '      until: 2026-09-30',
  '      reason: CAPA-77 pending',
  '      flags: [PRIVILEGED, REVIEW_DUE]',
];

describe('review keys in users files', () => {
  it('are kept with where they were declared', async () => {
    const result = await load([...ANN.slice(0, 2), ...REVIEW_KEYS, ...ANN.slice(2), ''].join('\n'));
    expect(summarise(result.diagnostics)).toEqual([]);
    if (!result.ok) throw new Error('not ok');
    const [ann] = result.state.users;
    expect(ann?.reviewed).toEqual({ by: 'Kate <kate@veepharm.com>', on: '2026-05-01', source: { file: 'users/team.yaml', line: 3, col: 5 } });
    expect(ann?.review_exception).toEqual({ until: '2026-09-30', reason: 'CAPA-77 pending', flags: ['PRIVILEGED', 'REVIEW_DUE'], source: { file: 'users/team.yaml', line: 4, col: 5 } });
  });

  it.each([
    ['reviewed.on not a day', '    reviewed: { by: Kate, on: 2026-02-30 }', 'review-invalid-date', 'users/team.yaml:3:31'],
    ['exception until not a day', '    review_exception: { until: 2026-13-01, reason: x, flags: [DORMANT] }', 'review-invalid-date', 'users/team.yaml:3:32'],
    ['reviewed without by', '    reviewed: { on: 2026-02-01 }', 'schema-required', undefined],
    ['a flag that cannot be deferred', '    review_exception: { until: 2026-10-01, reason: x, flags: [ORPHANED] }', undefined, undefined],
  ])('%s is refused', async (_name, line, code, where) => {
    const result = await load([...ANN.slice(0, 2), line, ''].join('\n'));
    expect(result.ok).toBe(false);
    if (code === 'review-invalid-date') expectDiagnostic(result.diagnostics, code, where);
    else expect(result.diagnostics.some((d) => d.position?.file === 'users/team.yaml' && d.position.line === 3), JSON.stringify(summarise(result.diagnostics))).toBe(true);
  });

  it('roster.yaml accepts a review: block and refuses unknown keys in it', async () => {
    const ok = await load([...ANN, ''].join('\n'), `${BASE_ROSTER}review:\n  dormant_days: 60\n  interval_days: 180\n  orphan_owner: security@veepharm.com\n  owners:\n    users/*.yaml: [kate]\n`);
    expect(summarise(ok.diagnostics)).toEqual([]);
    if (!ok.ok) throw new Error('not ok');
    const cwd = dirname(ok.state.config_path);
    expect(readReviewSettings(ok.state, cwd)).toMatchObject({ dormant_days: 60, interval_days: 180, orphan_owner: 'security@veepharm.com' });
    // The review: block is read again from roster.yaml: only the bytes the load checked are used.
    appendFileSync(ok.state.config_path, '  dormant_days: oops\n');
    expect(() => readReviewSettings(ok.state, cwd)).toThrow('roster.yaml changed since vault-roster loaded it');
    expect(() => readReviewConfig(ok.state, cwd)).toThrow('roster.yaml changed since vault-roster loaded it');
    const bad = await load([...ANN, ''].join('\n'), `${BASE_ROSTER}review:\n  dormant: 60\n`);
    expect(bad.ok).toBe(false);
    expect(summarise(bad.diagnostics).some((s) => s.startsWith('roster.yaml:7:'))).toBe(true);
  });

  it('never change a plan: the same changes and operations with and without them', async () => {
    const without = await load([...ANN, ''].join('\n'));
    const withKeys = await load([...ANN.slice(0, 2), ...REVIEW_KEYS, ...ANN.slice(2), ''].join('\n'));
    if (!without.ok || !withKeys.ok) throw new Error('not ok');
    for (const live of [liveState(), liveState({ users: [liveUser('ann.lee@veepharm.com', 5)] })]) {
      const a = createPlan(without.state, live, OPTIONS);
      const b = createPlan(withKeys.state, live, OPTIONS);
      expect(b.changes.length).toBeGreaterThan(0);
      expect(b.changes).toEqual(a.changes);
      expect(b.operations).toEqual(a.operations);
      expect(JSON.stringify(b.operations)).not.toContain('review');
    }
  });
});
