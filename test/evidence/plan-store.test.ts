// Apply keeps the plan it runs under its id: written once, found again (checked by digest), and
// a different or damaged file under that name is refused, never overwritten.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepPlan, keptPlanPath, plansDirFor, readPlanFile } from '../../src/apply/index.js';
import { planId } from '../../src/plan/index.js';
import { goldenPlan } from '../render/fixture.js';

describe('keepPlan', () => {
  it('writes the plan under its id beside the journal folder, and finds it again', () => {
    const state = mkdtempSync(join(tmpdir(), 'vr-plans-'));
    const dir = plansDirFor(join(state, 'journal'));
    expect(dir).toBe(join(state, 'plans'));
    const plan = goldenPlan();
    const path = keepPlan(dir, plan);
    expect(path).toBe(keptPlanPath(dir, planId(plan)));
    expect(planId(readPlanFile(path))).toBe(planId(plan));
    // The same plan with other key order and spacing is the same plan: kept as it is.
    writeFileSync(path, JSON.stringify(JSON.parse(readFileSync(path, 'utf8')) as unknown, null, 4));
    const spaced = readFileSync(path, 'utf8');
    expect(keepPlan(dir, plan)).toBe(path);
    expect(readFileSync(path, 'utf8')).toBe(spaced);
  });

  it.each([
    ['another plan under the name', (text: string) => text.replace(/"created_at":"[^"]*"/, '"created_at":"2020-01-01T00:00:00.000Z"'), 'its content digest is '],
    ['a damaged file', (text: string) => text.slice(0, 100), 'it is not a readable plan'],
  ])('refuses %s and leaves it untouched', (_name, damage, why) => {
    const dir = join(mkdtempSync(join(tmpdir(), 'vr-plans-')), 'plans');
    const plan = goldenPlan();
    const path = keepPlan(dir, plan);
    const damaged = damage(readFileSync(path, 'utf8'));
    writeFileSync(path, damaged);
    expect(() => keepPlan(dir, plan)).toThrow(`${path} should hold plan ${planId(plan)} but ${why}`);
    expect(readFileSync(path, 'utf8')).toBe(damaged);
  });
});
