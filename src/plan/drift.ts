/**
 * Drift: a plan of only the entries whose YAML is unchanged since the last apply (so every
 * change it finds was made in Vault out of band), plus the users who appeared in Vault since.
 * The baseline it is measured from is kept in the state file; here it is plain data. Pure.
 */
import type { Diagnostic } from '../diagnostics.js';
import { VaultRosterError } from '../errors.js';
import type { DesiredGroup, DesiredSiteVaultPerson, DesiredState, DesiredUser, LiveState } from '../model.js';
import { canonicalJson, sha256Hex } from './digest.js';

export interface Baseline {
  readonly applied_at: string;
  /** Digest of each desired user's entry, by user name, as last applied successfully. */
  readonly users: Readonly<Record<string, string>>;
  /** Digest of each desired SiteVault person's entry, by email. */
  readonly sitevault: Readonly<Record<string, string>>;
  /** Every live user name after that apply (declared or not), sorted. */
  readonly live_users: readonly string[];
  /** Digest of each desired group's entry (members included), by key; absent before groups were managed. */
  readonly groups?: Readonly<Record<string, string>>;
}

/** Digest of what the YAML declares for one user or person; where it was declared does not count. */
export function entryDigest(entry: DesiredUser | DesiredSiteVaultPerson): string {
  const { source: _source, ...declared } = entry;
  return sha256Hex(canonicalJson(declared)).slice(0, 32);
}

/** Digest of what the YAML declares for one group and its members; positions do not count. */
export function groupEntryDigest(group: DesiredGroup): string {
  const { source: _source, members, ...declared } = group;
  const names = members === undefined ? null : members.map((m) => m.user_name);
  return sha256Hex(canonicalJson({ ...declared, members: names })).slice(0, 32);
}

/** The desired state restricted to entries unchanged since the baseline. */
export function unchangedSinceBaseline(desired: DesiredState, baseline: Baseline): DesiredState {
  const groups = desired.groups?.filter((g) => baseline.groups?.[g.key] === groupEntryDigest(g));
  return {
    ...desired,
    users: desired.users.filter((u) => baseline.users[u.user_name] === entryDigest(u)),
    sitevault: desired.sitevault.filter((p) => baseline.sitevault[p.email] === entryDigest(p)),
    ...(groups === undefined ? {} : { groups }),
    // Entries left out here are not unmanaged: their YAML changed and awaits an apply.
    policy: { ...desired.policy, unmanaged_users: 'ignore', unmanaged_groups: 'ignore' },
  };
}

export function requireBaseline(baseline: Baseline | undefined, statePath: string): Baseline {
  if (baseline !== undefined) return baseline;
  throw new VaultRosterError('no-baseline', `no apply has been recorded in ${statePath} yet`, {
    hint: 'Drift is measured from the last apply: run apply (or import) once, then plan --drift.',
  });
}

/** The notes a drift plan carries: what it compared, and who appeared in Vault since. */
export function driftDiagnostics(desired: DesiredState, live: LiveState, baseline: Baseline, changed: boolean): Diagnostic[] {
  const known = new Set([...baseline.live_users, ...desired.users.map((u) => u.user_name)]);
  const appeared = [...live.users.keys()].filter((name) => !known.has(name)).sort();
  const out: Diagnostic[] = [
    {
      severity: 'info',
      code: 'drift-baseline',
      summary: `drift since the apply of ${baseline.applied_at}: only users${desired.groups === undefined ? '' : ' and groups'} whose YAML is unchanged since then are compared`,
      hint: changed
        ? 'the changes below were made in Vault out of band; apply reverts them, or update the YAML to keep them'
        : 'nothing those users hold in Vault changed out of band since then',
    },
  ];
  if (appeared.length > 0) {
    out.push({
      severity: 'warning',
      code: 'drift-new-users',
      summary: `${appeared.length} user(s) appeared in Vault since the last apply: ${appeared.slice(0, 20).join(', ')}${appeared.length > 20 ? ', …' : ''}`,
      hint: 'declare them in YAML (vault-roster import can write them) or deactivate them',
    });
  }
  return out;
}
