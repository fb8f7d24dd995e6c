/** Endpoint paths, relative to `/api/{version}` (VAULT-API.md §5, §8, §9). */
import type { Operation } from '../plan/types.js';

export const USERS_PATH = '/objects/users';
export const PROMOTE_PATH = '/app/clinical/persons/actions/promote_to_user';
export const SITEVAULT_PERSONS_PATH = '/app/sitevault/useradmin/persons';

/** Vault's upsert key parameter for each way an upsert matches its user. */
export const UPSERT_ID_PARAM = { user_name: 'user_name__v', id: 'id' } as const;

export function userPath(userId: number): string {
  return `${USERS_PATH}/${userId}`;
}

export const GROUPS_PATH = '/objects/groups';

export function groupPath(groupId: number): string {
  return `${GROUPS_PATH}/${groupId}`;
}

export function sitevaultPersonPath(personId: string): string {
  return `${SITEVAULT_PERSONS_PATH}/${encodeURIComponent(personId)}`;
}

/** The call an operation makes, as people read it: `POST /objects/users?operation=upsert&idParam=id`. */
export function describeCall(op: DistributiveOmit<Operation, 'id' | 'call' | 'depends_on'>): string {
  switch (op.kind) {
    case 'create_users':
      return `POST ${USERS_PATH}`;
    case 'upsert_users':
      return `POST ${USERS_PATH}?operation=upsert&idParam=${UPSERT_ID_PARAM[op.match]}`;
    case 'update_users':
      return `PUT ${USERS_PATH}`;
    case 'update_user':
      return `PUT ${userPath(op.rows[0]?.user_id ?? 0)}`;
    case 'promote_persons':
      return `POST ${PROMOTE_PATH}`;
    case 'sitevault_create':
      return `POST ${SITEVAULT_PERSONS_PATH}`;
    case 'sitevault_edit':
      return `PUT ${sitevaultPersonPath(op.rows[0]?.person_id ?? '')}`;
    case 'create_group':
      return `POST ${GROUPS_PATH}`;
    case 'update_group':
      return `PUT ${groupPath(op.rows[0]?.group_id ?? 0)}`;
    case 'add_group_members':
    case 'remove_group_members': {
      const id = op.rows[0]?.group_id;
      return `PUT ${id === undefined ? `${GROUPS_PATH}/{new group id}` : groupPath(id)} (members__v=${op.kind === 'add_group_members' ? 'add' : 'delete'} (…))`;
    }
    default: {
      const unknown: never = op;
      throw new Error(`unknown operation ${JSON.stringify(unknown)}`);
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
