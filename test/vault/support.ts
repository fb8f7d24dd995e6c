/**
 * Shared setup of the client's HTTP tests: a real simulator per test on 127.0.0.1 port 0,
 * closed after each test, and a client pointed at it the way the demo connects (config url
 * veepharm-clinical.veevavault.com, traffic to the simulator, vault 5005).
 */
import { afterEach } from 'vitest';
import type { NewUserRow, UserValues } from '../../src/plan/types.js';
import { defaultSeed, DEFAULT_ADMIN_USER, humanSeedUser } from '../../src/simulator/default-state.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator, SeedUser, SimulatorOptions, SimulatorSeed } from '../../src/simulator/types.js';
import { createVaultClient, type VaultClient, type VaultClientOptions } from '../../src/vault/client.js';
import type { Clock } from '../../src/vault/clock.js';
import { capturingClock } from './capturing-clock.js';
import type { ClientEvent } from '../../src/vault/events.js';

export const ADMIN = DEFAULT_ADMIN_USER;
export const CLINICAL_DNS = 'veepharm-clinical.veevavault.com';
export const API_VERSION = 'v26.2';

export { capturingClock };

const running: RunningSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

export async function simulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ port: 0, ...options });
  running.push(sim);
  return sim;
}

/** A new user in vault 5005 (a full user with the demo's policy); `values` adds or overrides values. */
export function newUser(name: string, values: Partial<UserValues> = {}): NewUserRow {
  return {
    key: name,
    values: {
      first_name: 'New',
      last_name: 'User',
      email: name,
      timezone: 'America/New_York',
      locale: 'en_US',
      language: 'en',
      security_policy: '821',
      ...values,
    },
    membership: { vault_id: 5005, active: true, security_profile: 'document_user__v', license_type: 'full__v' },
  };
}

/** `count` human users spread over the three demo vaults, ids from 30001. */
export function humans(count: number): SeedUser[] {
  const vaults = [3003, 4004, 5005];
  return Array.from({ length: count }, (_, i) => {
    const vault = vaults[i % 3] ?? 3003;
    return humanSeedUser(30_001 + i, `user${String(i).padStart(6, '0')}@veepharm.com`, vault, {
      user_last_name__v: `Number ${i}`,
      user_email__v: `user${i}@veepharm.com`,
      vault_membership: [{ vault_id: vault, active__v: true, security_profile__v: 'document_user__v', license_type__v: 'read_only__v' }],
    });
  });
}

/** The demo domain plus `count` extra users. */
export function seedWithUsers(count: number): SimulatorSeed {
  const base = defaultSeed();
  return {
    ...base,
    users: [...(base.users ?? []), ...humans(count)],
    counters: { ...base.counters, next_user_id: 30_001 + count },
  };
}

export interface TestClient {
  readonly client: VaultClient;
  readonly events: ClientEvent[];
  readonly clock: Clock & { readonly delays: number[] };
}

export function clientFor(sim: RunningSimulator, overrides: Partial<VaultClientOptions> = {}): TestClient {
  const events: ClientEvent[] = [];
  const clock = capturingClock();
  const client = createVaultClient({
    baseUrl: sim.url,
    apiVersion: API_VERSION,
    credentials: { username: ADMIN, password: 'admin' },
    vaultDns: CLINICAL_DNS,
    expectedVaultId: 5005,
    clock,
    random: () => 0.5,
    timeoutMs: 10_000,
    onEvent: (event) => events.push(event),
    ...overrides,
  });
  return { client, events, clock };
}

/** Request-log entries for one method and path suffix. */
export function calls(sim: RunningSimulator, method: string, pathEnd: string): ReturnType<RunningSimulator['requestLog']>[number][] {
  // `/objects/users` must not match `/metadata/objects/users`: the path after the version is compared.
  return sim.requestLog().filter((e) => e.method === method && e.path.replace(/^\/api\/[^/]+/, '').endsWith(pathEnd) && !e.path.includes(`/metadata${pathEnd}`));
}

/** Every user the client lists, page by page (the client exposes only the paged listing). */
export async function allUsers(client: VaultClient): Promise<Record<string, unknown>[]> {
  const users: Record<string, unknown>[] = [];
  for await (const page of client.listUserPages()) users.push(...page);
  return users;
}
