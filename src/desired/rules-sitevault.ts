/**
 * Semantic rules over SiteVault persons: the rules VAULT-API.md §8 states for Create/Edit, checked
 * offline. (Whether a study's site is one of the person's sites cannot be known offline.)
 */
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js';
import {
  SITEVAULT_EXTERNAL_STUDY_ROLES,
  SITEVAULT_NO_USER_POLICY,
  SITEVAULT_ORG_ADDONS,
  SITEVAULT_SITE_ADDONS,
  SITEVAULT_STAFF_STUDY_ROLES,
  SITEVAULT_VEEVAID_POLICY,
  normaliseIdentity,
} from '../model.js';
import { formatPosition, type PersonEntry } from './entries.js';
import { everyString, PERSON_KEY_LIMITS, tooLong, unsafeNumber } from './rules-text.js';
import type { DataPath } from './yaml-file.js';
import { assignmentGrantDates } from './rules-timebox.js';

// Add-ons grant features of a role that logs in: none for external, viewer or no-login roles.
const ORG_ROLES_WITHOUT_ADDONS: readonly string[] = ['org_external__v', 'org_cant_login__v'];
const SITE_ROLES_WITHOUT_ADDONS: readonly string[] = ['site_viewer__v', 'external__v', 'site_cant_login__v'];
const ORG_CANT_LOGIN = 'org_cant_login__v';
const SITE_CANT_LOGIN = 'site_cant_login__v';

/** An error about one person, at `path` inside the person's mapping. */
function error(entry: PersonEntry, code: DiagnosticCode, summary: string, hint: string, path: DataPath, target: 'key' | 'value' = 'key'): Diagnostic {
  return {
    severity: 'error',
    code,
    summary,
    hint,
    position: entry.yaml.locate([...entry.path, ...path], target),
    subject: { user: normaliseIdentity(entry.raw.email) },
  };
}

function policyOf(entry: PersonEntry): string {
  return String(entry.raw.security_policy).trim();
}

/** The same email twice across the SiteVault files. */
export function duplicateSiteVaultEmails(persons: readonly PersonEntry[]): Diagnostic[] {
  const first = new Map<string, PersonEntry>();
  return persons.flatMap((entry) => {
    const email = normaliseIdentity(entry.raw.email);
    const earlier = first.get(email);
    if (earlier === undefined) {
      first.set(email, entry);
      return [];
    }
    return [
      error(
        entry,
        'duplicate-sitevault-person',
        `SiteVault person ${email} is declared twice (first at ${formatPosition(earlier.yaml.locate([...earlier.path, 'email']))})`,
        'Keep one entry per email (emails are compared case-insensitively): merge the assignments.',
        ['email'],
      ),
    ];
  });
}

/** is_investigator must be false for external persons. */
export function externalInvestigator(persons: readonly PersonEntry[]): Diagnostic[] {
  return persons
    .filter((e) => e.raw.person_type === 'external__v' && e.raw.investigator)
    .map((e) =>
      error(e, 'sitevault-external-investigator', 'an external person cannot be an investigator', 'Set investigator: false, or make the person staff__v.', ['investigator'], 'value'),
    );
}

/** No add-ons on org_external__v, org_cant_login__v, site_viewer__v, external__v or site_cant_login__v; org add-ons on the org, site add-ons on sites. */
export function addonsForRole(persons: readonly PersonEntry[]): Diagnostic[] {
  const orgAddons: readonly string[] = SITEVAULT_ORG_ADDONS;
  const siteAddons: readonly string[] = SITEVAULT_SITE_ADDONS;
  return persons.flatMap((entry) => {
    const found: Diagnostic[] = [];
    const org = entry.raw.org;
    const orgList = org.addons ?? [];
    if (orgList.length > 0 && ORG_ROLES_WITHOUT_ADDONS.includes(org.role)) {
      found.push(error(entry, 'sitevault-addon-not-allowed', `role ${org.role} takes no add-ons`, 'Remove the add-ons, or choose a role that allows them.', ['org', 'addons']));
    }
    orgList.forEach((addon, i) => {
      if (!orgAddons.includes(addon)) {
        found.push(error(entry, 'sitevault-addon-wrong-level', `${addon} is a site add-on, not an organization add-on`, `Move it to a site assignment; the organization allows only ${orgAddons.join(', ')}.`, ['org', 'addons', i], 'value'));
      }
    });
    (entry.raw.sites ?? []).forEach((site, s) => {
      const list = site.addons ?? [];
      if (list.length > 0 && SITE_ROLES_WITHOUT_ADDONS.includes(site.role)) {
        found.push(error(entry, 'sitevault-addon-not-allowed', `site role ${site.role} takes no add-ons (site ${site.usn})`, 'Remove the add-ons, or choose regulatory__v or study_team__v.', ['sites', s, 'addons']));
      }
      list.forEach((addon, i) => {
        if (!siteAddons.includes(addon)) {
          found.push(error(entry, 'sitevault-addon-wrong-level', `${addon} is an organization add-on, not a site add-on`, `Move it to org.addons; sites allow ${siteAddons.join(', ')}.`, ['sites', s, 'addons', i], 'value'));
        }
      });
    });
    return found;
  });
}

/** External persons take sponsor_cro__v / auditor_inspector__v; staff take the site staff roles. */
export function studyRoleForPersonType(persons: readonly PersonEntry[]): Diagnostic[] {
  return persons.flatMap((entry) => {
    const external = entry.raw.person_type === 'external__v';
    const allowed: readonly string[] = external ? SITEVAULT_EXTERNAL_STUDY_ROLES : SITEVAULT_STAFF_STUDY_ROLES;
    return (entry.raw.studies ?? []).flatMap((study, i) =>
      allowed.includes(study.role)
        ? []
        : [
            error(
              entry,
              'sitevault-study-role-mismatch',
              `study role ${study.role} is not for ${external ? 'external' : 'staff'} persons (study ${study.id})`,
              `${external ? 'External' : 'Staff'} persons take: ${allowed.join(', ')}.`,
              ['studies', i, 'role'],
              'value',
            ),
          ],
    );
  });
}

/** noUser staff never log in: they get the cant_login roles, and only they do. */
export function noLoginRoles(persons: readonly PersonEntry[]): Diagnostic[] {
  return persons.flatMap((entry) => {
    const noUser = policyOf(entry) === SITEVAULT_NO_USER_POLICY;
    const found: Diagnostic[] = [];
    if (noUser && entry.raw.person_type === 'external__v') {
      found.push(error(entry, 'sitevault-no-login-role-mismatch', 'security policy noUser is only for staff who never log in', 'Give the external person a login policy (VeevaID or a domain policy).', ['security_policy'], 'value'));
      return found;
    }
    const orgRole = entry.raw.org.role;
    if (noUser !== (orgRole === ORG_CANT_LOGIN)) {
      found.push(
        error(
          entry,
          'sitevault-no-login-role-mismatch',
          noUser ? `staff with security policy noUser must have org role ${ORG_CANT_LOGIN}, not ${orgRole}` : `org role ${ORG_CANT_LOGIN} needs security policy noUser`,
          noUser ? `Set org.role to ${ORG_CANT_LOGIN}, or give the person a login policy.` : 'Set security_policy: noUser, or choose a role for people who log in.',
          ['org', 'role'],
          'value',
        ),
      );
    }
    (entry.raw.sites ?? []).forEach((site, i) => {
      if (noUser !== (site.role === SITE_CANT_LOGIN)) {
        found.push(
          error(
            entry,
            'sitevault-no-login-role-mismatch',
            noUser ? `staff with security policy noUser must have site role ${SITE_CANT_LOGIN}, not ${site.role} (site ${site.usn})` : `site role ${SITE_CANT_LOGIN} needs security policy noUser (site ${site.usn})`,
            noUser ? `Set the site role to ${SITE_CANT_LOGIN}, or give the person a login policy.` : 'Set security_policy: noUser, or choose a role for people who log in.',
            ['sites', i, 'role'],
            'value',
          ),
        );
      }
    });
    return found;
  });
}

/** username is required unless the security policy is VeevaID (Vault then assigns one). */
export function usernameRequired(persons: readonly PersonEntry[]): Diagnostic[] {
  return persons
    .filter((e) => e.raw.username === undefined && policyOf(e) !== SITEVAULT_VEEVAID_POLICY)
    .map((e) =>
      error(
        e,
        'sitevault-username-required',
        `username is required for security policy ${policyOf(e)}`,
        'Add "username:" (with the domain, e.g. name@veepharm.com), or use security_policy: VeevaID.',
        [],
        'value',
      ),
    );
}

/** The same site or study twice in one person's assignments. */
export function duplicateAssignments(persons: readonly PersonEntry[]): Diagnostic[] {
  return persons.flatMap((entry) => {
    const found: Diagnostic[] = [];
    const sites = new Set<string>();
    (entry.raw.sites ?? []).forEach((site, i) => {
      if (sites.has(site.usn)) found.push(error(entry, 'sitevault-duplicate-site', `site ${site.usn} is assigned twice`, 'Keep one assignment per site.', ['sites', i, 'usn'], 'value'));
      sites.add(site.usn);
    });
    const studies = new Set<string>();
    (entry.raw.studies ?? []).forEach((study, i) => {
      if (studies.has(study.id)) found.push(error(entry, 'sitevault-duplicate-study', `study ${study.id} is assigned twice`, 'Keep one assignment per study.', ['studies', i, 'id'], 'value'));
      studies.add(study.id);
    });
    return found;
  });
}

/** A person's values within what Vault accepts for the user it becomes (see rules-text.ts). */
export function personValuesWithinLimits(persons: readonly PersonEntry[]): Diagnostic[] {
  return persons.flatMap((entry) => {
    const raw = entry.raw;
    const site = (path: DataPath) => ({ yaml: entry.yaml, path: [...entry.path, ...path], subject: raw.email });
    const found: Diagnostic[] = [];
    for (const [key, limit] of Object.entries(PERSON_KEY_LIMITS)) {
      const value: unknown = (raw as unknown as Record<string, unknown>)[key];
      if (typeof value === 'string') found.push(...tooLong(site([key]), value, limit.max, limit.field));
    }
    if (typeof raw.security_policy === 'number') found.push(...unsafeNumber(site(['security_policy']), raw.security_policy, 'text'));
    const identity = (path: DataPath): 'plain' | 'identity' => (path[path.length - 1] === 'email' || path[path.length - 1] === 'username' ? 'identity' : 'plain');
    found.push(...everyString(entry.yaml, entry.path, raw, raw.email, identity));
    return found;
  });
}

export function checkSiteVaultRules(persons: readonly PersonEntry[]): Diagnostic[] {
  return [
    ...duplicateSiteVaultEmails(persons),
    ...externalInvestigator(persons),
    ...addonsForRole(persons),
    ...studyRoleForPersonType(persons),
    ...noLoginRoles(persons),
    ...usernameRequired(persons),
    ...duplicateAssignments(persons),
    ...personValuesWithinLimits(persons),
    ...assignmentGrantDates(persons),
  ];
}
