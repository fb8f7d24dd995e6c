/**
 * Test model of Vault: applies a plan's field changes (after values) to a LiveState, the way a
 * successful apply would leave Vault and the state file. Written independently of the planner's
 * tree code so the property test compares two separate readings of the path grammar.
 */
import type { AppLicense, AppliedSiteVaultPerson, LicenseType, LiveState, LiveUser, Membership } from '../../src/model.js';
import { parseFieldPath, type Change, type JsonValue, type Plan } from '../../src/plan/index.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function applyUserField(user: Mutable<LiveUser>, path: string, after: JsonValue): void {
  const [head = '', second = '', third = '', fourth = ''] = parseFieldPath(path);
  if (head === 'fields') {
    user.fields = { ...user.fields, [second]: after as string | number | boolean | null };
    return;
  }
  if (head === 'memberships') {
    const vault = Number(second);
    const memberships = [...user.memberships];
    let index = memberships.findIndex((m) => m.vault_id === vault);
    if (index < 0) {
      memberships.push({ vault_id: vault, active: true, security_profile: '?', license_type: 'full__v', apps: {} });
      index = memberships.length - 1;
    }
    const m: Mutable<Membership> = { ...memberships[index]! };
    if (third === 'apps') m.apps = { ...m.apps, [fourth]: after as unknown as AppLicense };
    else if (third === 'active') m.active = after as boolean;
    else if (third === 'security_profile') m.security_profile = after as string;
    else if (third === 'license_type') m.license_type = after as LicenseType;
    memberships[index] = m;
    user.memberships = memberships.sort((a, b) => a.vault_id - b.vault_id);
    return;
  }
  (user as unknown as Record<string, JsonValue>)[head] = after;
}

function applyPersonField(person: Mutable<AppliedSiteVaultPerson>, path: string, after: JsonValue): void {
  const [head = '', second = '', third = ''] = parseFieldPath(path);
  if (head === 'is_investigator') person.investigator = after as boolean;
  else if (head === 'org') person.org = { ...person.org, [second === 'role' ? 'role' : second]: after };
  else if (head === 'sites') {
    const sites = person.sites.filter((s) => s.site_usn !== second);
    const site = person.sites.find((s) => s.site_usn === second) ?? { site_usn: second, role: '?', addons: [] };
    sites.push({ ...site, [third]: after });
    person.sites = sites.sort((a, b) => (a.site_usn < b.site_usn ? -1 : 1));
  } else if (head === 'studies') {
    const studies = person.studies.filter((s) => s.study_id !== second);
    studies.push({ study_id: second, role: after as string });
    person.studies = studies.sort((a, b) => (a.study_id < b.study_id ? -1 : 1));
  } else (person as unknown as Record<string, JsonValue>)[head] = after;
}

function applyUserChange(users: Map<string, LiveUser>, change: Change, nextId: () => number): void {
  const existing = users.get(change.key);
  const user: Mutable<LiveUser> = existing
    ? { ...existing }
    : { id: nextId(), user_name: change.key, active: true, domain_admin: false, fields: {}, memberships: [] };
  for (const f of change.fields) applyUserField(user, f.path, f.after);
  users.set(change.key, user);
}

/** Live state after a fully successful apply of `plan`. */
export function applyPlanChanges(live: LiveState, plan: Plan): LiveState {
  const users = new Map(live.users);
  const persons = new Map(live.persons);
  const sitevault = new Map(live.sitevault);
  let id = 900000;
  for (const change of plan.changes) {
    if (change.subject === 'user') {
      applyUserChange(users, change, () => id++);
      if (change.action === 'promote') {
        const person = [...persons.values()].find((p) => p.user_id === null && plan.operations.some((o) => o.kind === 'promote_persons' && o.rows.some((r) => r.key === change.key && r.person_id === p.id)));
        if (person) persons.set(person.id, { ...person, user_id: String(users.get(change.key)?.id) });
      }
      continue;
    }
    const existing = sitevault.get(change.key);
    const person: Mutable<AppliedSiteVaultPerson> = existing
      ? { ...existing }
      : {
          person_id: `P${id++}`,
          email: change.key,
          first_name: '',
          last_name: '',
          security_policy: '',
          person_type: 'staff__v',
          investigator: false,
          org: { org_id: '', role: '', addons: [] },
          sites: [],
          studies: [],
        };
    for (const f of change.fields) applyPersonField(person, f.path, f.after);
    sitevault.set(change.key, person);
  }
  return { ...live, users, persons, sitevault };
}
