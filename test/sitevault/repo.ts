/**
 * Turns a roster fixture (temp copy of examples/full + simulator) into a small repo of our own:
 * a roster.yaml that keeps the example's target and state path, and the desired files given.
 */
import { isWrite } from '../helpers/simulator.js';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Plan } from '../../src/plan/index.js';
import type { StateFile } from '../../src/state/index.js';
import type { RosterFixture } from '../helpers/roster.js';

/** roster.yaml for the default simulator domain (session vault 5005), unmanaged users ignored. */
export function rosterYaml(apiVersion = 'v26.2'): string {
  return `vault:
  url: https://veepharm-clinical.veevavault.com
  api_version: ${apiVersion}
  vault_id: 5005
include:
  - users/**/*.yaml
  - sitevault/**/*.yaml
defaults:
  timezone: America/New_York
  locale: en_US
  language: en
  security_policy: "821"
  license_type: full__v
  security_profile: document_user__v
policy:
  unmanaged_users: ignore
  protected_users: [admin@sim.veevavault.local]
state: .vault-roster/state.json
`;
}

/** Replaces the example's desired files with `files` (relative path → YAML). */
export function writeRepo(fx: RosterFixture, files: Readonly<Record<string, string>>, apiVersion?: string): void {
  rmSync(join(fx.dir, 'users'), { recursive: true, force: true });
  rmSync(join(fx.dir, 'sitevault'), { recursive: true, force: true });
  const all: Record<string, string> = {
    'roster.yaml': rosterYaml(apiVersion),
    'users/none.yaml': 'users: []\n',
    'sitevault/none.yaml': 'sitevault_users: []\n',
    ...files,
  };
  for (const [path, text] of Object.entries(all)) writeFile(fx.dir, path, text);
}

export function writeFile(dir: string, path: string, text: string): void {
  const full = join(dir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
}

/** Runs `plan --format json` and returns the plan document (fails the test on exit 1). */
export async function planJson(fx: RosterFixture, extra: readonly string[] = [], cwdArgs: readonly string[] = []): Promise<Plan> {
  const run = await fx.run(['plan', '--format', 'json', ...cwdArgs, ...extra]);
  if (run.code !== 0) throw new Error(`plan exited ${run.code}: ${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout) as Plan;
}

export function readState(dir: string, path = '.vault-roster/state.json'): StateFile {
  return JSON.parse(readFileSync(join(dir, path), 'utf8')) as StateFile;
}

/** What the simulator's /_sim/sitevault route (not Vault) shows, fetched over HTTP. */
export interface SimPerson {
  readonly person_id: string;
  readonly email: string;
  readonly username: string | null;
  readonly is_investigator: boolean;
  readonly record_status: string;
  readonly org_assignment: { org_id: string; system_role_id: string; addons?: string[] } | null;
  readonly site_assignments: { site_usn: string; system_role_id: string; addons?: string[] }[];
  readonly study_assignments: { id: string; study_role: string }[];
}

export async function simPersons(fx: RosterFixture): Promise<SimPerson[]> {
  const response = await fetch(`${fx.sim.url}/_sim/sitevault`);
  const body = (await response.json()) as { persons?: SimPerson[] } | null;
  return body?.persons ?? [];
}

/** The Vault calls the CLI made that change something (not auth, reads or VQL). */
export function writes(fx: RosterFixture): { method: string; path: string }[] {
  return fx.sim
    .requestLog()
    .filter(isWrite)
    .map((e) => ({ method: e.method, path: e.path }));
}
