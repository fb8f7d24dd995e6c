/**
 * Data for the end-to-end benchmark: a Vault domain of N generated users (the simulator's seed)
 * and the desired-state repo that declares exactly those users over ~20 YAML files, optionally
 * with a share of them changed. Users have 1–3 memberships with 1–2 app licenses each, as in
 * issue 20's measurements.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSeed, humanSeedUser } from '../src/simulator/default-state.js';
import type { SeedAppLicense, SeedMembership, SeedUser, SimulatorSeed } from '../src/simulator/types.js';

export const BENCH_VAULTS = [3003, 4004, 5005] as const;
const APPS: Readonly<Record<number, readonly [string, string]>> = {
  3003: ['rimReg_v', 'rimSubs_v'],
  4004: ['qualityQms_v', 'qualityDocs_v'],
  5005: ['ctms_v', 'etmf_v'],
};
const FIRST_USER_ID = 200_001;

/** One generated user's access, shared by the seed and the YAML so they agree. */
interface Access {
  readonly vault: number;
  readonly readOnly: boolean;
  readonly apps: readonly string[];
}

export function benchUserName(i: number): string {
  return `bench.user${String(i).padStart(6, '0')}@veepharm.com`;
}

function accessOf(i: number): Access[] {
  const count = 1 + (i % 3);
  return Array.from({ length: count }, (_, k) => {
    const vault = BENCH_VAULTS[(i + k) % 3] ?? 3003;
    const apps = APPS[vault] ?? ['rimReg_v', 'rimSubs_v'];
    return { vault, readOnly: k === 1, apps: apps.slice(0, 1 + ((i + k) % 2)) };
  });
}

function seedUser(i: number): SeedUser {
  const access = accessOf(i);
  const memberships: SeedMembership[] = access.map((a) => ({
    vault_id: a.vault,
    active__v: true,
    security_profile__v: a.readOnly ? 'read_only_user__v' : 'document_user__v',
    license_type__v: a.readOnly ? 'read_only__v' : 'full__v',
  }));
  const apps: SeedAppLicense[] = access.flatMap((a) =>
    a.apps.map((app) => ({ vault_id: a.vault, application_name: app, active__v: true, license_type__v: a.readOnly ? 'read_only__v' : 'full__v' }) as const),
  );
  return humanSeedUser(FIRST_USER_ID + i, benchUserName(i), access[0]?.vault ?? 3003, {
    user_first_name__v: `First${i}`,
    user_last_name__v: `Last${i}`,
    ...(i % 3 === 0 ? { company__v: 'VeePharm' } : {}),
    vault_membership: memberships,
    app_licensing: apps,
  });
}

/** The simulator's seed: the default domain plus `count` generated users. Built inside the simulator's worker. */
export function e2eSeed(count: number): SimulatorSeed {
  const base = defaultSeed();
  const users = Array.from({ length: count }, (_, i) => seedUser(i));
  // Enough seats that the license guard passes honestly at any size.
  const seats = { full__v: count * 2, external__v: 50, read_only__v: count * 2, learner_user__v: 0 };
  const vaults = base.vaults.map((v) => ({ ...v, applications: (v.applications ?? []).map((a) => ({ ...a, licenses: seats })) }));
  return {
    ...base,
    vaults,
    users: [...(base.users ?? []), ...users],
    counters: { ...base.counters, next_user_id: FIRST_USER_ID + count },
  };
}

/** How a changed user differs from Vault: a name, a security profile, or an app license. */
function userYaml(i: number, changed: boolean): string {
  const kind = Math.floor(i / 10) % 3;
  const name = benchUserName(i);
  let out = `  - user_name: ${name}\n    first_name: ${changed && kind === 0 ? `Changed${i}` : `First${i}`}\n    last_name: Last${i}\n    email: ${name}\n`;
  if (i % 3 === 0) out += '    fields:\n      company__v: VeePharm\n';
  out += '    memberships:\n';
  for (const [k, a] of accessOf(i).entries()) {
    out += `      - vault: ${a.vault}\n`;
    const profile = changed && kind === 1 && k === 0 ? 'business_admin__v' : a.readOnly ? 'read_only_user__v' : undefined;
    if (profile !== undefined) out += `        security_profile: ${profile}\n`;
    if (a.readOnly) out += '        license_type: read_only__v\n';
    out += '        apps:\n';
    for (const [j, app] of a.apps.entries()) {
      const license = a.readOnly || (changed && kind === 2 && k === 0 && j === 0) ? 'read_only__v' : 'full__v';
      out += `          ${app}: ${license}\n`;
    }
  }
  return out;
}

export interface RepoOptions {
  readonly url: string;
  readonly count: number;
  /** Share of users whose YAML differs from Vault (every 1/share-th user). */
  readonly changedShare: number;
  readonly files: number;
}

/** Writes roster.yaml and users/part-NN.yaml into `dir`; returns the bytes of YAML written. */
export function writeRepo(dir: string, options: RepoOptions): number {
  const every = options.changedShare > 0 ? Math.round(1 / options.changedShare) : 0;
  mkdirSync(join(dir, 'users'), { recursive: true });
  const roster = `vault:
  url: ${options.url}
  api_version: v26.2
  vault_id: 5005
  dns: veepharm-clinical.veevavault.com
include:
  - users/*.yaml
defaults:
  timezone: America/New_York
  locale: en_US
  language: en
  security_policy: 821
  license_type: full__v
  security_profile: document_user__v
policy:
  unmanaged_users: report
  # The 10%-changed repo grants business_admin__v to hundreds of users on purpose: a reviewed bulk change.
  max_admin_grants: 1000000
  protected_users: [admin@sim.veevavault.local]
`;
  writeFileSync(join(dir, 'roster.yaml'), roster);
  let bytes = roster.length;
  const perFile = Math.ceil(options.count / options.files);
  for (let f = 0; f < options.files; f++) {
    const parts = ['users:\n'];
    for (let i = f * perFile; i < Math.min(options.count, (f + 1) * perFile); i++) parts.push(userYaml(i, every > 0 && i % every === 3 % every));
    const text = parts.join('');
    writeFileSync(join(dir, 'users', `part-${String(f).padStart(2, '0')}.yaml`), text);
    bytes += text.length;
  }
  return bytes;
}
