/**
 * The streamed JSON view is JSON.stringify(plan, null, 2) byte for byte, for any JSON in any
 * member of a plan: long arrays written in slices, large objects member by member, and the odd
 * values JSON.stringify drops or turns into null.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Plan } from '../../src/plan/index.js';
import { renderPlan, writePlan } from '../../src/render/index.js';
import { goldenPlan } from '../render/fixture.js';

const KEYS = ['format_version', 'created_at', 'tool_version', 'target', 'git_commit', 'git_dirty', 'desired_digest', 'desired_files', 'settings', 'live_digests', 'changes', 'operations', 'diagnostics', 'summary', 'seats'] as const;

/** What the JSON view wrote before it streamed: the plan's keys in document order, stringified whole. */
function reference(plan: Record<string, unknown>): string {
  const ordered: Record<string, unknown> = {};
  for (const key of KEYS) if (plan[key] !== undefined) ordered[key] = plan[key];
  return JSON.stringify(ordered, null, 2) + '\n';
}

function streamed(plan: Plan): string {
  const chunks: string[] = [];
  writePlan(plan, 'json', { color: false }, (c) => chunks.push(c));
  return chunks.join('');
}

const json = fc.jsonValue({ maxDepth: 3 });
/** Long arrays and wide objects, either side of the 32-member slice, nested a level or two. */
const big = fc.oneof(
  fc.array(json, { minLength: 20, maxLength: 100 }),
  fc.dictionary(fc.string({ maxLength: 6 }), json, { minKeys: 20, maxKeys: 60 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.array(json, { minLength: 30, maxLength: 70 }), { maxKeys: 3 }),
  json,
);

describe('streamed JSON view', () => {
  it('is the golden plan byte for byte', () => {
    const plan = goldenPlan();
    expect(streamed(plan)).toBe(reference(plan as unknown as Record<string, unknown>));
    expect(renderPlan(plan, 'json', { color: false })).toBe(streamed(plan));
  });

  it('is JSON.stringify(plan, null, 2) for any JSON in any member', () => {
    fc.assert(
      fc.property(fc.record({ changes: big, live_digests: big, diagnostics: big, settings: json, extra: json }, { requiredKeys: [] }), (parts) => {
        const plan = { ...goldenPlan(), ...parts } as unknown as Plan;
        expect(streamed(plan)).toBe(reference(plan as unknown as Record<string, unknown>));
      }),
      { numRuns: 25 },
    );
  });

  it('writes what JSON.stringify drops or nulls the same way (undefined, functions, empty containers, integer-like keys)', () => {
    const odd = Array.from({ length: 70 }, (_, i) => (i % 3 === 0 ? undefined : i % 3 === 1 ? { a: undefined, b: [] } : {}));
    const wide = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [i % 2 === 0 ? String(i) : `k${i}`, i % 5 === 0 ? undefined : { x: [i] }]));
    const plan = { ...goldenPlan(), changes: odd, live_digests: { users: wide, persons: {}, sitevault: [] }, diagnostics: [] } as unknown as Plan;
    expect(streamed(plan)).toBe(reference(plan as unknown as Record<string, unknown>));
  });
});
