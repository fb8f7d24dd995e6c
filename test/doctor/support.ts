/** Shared by the doctor tests. */
import type { RunningSimulator } from '../../src/simulator/index.js';

/** Every call the simulator saw that is not a read: only POST /auth and the VQL POST /query are allowed. */
export function writesSeen(sim: RunningSimulator): string[] {
  return sim
    .requestLog()
    .filter((e) => e.method !== 'GET' && !(e.method === 'POST' && /^\/api\/v[\d.]+\/(auth|query)$/.test(e.path.split('?')[0] ?? '')))
    .map((e) => `${e.method} ${e.path}`);
}
