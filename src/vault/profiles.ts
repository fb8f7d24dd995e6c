/**
 * Security profiles of the session's vault: the `values` of `security_profile__v` in Retrieve
 * User Metadata (VAULT-API.md §5.1, §7.2 option (a); there is no legacy profile listing). Answers
 * for the session's vault only. `undefined` when the metadata carries no value list: then the
 * planner warns instead of checking (never an empty list that would refuse every profile).
 */
import { decodeText, WireDecodeError } from '../vault-api/index.js';
import { decodeIn, isRecord, readCall, requireArray } from './envelope.js';
import type { VaultTransport } from './transport.js';

export async function listSecurityProfiles(transport: VaultTransport): Promise<string[] | undefined> {
  const answer = await readCall(transport, { method: 'GET', path: 'metadata/objects/users', retry: 'idempotent' });
  const properties = requireArray(answer, 'properties');
  const index = properties.findIndex((p) => isRecord(p) && p.name === 'security_profile__v');
  const property = properties[index];
  if (!isRecord(property) || !Array.isArray(property.values) || property.values.length === 0) return undefined;
  const values = property.values as unknown[];
  return decodeIn(answer, `properties[${index}].values`, () =>
    values
      .map((v, i) => {
        if (!isRecord(v)) throw new WireDecodeError(`values[${i}]`, 'is not an object', v);
        return decodeText(v.value, `values[${i}].value`);
      })
      .sort(),
  );
}
