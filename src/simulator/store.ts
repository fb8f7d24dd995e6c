/**
 * The in-memory domain: vaults, policies, users, SiteVault and Clinical records.
 *
 * Users are indexed by id (with a sorted id array, so paging 100k users by id is a slice)
 * and by lower-cased user name. Every change bumps `version`, which invalidates cached
 * filtered/sorted id lists and tells persistence that the state is dirty.
 */
import { SEED_FORMAT, type SeedFieldValue, type SeedUser, type SimulatorSeed } from './types.js';
import { dumpGroup } from './groups.js';
import {
  isDomainActive,
  isDomainAdmin,
  type SimClinical,
  type SimDomain,
  type SimGroup,
  type SimPolicy,
  type SimSiteVault,
  type SimUser,
  type SimVault,
  type StateData,
} from './records.js';

function lowerIndex(sorted: readonly number[], id: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Store {
  domain!: SimDomain;
  vaultList: readonly SimVault[] = [];
  vaults = new Map<number, SimVault>();
  policies: readonly SimPolicy[] = [];
  sitevault: SimSiteVault | null = null;
  clinical: SimClinical | null = null;
  nextUserId = 25001;
  nextSiteVaultPerson = 1001;
  nextGroupId = 1;
  /** Bumped on every change. */
  version = 0;
  /** Called after every change (persistence hooks in here). */
  onChange: () => void = () => undefined;

  private users = new Map<number, SimUser>();
  private sortedIds: number[] = [];
  private byName = new Map<string, number>();
  private listCache = new Map<string, { version: number; ids: readonly number[] }>();
  private groups = new Map<number, SimGroup>();

  constructor(data: StateData) {
    this.load(data);
  }

  load(data: StateData): void {
    this.domain = data.domain;
    this.vaultList = data.vaults;
    this.vaults = new Map(data.vaults.map((v) => [v.id, v]));
    this.policies = data.policies;
    this.sitevault = data.sitevault;
    this.clinical = data.clinical;
    this.nextUserId = data.nextUserId;
    this.nextSiteVaultPerson = data.nextSiteVaultPerson;
    this.nextGroupId = data.nextGroupId;
    this.groups = new Map(data.groups.map((g) => [g.id, g]));
    this.users = new Map(data.users.map((u) => [u.id, u]));
    this.sortedIds = data.users.map((u) => u.id).sort((a, b) => a - b);
    this.byName = new Map(data.users.map((u) => [String(u.fields.user_name__v).toLowerCase(), u.id]));
    this.listCache.clear();
    this.changed();
  }

  get userCount(): number {
    return this.users.size;
  }

  user(id: number): SimUser | undefined {
    return this.users.get(id);
  }

  userByName(name: string): SimUser | undefined {
    const id = this.byName.get(name.trim().toLowerCase());
    return id === undefined ? undefined : this.users.get(id);
  }

  /** All user ids, ascending. Do not mutate. */
  allIds(): readonly number[] {
    return this.sortedIds;
  }

  allocateUserId(): number {
    const id = this.nextUserId;
    this.nextUserId += 1;
    return id;
  }

  allocateSiteVaultPersonSeq(): number {
    const seq = this.nextSiteVaultPerson;
    this.nextSiteVaultPerson += 1;
    return seq;
  }

  /** Stores a new or changed user and keeps the indexes right. */
  putUser(user: SimUser): void {
    const previous = this.users.get(user.id);
    const name = String(user.fields.user_name__v).toLowerCase();
    if (previous === undefined) {
      const sorted = this.sortedIds;
      if (sorted.length === 0 || (sorted[sorted.length - 1] ?? 0) < user.id) sorted.push(user.id);
      else sorted.splice(lowerIndex(sorted, user.id), 0, user.id);
    } else {
      const oldName = String(previous.fields.user_name__v).toLowerCase();
      if (oldName !== name) this.byName.delete(oldName);
    }
    this.byName.set(name, user.id);
    this.users.set(user.id, user);
    this.changed();
  }

  group(id: number): SimGroup | undefined {
    return this.groups.get(id);
  }

  /** The groups of one vault, by ascending id. */
  groupsOf(vaultId: number): SimGroup[] {
    return [...this.groups.values()].filter((g) => g.vault_id === vaultId).sort((a, b) => a.id - b.id);
  }

  allocateGroupId(): number {
    const id = this.nextGroupId;
    this.nextGroupId += 1;
    return id;
  }

  putGroup(group: SimGroup): void {
    this.groups.set(group.id, group);
    this.changed();
  }

  deleteGroup(id: number): void {
    this.groups.delete(id);
    this.changed();
  }

  /** Marks a non-user change (SiteVault, Clinical). */
  changed(): void {
    this.version += 1;
    this.onChange();
  }

  /** A filtered/sorted id list, recomputed only when the store changed since the last call. */
  cachedList(key: string, compute: () => readonly number[]): readonly number[] {
    const hit = this.listCache.get(key);
    if (hit !== undefined && hit.version === this.version) return hit.ids;
    const ids = compute();
    if (this.listCache.size > 64) this.listCache.clear();
    this.listCache.set(key, { version: this.version, ids });
    return ids;
  }

  /** Active domain admins, excluding `exceptId` (to test a change before making it). */
  activeDomainAdminCount(exceptId?: number): number {
    let count = 0;
    for (const user of this.users.values()) {
      if (user.id !== exceptId && isDomainAdmin(user) && isDomainActive(user) && !user.systemOwned) count += 1;
    }
    return count;
  }

  findFederatedId(value: string, exceptId: number): SimUser | undefined {
    const wanted = value.toLowerCase();
    for (const user of this.users.values()) {
      const fid = user.fields.federated_id__v;
      if (user.id !== exceptId && typeof fid === 'string' && fid.toLowerCase() === wanted) return user;
    }
    return undefined;
  }

  /** Oldest (lowest id) active vault first. */
  activeVaults(): SimVault[] {
    return this.vaultList.filter((v) => v.status === 'Active');
  }

  vaultByDns(dns: string): SimVault | undefined {
    const wanted = dns.trim().toLowerCase();
    return this.vaultList.find((v) => v.dns === wanted);
  }

  dump(): SimulatorSeed {
    const users: SeedUser[] = this.sortedIds.map((id) => {
      const u = this.users.get(id);
      if (u === undefined) throw new Error(`store index out of sync at user ${id}`);
      return dumpUser(u);
    });
    return {
      format: SEED_FORMAT,
      domain: {
        name: this.domain.name,
        type: this.domain.type,
        id: this.domain.id,
        custom_user_fields: [...this.domain.customUserFields],
      },
      vaults: this.vaultList.map((v) => ({
        id: v.id,
        name: v.name,
        dns: v.dns,
        status: v.status,
        family: v.family,
        security_profiles: [...v.profiles],
        applications: [...v.apps.values()].map((a) => ({ name: a.name, label: a.label, licenses: Object.fromEntries(a.licenses) })),
      })),
      security_policies: this.policies.map((p) => ({
        name__v: p.name,
        label__v: p.label,
        authentication_type: p.authType,
        description__v: p.description,
      })),
      users,
      sitevault:
        this.sitevault === null
          ? null
          : {
              org: this.sitevault.org,
              sites: this.sitevault.sites,
              studies: this.sitevault.studies,
              security_policies: this.sitevault.policies,
              persons: [...this.sitevault.persons.values()].sort((a, b) => a.person_id.localeCompare(b.person_id)),
            },
      clinical:
        this.clinical === null
          ? null
          : { vault_id: this.clinical.vault_id, persons: [...this.clinical.persons.values()].sort((a, b) => a.id.localeCompare(b.id)) },
      groups: [...this.groups.values()].sort((a, b) => a.vault_id - b.vault_id || a.id - b.id).map(dumpGroup),
      counters: { next_user_id: this.nextUserId, next_sitevault_person: this.nextSiteVaultPerson, next_group_id: this.nextGroupId },
    };
  }
}

function dumpUser(u: SimUser): SeedUser {
  const fields: Record<string, SeedFieldValue> = { ...u.fields };
  return {
    id: u.id,
    user_name__v: String(u.fields.user_name__v),
    ...fields,
    ...(u.systemOwned ? { system_owned: true } : {}),
    last_vault_id: u.lastVaultId,
    vault_membership: u.memberships.map((m) => ({
      vault_id: m.vault_id,
      active__v: m.active,
      security_profile__v: m.profile,
      license_type__v: m.license,
    })),
    app_licensing: u.apps.map((a) => ({
      vault_id: a.vault_id,
      application_name: a.app,
      active__v: a.active,
      license_type__v: a.license,
    })),
  };
}
