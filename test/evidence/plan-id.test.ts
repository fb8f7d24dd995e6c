// The plan id is sha256 of the plan's RFC 8785 canonical JSON: key order and spacing do not
// change it, any value does, and keys sort by UTF-16 code units (integer-like keys included).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalSha256, planId, type Plan } from '../../src/plan/index.js';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** An independent reference: builds the canonical text as one string. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined);
    keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The same object with its keys inserted in reverse order, at every level. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  // fromEntries defines own properties: a `__proto__` key stays a key (an assignment would not).
  return Object.fromEntries(Object.keys(value).reverse().map((key) => [key, reversedKeys((value as Record<string, unknown>)[key])]));
}

describe('plan id', () => {
  it.each([
    ['keys sort by code unit, integer-like keys as strings', { a: 3, '10': 1, B: 4, '2': 2 }, '{"10":1,"2":2,"B":4,"a":3}'],
    ['nested objects and arrays keep array order', { z: [{ b: 1, a: 2 }, 3], y: null }, '{"y":null,"z":[{"a":2,"b":1},3]}'],
    ['undefined members are left out, undefined items are null', { a: undefined, b: [undefined, true] }, '{"b":[null,true]}'],
    ['astral characters sort by their UTF-16 surrogates', { '\uffff': 1, '\u{1f600}': 2 }, '{"\u{1f600}":2,"\uffff":1}'],
    ['a __proto__ key read from a file is a key like any other', JSON.parse('{"b":1,"__proto__":{"x":1}}') as unknown, '{"__proto__":{"x":1},"b":1}'],
    ['strings escaped as JSON.stringify does', { s: 'a"b\\\n\u0001é' }, '{"s":"a\\"b\\\\\\n\\u0001é"}'],
  ])('%s', (_name, value, canonical) => {
    expect(canonicalSha256(value)).toBe(sha256(canonical));
  });

  it('equals sha256 of the reference canonical form for any JSON value, whatever its key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const id = canonicalSha256(value);
        expect(id).toBe(sha256(reference(value)));
        expect(canonicalSha256(reversedKeys(value))).toBe(id);
      }),
      { numRuns: 300 },
    );
  });

  it('is the same for a plan object and its file read back, and changes with any value', () => {
    const plan = { format_version: 2, created_at: '2026-01-01T00:00:00.000Z', target: { vault_id: 1, url: 'https://v' }, changes: [] } as unknown as Plan;
    const id = planId(plan);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(planId(JSON.parse(JSON.stringify(plan, null, 2)) as Plan)).toBe(id);
    expect(planId({ ...plan, created_at: '2026-01-01T00:00:00.001Z' })).not.toBe(id);
  });
});
