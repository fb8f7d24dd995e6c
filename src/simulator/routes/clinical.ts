/**
 * Clinical Operations Promote Person to User (VAULT-API.md §9.1, API v26.2+). The body is a
 * JSON array whatever the Content-Type says (the doc's form-urlencoded header is a slip).
 * Each element succeeds or fails on its own (or, under a `whole-request` profile, one failure
 * fails the request); the created user gets `source_person_id__v` and the person gets
 * `vault_user__sys`. Which reference forms are taken comes from the profile too.
 */
import { isLicenseType } from '../encodings.js';
import { authedRoute, readJson, VaultFailure, type ApiReply, type AuthedContext, type Route } from '../http.js';
import { RowError } from '../user-fields.js';
import { applyRow, commitUser } from '../user-rows.js';
import type { SeedFieldValue } from '../types.js';
import type { SimCore } from '../core.js';
import type { WriteBehaviour } from '../profiles.js';

const MAX_PERSONS = 500;

/** user__sys field → legacy user field; these are stored on the new user. */
const FIELD_MAP: Readonly<Record<string, string>> = {
  alias__sys: 'alias__v',
  company__sys: 'company__v',
  title__sys: 'user_title__v',
  office_phone__sys: 'office_phone__v',
  fax__sys: 'fax__v',
  domain_admin__sys: 'is_domain_admin__v',
  salesforce_username__sys: 'salesforce_user_name__v',
  location__sys: 'site__v',
};
/** Accepted user__sys fields the simulator has no legacy counterpart for. */
const ACCEPTED_ONLY = new Set([
  'activation_date__sys',
  'send_welcome_email__sys',
  'holiday_schedule__sys',
  'system_availability_emails__sys',
  'product_announcement_emails__sys',
  'layout_profile__sys',
]);
const CORE_FIELDS = new Set([
  'source_person_id',
  'first_name__sys',
  'last_name__sys',
  'username__sys',
  'email__sys',
  'license_type__sys',
  'language__sys',
  'timezone__sys',
  'locale__sys',
  'security_profile__sys',
]);

/** Record ids of reference values, as the seed example sends them (simulator's own table). */
const LANGUAGE_IDS: Readonly<Record<string, string>> = { '0LU000000000101': 'en', '0LU000000000102': 'ja', '0LU000000000103': 'de', '0LU000000000104': 'fr' };
const LOCALE_IDS: Readonly<Record<string, string>> = { '0LO000000000101': 'en_GB', '0LO000000000104': 'en_US', '0LO000000000105': 'ja_JP' };
const PROFILE_IDS: Readonly<Record<string, string>> = {
  '0SP000000000101': 'business_admin__v',
  '0SP000000000102': 'document_user__v',
  '0SP000000000103': 'external_user__v',
  '0SP000000000104': 'read_only_user__v',
  '0SP000000000105': 'vault_owner__v',
  '0SP000000000106': 'view_based_user__v',
  '0SP000000000109': 'system_admin__v',
};

/** `america_new_york__sys` → `America/New_York`; legacy names pass through. */
function timezoneName(value: string): string {
  if (!value.endsWith('__sys')) return value;
  const [region = '', ...rest] = value.replace(/__sys$/, '').split('_');
  const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  return `${cap(region)}/${rest.map(cap).join('_')}`;
}

/**
 * A reference field of the body as the legacy value it stands for. The profile says which forms
 * this Vault takes: record ids (as in the documented example), names (as the field table hints),
 * or both. Throws RowError for a form it does not take.
 */
function reference(el: Record<string, unknown>, field: string, ids: Readonly<Record<string, string>>, forms: WriteBehaviour['promoteReferences']): string | undefined {
  const value = text(el[field]);
  if (value === undefined) return undefined;
  const byId = ids[value];
  if (byId !== undefined) {
    if (forms === 'names-only') throw new RowError('INVALID_DATA', `invalid value [${value}] for field [${field}]: expected a name, not a record id`);
    return byId;
  }
  if (forms === 'ids-only') throw new RowError('INVALID_DATA', `invalid value [${value}] for field [${field}]: expected a record id`);
  return value;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function promoteOne(ctx: AuthedContext, core: SimCore, item: unknown, dryRun = false): Record<string, unknown> {
  const failure = (personId: unknown, type: string, message: string) => ({
    source_person_id: typeof personId === 'string' ? personId : null,
    responseStatus: 'FAILURE',
    errors: [{ type, message }],
  });
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return failure(null, 'INVALID_DATA', 'each element must be an object');
  const el = item as Record<string, unknown>;
  const personId = text(el.source_person_id);
  if (personId === undefined) return failure(null, 'PARAMETER_REQUIRED', 'Missing required parameter [source_person_id]');
  const clinical = core.store.clinical;
  const person = clinical?.vault_id === ctx.vault.id ? clinical.persons.get(personId) : undefined;
  if (clinical === null || person === undefined) return failure(personId, 'INVALID_DATA', `person [${personId}] not found in vault [${ctx.vault.id}]`);
  if (person.vault_user__sys !== null) return failure(personId, 'OPERATION_NOT_ALLOWED', `person [${personId}] already has user [${person.vault_user__sys}]`);
  const unknown = Object.keys(el).filter((k) => !CORE_FIELDS.has(k) && FIELD_MAP[k] === undefined && !ACCEPTED_ONLY.has(k) && !k.endsWith('__c'));
  if (unknown.length > 0) return failure(personId, 'ATTRIBUTE_NOT_SUPPORTED', `Attribute [${unknown.join(', ')}] is not supported`);
  const username = text(el.username__sys);
  if (username === undefined) return failure(personId, 'PARAMETER_REQUIRED', 'Missing required parameter [username__sys]');
  const email = text(el.email__sys) ?? person.email__sys ?? undefined;
  const first = text(el.first_name__sys) ?? person.first_name__sys ?? undefined;
  const last = text(el.last_name__sys) ?? person.last_name__sys ?? undefined;
  const missing = [
    email === undefined ? 'email__sys' : '',
    first === undefined ? 'first_name__sys' : '',
    last === undefined ? 'last_name__sys' : '',
    ...core.profile.write.promoteRequiredFields.filter((field) => text(el[field]) === undefined),
  ].filter((m) => m !== '');
  if (missing.length > 0) return failure(personId, 'PARAMETER_REQUIRED', `Missing required parameter [${missing.join(', ')}]`);
  const license = text(el.license_type__sys) ?? 'full__v';
  if (!isLicenseType(license)) return failure(personId, 'INVALID_DATA', `invalid license_type__sys [${license}]`);
  const refs = core.profile.write.promoteReferences;
  let profile: string;
  let language: string | undefined;
  let locale: string | undefined;
  try {
    profile = reference(el, 'security_profile__sys', PROFILE_IDS, refs) ?? 'document_user__v';
    language = reference(el, 'language__sys', LANGUAGE_IDS, refs);
    locale = reference(el, 'locale__sys', LOCALE_IDS, refs);
  } catch (error) {
    if (error instanceof RowError) return failure(personId, error.type, error.message);
    throw error;
  }
  const row: Record<string, SeedFieldValue> = {
    user_name__v: username,
    user_first_name__v: first ?? null,
    user_last_name__v: last ?? null,
    user_email__v: email ?? null,
    user_language__v: language ?? 'en',
    user_locale__v: locale ?? 'en_US',
    user_timezone__v: timezoneName(text(el.timezone__sys) ?? 'America/New_York'),
    security_policy_id__v: core.store.policies[0]?.name ?? null,
    vault_membership: `${ctx.vault.id}:true:${profile}:${license}`,
  };
  for (const [from, to] of Object.entries(FIELD_MAP)) {
    const value = el[from];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') row[to] = value;
  }
  if (core.faults.failsRow(username, email)) return failure(personId, 'INVALID_DATA', 'row failed by fault injection (fail-rows)');
  try {
    const built = applyRow({ core, caller: ctx.caller, vaultId: ctx.vault.id }, undefined, row, { creating: true, joinCallingVault: false, bulkUpdate: false });
    if (dryRun) return { source_person_id: personId };
    const user = commitUser(core, { ...built, fields: { ...built.fields, source_person_id__v: personId } });
    clinical.persons.set(personId, { ...person, vault_user__sys: String(user.id) });
    core.store.changed();
    return { source_person_id: personId, user_id: String(user.id) };
  } catch (error) {
    if (error instanceof RowError) return failure(personId, error.type, error.message);
    throw error;
  }
}

function promote(ctx: AuthedContext, core: SimCore): ApiReply {
  if (!core.isAdminOf(ctx.caller, ctx.vault.id)) {
    throw new VaultFailure('INSUFFICIENT_ACCESS', `User [${ctx.caller.id}] is not an admin of vault [${ctx.vault.id}]`);
  }
  const body = readJson(ctx);
  if (!Array.isArray(body)) throw new VaultFailure('INVALID_DATA', 'the body must be a JSON array of persons to promote');
  if (body.length === 0) throw new VaultFailure('INVALID_DATA', 'the body has no persons');
  if (body.length > MAX_PERSONS) throw new VaultFailure('INVALID_DATA', `the body has ${body.length} persons; the maximum is ${MAX_PERSONS}`);
  if (core.profile.write.promoteFailure === 'whole-request') refuseWholeRequest(ctx, core, body);
  const data = body.map((item: unknown) => promoteOne(ctx, core, item));
  return { body: { responseStatus: 'SUCCESS', responseMessage: 'Success', data }, rows: data.length };
}

/**
 * The whole-request reading of a promotion failure: every person is checked first (nothing is
 * stored), and one failure fails the request with every person's error; nothing is promoted.
 */
function refuseWholeRequest(ctx: AuthedContext, core: SimCore, body: readonly unknown[]): void {
  const errors = body.flatMap((item: unknown) => {
    const result = promoteOne(ctx, core, item, true);
    const found = result.errors as { type: string; message: string }[] | undefined;
    return (found ?? []).map((e) => ({ type: e.type, message: `person [${String(result.source_person_id)}]: ${e.message}` }));
  });
  if (errors.length > 0) throw VaultFailure.many(errors);
}

export function clinicalRoutes(core: SimCore): Route[] {
  return [authedRoute('POST', '/app/clinical/persons/actions/promote_to_user', (ctx) => promote(ctx, core), 'v26.2')];
}
