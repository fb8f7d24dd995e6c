/**
 * The simulator with 300,000 users (past the depth that overflowed the stack when the seed's
 * ids were spread into Math.max): the seed loads, the admin is added after the highest id, and
 * Retrieve All Users pages through every user once, in id order, over real HTTP.
 */
import { describe, expect, it } from 'vitest';
import { defaultSeed, type SeedUser, type SimulatorSeed } from '../../src/simulator/index.js';
import { adminSession, startTestSimulator } from '../helpers/simulator.js';

const USERS = 300_000;
const FIRST_ID = 100_000;
const PAGE = 1000;

/** Minimal users: an id, a name and one membership each; every other field takes its default. */
function bigSeed(): SimulatorSeed {
  const base = defaultSeed();
  const users: SeedUser[] = (base.users ?? []).filter((u) => typeof u.id === 'number' && u.id < 100);
  for (let i = 0; i < USERS; i++) users.push({ id: FIRST_ID + i, user_name__v: `u${i}@veepharm.com`, vault_membership: [{ vault_id: 3003 }] });
  return { ...base, users };
}

interface UsersPage {
  readonly responseStatus: string;
  readonly users: readonly { readonly user: { readonly id: number; readonly user_name__v: string } }[];
}

describe(`simulator with ${USERS.toLocaleString('en-US')} users`, () => {
  it('loads the seed, adds the admin after the highest id, and pages through every user', async () => {
    const sim = await startTestSimulator({ seed: bigSeed() });
    const sid = await adminSession(sim);
    const seen = new Set<number>();
    let previous = 0;
    let pages = 0;
    let adminId: number | undefined;
    for (let start = 0; ; start += PAGE) {
      const response = await fetch(`${sim.url}/api/v25.2/objects/users?vaults=all&limit=${PAGE}&start=${start}`, { headers: { Authorization: sid } });
      const body = (await response.json()) as UsersPage;
      expect(body.responseStatus).toBe('SUCCESS');
      pages++;
      for (const { user } of body.users) {
        expect(user.id).toBeGreaterThan(previous);
        previous = user.id;
        seen.add(user.id);
        if (user.user_name__v === sim.adminUser) adminId = user.id;
      }
      if (body.users.length < PAGE) break;
    }
    let seeded = 0;
    for (let i = 0; i < USERS; i++) if (seen.has(FIRST_ID + i)) seeded++;
    expect(seeded).toBe(USERS);
    expect(adminId).toBe(FIRST_ID + USERS);
    expect(pages).toBe(Math.floor(seen.size / PAGE) + 1);
  }, 120_000);
});
