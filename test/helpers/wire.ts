/**
 * A typed operation as the HTTP request the client sends for it, built with the same pure
 * encoders (src/vault-api/), so tests can state expected bodies in Vault's terms.
 */
import type { Operation } from '../../src/plan/index.js';
import {
  PROMOTE_PATH,
  SITEVAULT_PERSONS_PATH,
  UPSERT_ID_PARAM,
  USERS_PATH,
  domainUserFields,
  newUserBody,
  promoteBody,
  sitevaultCreateBody,
  sitevaultEditBody,
  sitevaultPersonPath,
  userPath,
  userWriteBody,
} from '../../src/vault-api/index.js';

export interface WireCall {
  readonly method: 'POST' | 'PUT';
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly bodies: Record<string, unknown>[];
}

/** `sessionVaultId`: the vault the session is in (new users' row-level profile describes it). */
export function wireCall(op: Operation, sessionVaultId = 0): WireCall {
  switch (op.kind) {
    case 'create_users':
      return { method: 'POST', path: USERS_PATH, bodies: op.rows.map((r) => newUserBody(r, sessionVaultId)) };
    case 'upsert_users':
      return {
        method: 'POST',
        path: USERS_PATH,
        query: { operation: 'upsert', idParam: UPSERT_ID_PARAM[op.match] },
        bodies: op.rows.map((r) => userWriteBody(r, op.match)),
      };
    case 'update_users':
      return { method: 'PUT', path: USERS_PATH, bodies: op.rows.map((r) => userWriteBody(r, 'id')) };
    case 'update_user':
      return { method: 'PUT', path: userPath(op.rows[0]!.user_id), bodies: op.rows.map((r) => domainUserFields(r)) };
    case 'promote_persons':
      return { method: 'POST', path: PROMOTE_PATH, bodies: op.rows.map((r) => promoteBody(r)) };
    case 'sitevault_create':
      return { method: 'POST', path: SITEVAULT_PERSONS_PATH, bodies: op.rows.map((r) => sitevaultCreateBody(r.key, r.person)) };
    case 'sitevault_edit':
      return { method: 'PUT', path: sitevaultPersonPath(op.rows[0]!.person_id), bodies: op.rows.map((r) => sitevaultEditBody(r)) };
    default:
      // Group calls are form bodies with ids only known at apply; tests read them from the request log.
      throw new Error(`wireCall does not render ${op.kind}`);
  }
}
