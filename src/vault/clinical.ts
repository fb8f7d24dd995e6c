/**
 * SiteVault user administration (VAULT-API.md §8) and Clinical Operations Promote Person to User
 * (§9). SiteVault answers one person per call: create takes an array of one and answers an array,
 * edit takes an object and answers an object.
 */
import { VaultApiError, VaultRosterError } from '../errors.js';
import { asArray, asRecord, asString, envelopeError, parseRowResults, type JsonRecord, type RowResult, type WriteRow } from './envelope.js';
import type { VaultTransport } from './transport.js';

const PERSONS_PATH = 'app/sitevault/useradmin/persons';
const PROMOTE_PATH = 'app/clinical/persons/actions/promote_to_user';

/** Vault's answer for one SiteVault person. */
export interface SiteVaultPersonResult {
  readonly personId: string;
  readonly email: string | undefined;
  readonly username: string | undefined;
  /** e.g. `active__v`. */
  readonly recordStatus: string | undefined;
}

function personResult(transport: VaultTransport, method: string, path: string, raw: unknown): SiteVaultPersonResult {
  const entry = asRecord(raw);
  const personId = asString(entry.person_id);
  if (personId !== undefined && /^success$/i.test(asString(entry.status) ?? '')) {
    return { personId, email: asString(entry.email), username: asString(entry.username), recordStatus: asString(entry.record_status) };
  }
  const error = envelopeError({ ...entry, responseStatus: 'FAILURE' });
  return failWith(transport, method, path, error?.type ?? 'UNKNOWN', error?.message ?? `status ${asString(entry.status) ?? 'missing'}`);
}

function failWith(transport: VaultTransport, method: string, path: string, errorType: string, message: string): never {
  throw new VaultApiError({ method, path, errorType, vaultMessage: transport.settings.redactor.text(message) });
}

/** SiteVault Create User: `person` is one element of the documented array body. */
export async function sitevaultCreatePerson(transport: VaultTransport, person: JsonRecord): Promise<SiteVaultPersonResult> {
  // Creates a person: a lost answer must not be repeated blindly (the applier reconciles instead).
  const req = { method: 'POST', path: PERSONS_PATH, json: [person], retry: 'never' } as const;
  const { body } = await transport.request(req);
  const responses = asArray(asRecord(body.data).response);
  const path = transport.path(req);
  if (responses.length !== 1) {
    throw new VaultRosterError('vault-response', `POST ${path}: Vault answered ${responses.length} results for 1 person`);
  }
  return personResult(transport, 'POST', path, responses[0]);
}

/** SiteVault Edit User: full replace of the assignments sent, so repeating it is safe. */
export async function sitevaultEditPerson(transport: VaultTransport, personId: string, person: JsonRecord): Promise<SiteVaultPersonResult> {
  const req = { method: 'PUT', path: `${PERSONS_PATH}/${encodeURIComponent(personId)}`, json: person, retry: 'idempotent' } as const;
  const { body } = await transport.request(req);
  const raw = asRecord(body.data).response;
  return personResult(transport, 'PUT', transport.path(req), Array.isArray(raw) ? raw[0] : raw);
}

/**
 * Promote Person to User, one element per row (`body.source_person_id` required). Results are in
 * input order; when every answer names its person they are matched by person id instead, since
 * the documented example does not keep the order obvious.
 */
export async function promotePersons(transport: VaultTransport, rows: readonly WriteRow<JsonRecord>[]): Promise<RowResult[]> {
  if (rows.length === 0) return [];
  const req = { method: 'POST', path: PROMOTE_PATH, json: rows.map((r) => r.body), retry: 'never' } as const;
  const { body } = await transport.request(req);
  const entries = asArray(body.data).map(asRecord);
  const wanted = rows.map((r) => asString(r.body.source_person_id));
  const byPerson = new Map(entries.map((e) => [asString(e.source_person_id), e] as const));
  const matchable = entries.length === rows.length && wanted.every((id) => id !== undefined && byPerson.has(id)) && byPerson.size === rows.length;
  const ordered = matchable ? wanted.map((id) => byPerson.get(id)) : body.data;
  return parseRowResults(
    rows.map((r) => r.key),
    ordered,
    { method: 'POST', path: transport.path(req), idField: 'user_id' },
  );
}
