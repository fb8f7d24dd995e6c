/**
 * The applier's port onto the real client: one typed operation in, one outcome per row out.
 * It only maps operation kinds to client calls; how each call is encoded, paced, retried and
 * repeated lives in src/vault/ (writes.ts).
 */
import type { Operation } from '../plan/index.js';
import type { RowOutcome, VaultClient } from '../vault/index.js';
import type { ApplyPort } from './execute.js';

/**
 * Runs one operation through the client. `sentBefore`: an earlier run may have sent it already
 * (its answer lost); the client then sends it in a form that is safe to repeat.
 */
export function sendOperation(client: VaultClient, op: Operation, sentBefore: boolean): Promise<readonly RowOutcome[]> {
  switch (op.kind) {
    case 'create_users':
      return client.createUsers(op.rows, { sentBefore });
    case 'upsert_users':
      return client.upsertUsers(op.match, op.rows);
    case 'update_users':
      return client.updateUsers(op.rows);
    case 'update_user':
      return Promise.all(op.rows.map((row) => client.updateDomainUser(row)));
    case 'promote_persons':
      return client.promotePersons(op.rows);
    case 'sitevault_create':
      return Promise.all(op.rows.map((row) => client.createSiteVaultPerson(row)));
    case 'sitevault_edit':
      return Promise.all(op.rows.map((row) => client.editSiteVaultPerson(row)));
    default: {
      const unknown: never = op;
      throw new Error(`unknown operation ${JSON.stringify(unknown)}`);
    }
  }
}

export function vaultPort(client: VaultClient): ApplyPort {
  return { send: (op, options) => sendOperation(client, op, options.sentBefore) };
}
