/** The committed examples validate, and the committed schemas compile strictly and match the model. */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { glob } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import { loadDesiredState } from '../../src/desired/index.js';
import { AJV_OPTIONS, SCHEMA_FILES, readSchema, type FileKind } from '../../src/desired/schemas.js';
import {
  DEFERRABLE_REVIEW_FLAGS,
  LICENSE_TYPES,
  SITEVAULT_EXTERNAL_STUDY_ROLES,
  SITEVAULT_ORG_ADDONS,
  SITEVAULT_ORG_ROLES,
  SITEVAULT_PERSON_TYPES,
  SITEVAULT_SITE_ADDONS,
  SITEVAULT_SITE_ROLES,
  SITEVAULT_STAFF_STUDY_ROLES,
  STANDARD_SECURITY_PROFILES,
  UNMANAGED_USER_POLICIES,
  BODY_FORMATS,
} from '../../src/model.js';
import { summarise } from './temp-repo.js';

const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLES = ['examples/minimal', 'examples/full'];

describe('examples', () => {
  it.each(EXAMPLES)('%s validates with no diagnostics', async (example) => {
    const result = await loadDesiredState(join(example, 'roster.yaml'), { cwd: ROOT });
    expect(summarise(result.diagnostics)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('examples/full has the breadth the demo needs', async () => {
    const result = await loadDesiredState('examples/full/roster.yaml', { cwd: ROOT });
    if (!result.ok) throw new Error('examples/full is invalid');
    const { state } = result;
    expect(state.target).toEqual({ url: 'https://veepharm-clinical.veevavault.com', api_version: 'v26.2', vault_id: 5005 });
    expect(state.users.length).toBeGreaterThanOrEqual(40);
    const vaults = new Set(state.users.flatMap((u) => (u.memberships ?? []).map((m) => m.vault_id)));
    expect([...vaults].sort()).toEqual([3003, 4004, 5005]);
    const apps = new Set(state.users.flatMap((u) => (u.memberships ?? []).flatMap((m) => Object.keys(m.apps ?? {}))));
    expect([...apps].sort()).toEqual(['ctms_v', 'etmf_v', 'qualityDocs_v', 'qualityQms_v', 'rimReg_v', 'rimSubsArch_v', 'rimSubs_v']);
    expect(state.users.find((u) => u.promote_from_person === 'V0B000000000001')?.user_name).toBe('maria.lopez@veepharm.com');
    expect(state.users.some((u) => u.domain_admin === true)).toBe(true);
    expect(new Set(state.users.map((u) => u.security_policy))).toEqual(new Set(['821', '822']));
    expect(state.policy).toEqual({
      unmanaged_users: 'report',
      max_deactivations: 10,
      max_deactivation_share: 0.1,
      max_access_removals: 10,
      max_access_removal_share: 0.1,
      protected_users: ['admin@sim.veevavault.local'],
      max_admin_grants: 10,
      unmanaged_groups: 'report',
      max_group_member_removals: 25,
      expiry_warning_days: 14,
    });
    const persons = state.sitevault;
    expect(persons.length).toBeGreaterThanOrEqual(4);
    expect(persons.some((p) => p.person_type === 'staff__v' && p.investigator)).toBe(true);
    expect(persons.some((p) => p.person_type === 'external__v' && p.studies.some((s) => s.role === 'sponsor_cro__v'))).toBe(true);
    expect(persons.some((p) => p.security_policy === 'noUser' && p.org.role === 'org_cant_login__v')).toBe(true);
    expect(persons.some((p) => p.org.addons.length > 0 && p.sites.some((s) => s.addons.length > 0))).toBe(true);
    expect(new Set(persons.map((p) => p.org.org_id))).toEqual(new Set(['V42000000001001']));
    expect(new Set(persons.flatMap((p) => p.sites.map((s) => s.site_usn)))).toEqual(new Set(['US-NC-0001', 'US-CA-0002']));
    expect(new Set(persons.flatMap((p) => p.studies.map((s) => s.study_id)))).toEqual(new Set(['V0S000000001001', 'V0S000000001002']));
  });

  it('examples/full manages groups of vault 5005, with members of its own users from both forms', async () => {
    const result = await loadDesiredState('examples/full/roster.yaml', { cwd: ROOT });
    if (!result.ok) throw new Error('examples/full is invalid');
    const { groups, users } = result.state;
    expect(groups?.map((g) => g.label)).toEqual(['Clinical Trial Managers', 'CTMS Data Stewards', 'eTMF Reviewers']);
    const in5005 = new Set(users.filter((u) => u.memberships?.some((m) => m.vault_id === 5005 && m.active)).map((u) => u.user_name));
    for (const group of groups ?? []) {
      expect(group.members?.length, group.label).toBeGreaterThanOrEqual(2);
      for (const member of group.members ?? []) expect(in5005.has(member.user_name), `${group.label}: ${member.user_name}`).toBe(true);
    }
    const stewards = groups?.find((g) => g.key === 'ctms data stewards');
    expect(stewards?.members?.find((m) => m.user_name === 'oscar.reyes@veepharm.com')?.source.file).toBe('examples/full/users/clinical-team.yaml');
    expect(stewards?.members?.find((m) => m.user_name === 'chloe.martin@veepharm.com')?.source.file).toBe('examples/full/groups/clinical-teams.yaml');
  });

  it('every example file points its editor at an existing schema', async () => {
    const files = await glob('examples/{minimal,full}/**/*.yaml', { cwd: ROOT });
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const first = readFileSync(join(ROOT, file), 'utf8').split('\n')[0] ?? '';
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(match, file).not.toBeNull();
      const target = resolve(dirname(join(ROOT, file)), match?.[1] ?? '');
      expect(existsSync(target), `${file} → ${target}`).toBe(true);
      const kind = file.endsWith('roster.yaml') ? 'roster' : file.includes('/sitevault/') ? 'sitevault' : file.includes('/groups/') ? 'groups' : 'users';
      expect(target.endsWith(`specs/${kind}.schema.json`), file).toBe(true);
    }
  });
});

/** Every `enum` array found anywhere in a schema. */
function enumsOf(node: unknown): string[][] {
  if (Array.isArray(node)) return node.flatMap(enumsOf);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => (key === 'enum' && Array.isArray(value) ? [value.map(String)] : enumsOf(value)));
}

/** Every property schema (under any `properties`) with its name. */
function propertiesOf(node: unknown): [string, unknown][] {
  if (Array.isArray(node)) return node.flatMap(propertiesOf);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node as Record<string, unknown>).flatMap(([key, value]) => [
    ...(key === 'properties' && typeof value === 'object' && value !== null ? Object.entries(value as Record<string, unknown>) : []),
    ...propertiesOf(value),
  ]);
}

/** Every object schema (one with `properties`). */
function objectSchemasOf(node: unknown): Record<string, unknown>[] {
  if (Array.isArray(node)) return node.flatMap(objectSchemasOf);
  if (typeof node !== 'object' || node === null) return [];
  const own = 'properties' in node ? [node as Record<string, unknown>] : [];
  return [...own, ...Object.values(node as Record<string, unknown>).flatMap(objectSchemasOf)];
}

describe('schemas', () => {
  const kinds = Object.keys(SCHEMA_FILES) as FileKind[];

  it.each(kinds)('%s schema compiles in ajv strict mode', (kind) => {
    const ajv = new Ajv({ ...AJV_OPTIONS, strict: true });
    const schema = readSchema(kind);
    expect(() => ajv.compile(schema)).not.toThrow();
    expect(schema.$id).toMatch(/^urn:vault-roster:schema:/);
  });

  it.each(kinds)('%s schema closes every object and describes every property', (kind) => {
    const schema = readSchema(kind);
    for (const object of objectSchemasOf(schema)) expect(object.additionalProperties, JSON.stringify(object).slice(0, 80)).toBe(false);
    for (const [name, property] of propertiesOf(schema)) {
      expect((property as { description?: unknown }).description, `${kind}: ${name}`).toEqual(expect.any(String));
    }
  });

  it('enums come from the shared model', () => {
    const all = kinds.flatMap((k) => enumsOf(readSchema(k)));
    const sorted = (values: readonly string[]) => [...values].sort();
    const expected = [
      LICENSE_TYPES,
      STANDARD_SECURITY_PROFILES,
      UNMANAGED_USER_POLICIES,
      BODY_FORMATS,
      SITEVAULT_PERSON_TYPES,
      SITEVAULT_ORG_ROLES,
      SITEVAULT_SITE_ROLES,
      [...SITEVAULT_EXTERNAL_STUDY_ROLES, ...SITEVAULT_STAFF_STUDY_ROLES],
      [...SITEVAULT_ORG_ADDONS, ...SITEVAULT_SITE_ADDONS],
      DEFERRABLE_REVIEW_FLAGS,
    ].map(sorted);
    for (const values of all) {
      expect(expected, JSON.stringify(values)).toContainEqual(sorted(values));
    }
    for (const values of expected) expect(all.map(sorted), JSON.stringify(values)).toContainEqual(values);
  });
});
