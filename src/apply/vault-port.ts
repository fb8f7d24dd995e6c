/**
 * The applier's port onto the real client: turns one plan operation into the matching typed
 * Vault call and Vault's answers into one outcome per row. The only apply file that knows
 * endpoint shapes; retries and pacing stay inside the client.
 */
import { VaultRosterError } from '../errors.js';
import type { FieldValue } from '../model.js';
import type { RowResult, VaultClient } from '../vault/index.js';
import type { ApplyOperation, ApplyPort, RowOutcome } from './execute.js';

type Row = ApplyOperation['rows'][number];

function outcomes(results: readonly RowResult[]): RowOutcome[] {
  return results.map((r) => (r.ok ? { ok: true, id: String(r.id) } : { ok: false, error_type: r.errorType, message: r.message }));
}

function userRows(rows: readonly Row[]): { key: string; body: Readonly<Record<string, FieldValue>> }[] {
  // Plan rows for the users API are flat (scalars and encoded strings), as Vault takes them.
  return rows.map((r) => ({ key: r.key, body: r.body as Readonly<Record<string, FieldValue>> }));
}

function onlyRow(operation: ApplyOperation): Row {
  const [row, ...rest] = operation.rows;
  if (row === undefined || rest.length > 0) {
    throw new VaultRosterError('plan-invalid', `${operation.id}: a ${operation.body_format} call takes exactly one row`);
  }
  return row;
}

function lastSegment(path: string): string {
  return decodeURIComponent(path.split('/').pop() ?? '');
}

export function vaultPort(client: VaultClient): ApplyPort {
  return {
    async send(operation) {
      switch (operation.kind) {
        case 'create':
          return outcomes(await client.createUsers(userRows(operation.rows)));
        case 'upsert': {
          const key = operation.query?.idParam;
          if (key !== 'user_name__v' && key !== 'id') {
            throw new VaultRosterError('plan-invalid', `${operation.id}: an upsert needs idParam user_name__v or id`);
          }
          return outcomes(await client.createUsers(userRows(operation.rows), { upsertKey: key }));
        }
        case 'update': {
          if (operation.body_format === 'json-array') return outcomes(await client.updateUsers(userRows(operation.rows)));
          const row = onlyRow(operation);
          const id = Number(lastSegment(operation.path));
          if (!Number.isSafeInteger(id)) throw new VaultRosterError('plan-invalid', `${operation.id}: no user id in ${operation.path}`);
          const echoed = await client.updateUser(id, row.body as Readonly<Record<string, FieldValue>>);
          return [{ ok: true, id: String(echoed) }];
        }
        case 'promote':
          return outcomes(await client.promotePersons(operation.rows.map((r) => ({ key: r.key, body: r.body }))));
        case 'sitevault_create': {
          const row = onlyRow(operation);
          const created = await client.sitevaultCreatePerson(row.body);
          return [{ ok: true, id: created.personId }];
        }
        case 'sitevault_edit': {
          const row = onlyRow(operation);
          const edited = await client.sitevaultEditPerson(lastSegment(operation.path), row.body);
          return [{ ok: true, id: edited.personId }];
        }
        default: {
          const unknown: never = operation.kind;
          throw new VaultRosterError('plan-invalid', `unknown operation kind ${String(unknown)}`);
        }
      }
    },
  };
}
