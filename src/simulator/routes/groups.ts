/**
 * Groups (VAULT-API.md §16.1): Retrieve All Groups (`includeImplied`), Retrieve Auto Managed
 * Groups (limit/offset), Retrieve Group, group metadata, Create / Update / Delete Group. Groups
 * belong to the session's vault. Only user-managed groups may be written: system groups are
 * INSUFFICIENT_ACCESS (only a standard Vault Owner may edit them), Auto Managed and Manager groups
 * OPERATION_NOT_ALLOWED. The listing key and the form of `implied_members__v` come from the
 * profile (profiles.ts `groups`).
 */
import { parseBoolean } from '../encodings.js';
import { groupNameFromLabel, impliedMembers } from '../groups.js';
import { authedRoute, readForm, success, VaultFailure, type ApiReply, type AuthedContext, type JsonBody, type Route } from '../http.js';
import { membershipOf, userName, type SimGroup } from '../records.js';
import type { SimCore } from '../core.js';

const TYPE_LABEL: Readonly<Record<SimGroup['kind'], string>> = {
  user_managed: 'User Managed Group',
  system: 'System Managed Group',
  auto: 'Auto Managed Group',
  manager: 'Manager Group',
};

const WRITABLE_FIELDS = new Set(['label__v', 'group_description__v', 'active__v', 'allow_delegation_among_members__v', 'members__v', 'security_profiles__v']);
const MAX_AUTO_LIMIT = 1000;

function requireAdmin(ctx: AuthedContext, core: SimCore): void {
  if (!core.isAdminOf(ctx.caller, ctx.vault.id)) throw new VaultFailure('INSUFFICIENT_ACCESS', `User [${ctx.caller.id}] is not an admin of vault [${ctx.vault.id}]`);
}

function renderGroup(core: SimCore, g: SimGroup, withImplied: boolean): JsonBody {
  const out: JsonBody = {
    id: g.id,
    label__v: g.label,
    name__v: g.name,
    group_description__v: g.description,
    active__v: g.active,
    type__v: TYPE_LABEL[g.kind],
    editable__v: g.kind === 'user_managed',
    system_group__v: g.kind === 'system' || g.kind === 'manager',
    allow_delegation_among_members__v: g.allowDelegation,
    members__v: [...g.members],
    security_profiles__v: [...g.profiles],
    created_date__v: g.created,
    created_by__v: 1,
    modified_date__v: g.modified,
    modified_by__v: 1,
  };
  if (withImplied) {
    const implied = impliedMembers(core.store, g);
    out.implied_members__v = core.profile.groups.impliedMembers === 'ids' ? implied.map((m) => m.id) : implied;
  }
  return out;
}

function includeImplied(ctx: AuthedContext): boolean {
  const raw = ctx.query.includeImplied;
  if (raw === undefined) return false;
  const value = parseBoolean(raw);
  if (value === undefined) throw new VaultFailure('INVALID_DATA', `invalid value [${raw}] for parameter [includeImplied]; use true or false`);
  return value;
}

function listReply(core: SimCore, groups: readonly SimGroup[], withImplied: boolean): ApiReply {
  return success({ [core.profile.groups.listingKey]: groups.map((g) => ({ group: renderGroup(core, g, withImplied) })) });
}

function listGroups(ctx: AuthedContext, core: SimCore): ApiReply {
  const withImplied = includeImplied(ctx);
  return listReply(core, core.store.groupsOf(ctx.vault.id).filter((g) => g.kind !== 'auto'), withImplied);
}

function whole(ctx: AuthedContext, name: string, fallback: number, min: number, max: number): number {
  const raw = ctx.query[name];
  if (raw === undefined || raw === '') return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw new VaultFailure('INVALID_DATA', `invalid value [${raw}] for parameter [${name}]; use a whole number from ${min} to ${max}`);
  return n;
}

function listAutoGroups(ctx: AuthedContext, core: SimCore): ApiReply {
  const limit = whole(ctx, 'limit', MAX_AUTO_LIMIT, 1, MAX_AUTO_LIMIT);
  const offset = whole(ctx, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const auto = core.store.groupsOf(ctx.vault.id).filter((g) => g.kind === 'auto');
  const page = auto.slice(offset, offset + limit);
  const details: JsonBody = { limit, offset, size: page.length, total: auto.length };
  const link = (o: number): string => `/api/${ctx.apiVersion}/objects/groups/auto?limit=${limit}&offset=${o}`;
  if (offset + limit < auto.length) details.next_page = link(offset + limit);
  if (offset > 0) details.previous_page = link(Math.max(0, offset - limit));
  return success({ responseDetails: details, data: page.map((g) => ({ group: renderGroup(core, g, false) })) });
}

function targetGroup(ctx: AuthedContext, core: SimCore): SimGroup {
  const raw = ctx.params.id ?? '';
  const group = /^\d+$/.test(raw) ? core.store.group(Number(raw)) : undefined;
  if (group === undefined || group.vault_id !== ctx.vault.id) throw new VaultFailure('MALFORMED_URL', `group [${raw}] not found`);
  return group;
}

function retrieveGroup(ctx: AuthedContext, core: SimCore): ApiReply {
  const withImplied = includeImplied(ctx);
  return listReply(core, [targetGroup(ctx, core)], withImplied);
}

function metadata(ctx: AuthedContext): ApiReply {
  const field = (name: string, type: string, extra: JsonBody = {}): JsonBody => ({ name, type, required: false, editable: true, multi_value: false, ...extra });
  return success({
    properties: [
      { name: 'id', type: 'ID', required: false, editable: false, multi_value: false },
      field('label__v', 'String', { required: true, max_length: 255 }),
      { name: 'name__v', type: 'String', required: false, editable: false, multi_value: false, max_length: 255 },
      field('group_description__v', 'String', { max_length: 255 }),
      field('active__v', 'Boolean'),
      field('allow_delegation_among_members__v', 'Boolean'),
      field('members__v', 'ObjectReference', { object: 'users', multi_value: true }),
      field('security_profiles__v', 'ObjectReference', { object: 'securityprofiles', multi_value: true, values: ctx.vault.profiles.map((p) => ({ value: p })) }),
      { name: 'implied_members__v', type: 'ObjectReference', object: 'users', required: false, editable: false, multi_value: true },
      { name: 'editable__v', type: 'Boolean', required: false, editable: false, multi_value: false },
      { name: 'system_group__v', type: 'Boolean', required: false, editable: false, multi_value: false },
      { name: 'type__v', type: 'String', required: false, editable: false, multi_value: false },
    ],
  });
}

/** `1,2`, `add (1,2)` or `delete (1,2)`; anything else is INVALID_DATA, never a guess. */
export function parseMembersValue(raw: string): { readonly mode: 'replace' | 'add' | 'delete'; readonly ids: number[] } {
  const trimmed = raw.trim();
  const change = /^(add|delete)\s*\((.*)\)$/i.exec(trimmed);
  const mode = change === null ? 'replace' : (change[1]?.toLowerCase() as 'add' | 'delete');
  const body = change === null ? trimmed : (change[2] ?? '');
  if (change === null && /[()]/.test(trimmed)) throw new VaultFailure('INVALID_DATA', `invalid value [${raw}] for field [members__v]; use 1,2 or add (1,2) or delete (1,2)`);
  const parts = body.trim() === '' ? [] : body.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new VaultFailure('INVALID_DATA', `invalid value [${raw}] for field [members__v]; user ids must be whole numbers`);
  if (mode !== 'replace' && parts.length === 0) throw new VaultFailure('INVALID_DATA', `invalid value [${raw}] for field [members__v]; name at least one user id`);
  return { mode, ids: parts.map(Number) };
}

interface GroupForm {
  readonly fields: Readonly<Record<string, string>>;
}

function readGroupForm(ctx: AuthedContext): GroupForm {
  const fields = readForm(ctx);
  const unknown = Object.keys(fields).filter((k) => !WRITABLE_FIELDS.has(k));
  if (unknown.length > 0) throw new VaultFailure('ATTRIBUTE_NOT_SUPPORTED', unknown.map((k) => `Attribute [${k}] is not supported`).join('; '));
  return { fields };
}

function formBoolean(form: GroupForm, name: string): boolean | undefined {
  const raw = form.fields[name];
  if (raw === undefined) return undefined;
  const value = parseBoolean(raw);
  if (value === undefined) throw new VaultFailure('INVALID_DATA', `invalid value [${raw}] for field [${name}]; use true or false`);
  return value;
}

/** Members named by a write: users of this vault (not checked when removing), and fail-rows faults. */
function checkMembers(ctx: AuthedContext, core: SimCore, ids: readonly number[], removing = false): void {
  for (const id of ids) {
    const user = core.store.user(id);
    if (!removing && (user === undefined || membershipOf(user, ctx.vault.id) === undefined)) {
      throw new VaultFailure('INVALID_DATA', `invalid value [${id}] for field [members__v]: no such user in vault [${ctx.vault.id}]`);
    }
    if (user !== undefined && core.faults.failsRow(userName(user), typeof user.fields.user_email__v === 'string' ? user.fields.user_email__v : undefined)) {
      throw new VaultFailure('INVALID_DATA', `the membership of user [${id}] cannot be changed (injected failure)`);
    }
  }
}

function parseProfiles(ctx: AuthedContext, raw: string): string[] {
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((p) => !ctx.vault.profiles.includes(p));
  if (unknown.length > 0) throw new VaultFailure('INVALID_DATA', `invalid value [${unknown.join(',')}] for field [security_profiles__v]: no such security profile in vault [${ctx.vault.id}]`);
  return [...new Set(names)].sort();
}

/** Label rules: required, trimmed, unique in the vault in any case, and so its derived name. */
function checkLabel(ctx: AuthedContext, core: SimCore, label: string, exceptId?: number): string {
  const trimmed = label.trim();
  if (trimmed === '') throw new VaultFailure('PARAMETER_REQUIRED', 'Missing required parameter [label__v]');
  if (trimmed.length > 255) throw new VaultFailure('INVALID_DATA', 'label__v is longer than 255 characters');
  if (core.faults.failsRow(trimmed)) throw new VaultFailure('INVALID_DATA', `group [${trimmed}] cannot be written (injected failure)`);
  const clash = core.store.groupsOf(ctx.vault.id).find((g) => g.id !== exceptId && g.label.toLowerCase() === trimmed.toLowerCase());
  if (clash !== undefined) throw new VaultFailure('ITEM_NAME_EXISTS', `A group with the label [${clash.label}] already exists (id ${clash.id})`);
  return trimmed;
}

function createGroup(ctx: AuthedContext, core: SimCore): ApiReply {
  requireAdmin(ctx, core);
  const form = readGroupForm(ctx);
  const label = checkLabel(ctx, core, form.fields.label__v ?? '');
  const name = groupNameFromLabel(label);
  const sameName = core.store.groupsOf(ctx.vault.id).find((g) => g.name === name);
  if (sameName !== undefined) throw new VaultFailure('ITEM_NAME_EXISTS', `A group named [${name}] already exists (label [${sameName.label}]); choose a label that differs in letters or digits`);
  let members: number[] = [];
  if (form.fields.members__v !== undefined) {
    const parsed = parseMembersValue(form.fields.members__v);
    if (parsed.mode !== 'replace') throw new VaultFailure('INVALID_DATA', 'members__v on Create Group is a list of user ids (add/delete are for Update Group)');
    members = parsed.ids;
  }
  checkMembers(ctx, core, members);
  const now = core.nowIso();
  const group: SimGroup = {
    id: core.store.allocateGroupId(),
    vault_id: ctx.vault.id,
    label,
    name,
    kind: 'user_managed',
    description: form.fields.group_description__v ?? '',
    active: formBoolean(form, 'active__v') ?? true,
    allowDelegation: formBoolean(form, 'allow_delegation_among_members__v') ?? false,
    members: [...new Set(members)].sort((a, b) => a - b),
    profiles: form.fields.security_profiles__v === undefined ? [] : parseProfiles(ctx, form.fields.security_profiles__v),
    allInternal: false,
    created: now,
    modified: now,
  };
  core.store.putGroup(group);
  return success({ responseMessage: 'Group successfully created.', id: group.id });
}

function requireWritable(group: SimGroup, action: string): void {
  if (group.kind === 'system') throw new VaultFailure('INSUFFICIENT_ACCESS', `Cannot ${action} the system group [${group.label}]; only a standard Vault Owner may edit system groups`);
  if (group.kind !== 'user_managed') throw new VaultFailure('OPERATION_NOT_ALLOWED', `Cannot ${action} the ${TYPE_LABEL[group.kind]} [${group.label}]; it is managed by Vault`);
}

function nextMembers(ctx: AuthedContext, core: SimCore, group: SimGroup, raw: string): number[] {
  const { mode, ids } = parseMembersValue(raw);
  checkMembers(ctx, core, ids, mode === 'delete');
  const current = new Set(group.members);
  if (mode === 'replace') return [...new Set(ids)].sort((a, b) => a - b);
  for (const id of ids) {
    if (mode === 'add') current.add(id);
    else current.delete(id);
  }
  return [...current].sort((a, b) => a - b);
}

function updateGroup(ctx: AuthedContext, core: SimCore): ApiReply {
  requireAdmin(ctx, core);
  const group = targetGroup(ctx, core);
  requireWritable(group, 'update');
  const form = readGroupForm(ctx);
  if (Object.keys(form.fields).length === 0) throw new VaultFailure('PARAMETER_REQUIRED', 'no fields to update');
  const f = form.fields;
  const updated: SimGroup = {
    ...group,
    label: f.label__v === undefined ? group.label : checkLabel(ctx, core, f.label__v, group.id),
    description: f.group_description__v ?? group.description,
    active: formBoolean(form, 'active__v') ?? group.active,
    allowDelegation: formBoolean(form, 'allow_delegation_among_members__v') ?? group.allowDelegation,
    members: f.members__v === undefined ? group.members : nextMembers(ctx, core, group, f.members__v),
    profiles: f.security_profiles__v === undefined ? group.profiles : parseProfiles(ctx, f.security_profiles__v),
    modified: core.nowIso(),
  };
  if (f.label__v === undefined) checkLabelFault(core, group);
  core.store.putGroup(updated);
  if (f.members__v === undefined) return success({ id: group.id });
  const { mode, ids } = parseMembersValue(f.members__v);
  return { ...success({ id: group.id }), membersChange: mode, rows: ids.length };
}

/** A fail-rows fault naming the group's label applies to every write of that group. */
function checkLabelFault(core: SimCore, group: SimGroup): void {
  if (core.faults.failsRow(group.label)) throw new VaultFailure('INVALID_DATA', `group [${group.label}] cannot be written (injected failure)`);
}

function deleteGroup(ctx: AuthedContext, core: SimCore): ApiReply {
  requireAdmin(ctx, core);
  const group = targetGroup(ctx, core);
  requireWritable(group, 'delete');
  checkLabelFault(core, group);
  core.store.deleteGroup(group.id);
  return success({ id: group.id });
}

export function groupRoutes(core: SimCore): Route[] {
  return [
    authedRoute('GET', '/objects/groups', (ctx) => listGroups(ctx, core)),
    authedRoute('POST', '/objects/groups', (ctx) => createGroup(ctx, core)),
    // Before /objects/groups/:id, which would read `auto` as an id.
    authedRoute('GET', '/objects/groups/auto', (ctx) => listAutoGroups(ctx, core)),
    authedRoute('GET', '/objects/groups/:id', (ctx) => retrieveGroup(ctx, core)),
    authedRoute('PUT', '/objects/groups/:id', (ctx) => updateGroup(ctx, core)),
    authedRoute('DELETE', '/objects/groups/:id', (ctx) => deleteGroup(ctx, core)),
    authedRoute('GET', '/metadata/objects/groups', (ctx) => metadata(ctx)),
  ];
}
