/**
 * End-to-end fixture: a temporary copy of an example repo plus a simulator on port 0, and a
 * `run` that executes the CLI in-process in that folder with the connection env set.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDesiredState } from '../../src/desired/index.js';
import { demoSeed } from '../../src/cli/demo-seed.js';
import { DEFAULT_ADMIN_PASSWORD, type RunningSimulator, type SimulatorOptions, type SimulatorSeed } from '../../src/simulator/index.js';
import type { DesiredState } from '../../src/model.js';
import { runCliCaptured, type CliRun } from './cli.js';
import { startTestSimulator } from './simulator.js';

export const EXAMPLES_DIR = join(import.meta.dirname, '..', '..', 'examples');

export interface RosterFixture {
  readonly sim: RunningSimulator;
  /** The temporary repo folder (holds roster.yaml, .vault-roster/). */
  readonly dir: string;
  readonly env: Record<string, string | undefined>;
  run(argv: readonly string[], options?: { stdinIsTTY?: boolean; answers?: string[] }): Promise<CliRun>;
  desired(): Promise<DesiredState>;
}

/** Copies examples/<example> to a temp folder; seeds the simulator (default: the demo drift seed). */
export async function startRosterFixture(
  options: { example?: string; seed?: SimulatorSeed | ((desired: DesiredState) => SimulatorSeed); sim?: SimulatorOptions } = {},
): Promise<RosterFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'vr-e2e-'));
  cpSync(join(EXAMPLES_DIR, options.example ?? 'full'), dir, { recursive: true });
  const desired = async (): Promise<DesiredState> => {
    const loaded = await loadDesiredState(join(dir, 'roster.yaml'), { cwd: dir });
    if (!loaded.ok) throw new Error(`fixture repo invalid: ${JSON.stringify(loaded.diagnostics)}`);
    return loaded.state;
  };
  const seed = typeof options.seed === 'function' ? options.seed(await desired()) : (options.seed ?? demoSeed(await desired()));
  const sim = await startTestSimulator({ seed, ...options.sim });
  const env = {
    NO_COLOR: '1',
    VAULT_URL: sim.url,
    VAULT_USERNAME: sim.adminUser,
    VAULT_PASSWORD: DEFAULT_ADMIN_PASSWORD,
  };
  return {
    sim,
    dir,
    env,
    run: (argv, runOptions = {}) => runCliCaptured(argv, { env, cwd: dir, ...runOptions }),
    desired,
  };
}
