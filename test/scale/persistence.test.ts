/**
 * The simulator's state file is written in chunks (a million users' state is more than one
 * string can hold) and is still JSON.stringify(state, null, 1) byte for byte.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stateChunks } from '../../src/simulator/persistence.js';
import { defaultSeed, type SimulatorSeed } from '../../src/simulator/index.js';

function written(state: SimulatorSeed): string {
  return [...stateChunks(state)].join('');
}

describe('state file chunks', () => {
  it('are JSON.stringify(state, null, 1) for a million users, in chunks of about a MiB', () => {
    const users = Array.from({ length: 1_000_000 }, (_, i) => ({ id: i, user_name__v: `u${i}` }));
    const state = { ...defaultSeed(), users } as SimulatorSeed;
    const chunks = [...stateChunks(state)];
    expect(chunks.length).toBeGreaterThan(30);
    expect(chunks.every((c) => c.length < 2 ** 21)).toBe(true);
    expect(chunks.join('')).toBe(JSON.stringify(state, null, 1) + '\n');
  });

  it('are JSON.stringify(state, null, 1) for any seed-like JSON', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 5 }), json, { maxKeys: 5 }), fc.option(fc.array(json, { maxLength: 30 }), { nil: undefined }), (rest, users) => {
        const state = { ...rest, ...(users === undefined ? {} : { users }) } as unknown as SimulatorSeed;
        expect(written(state)).toBe(JSON.stringify(state, null, 1) + '\n');
      }),
      { numRuns: 100 },
    );
    expect(written({} as SimulatorSeed)).toBe('{}\n');
    expect(written({ users: [], counters: undefined } as unknown as SimulatorSeed)).toBe(JSON.stringify({ users: [] }, null, 1) + '\n');
  });
});
