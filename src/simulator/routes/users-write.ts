/**
 * Create Single User, Create Multiple Users (and upsert), Update Multiple Users, Update
 * Single User and Disable User (VAULT-API.md §5.4–§5.7, §5.9). Bulk calls take JSON or CSV,
 * at most 500 rows, and answer per row in input order, as JSON or CSV. Users are never deleted.
 */
import { CsvError, decodeCsvBody, formatCsv, parseCsvTable } from '../csv.js';
import { parseBoolean } from '../encodings.js';
import { authedRoute, mediaType, readForm, readJson, success, VaultFailure, wantsCsv, type ApiReply, type AuthedContext, type Route } from '../http.js';
import { RowError, clearValue } from '../user-fields.js';
import { applyRow, commitUser, type Row, type RowActor, type RowMode } from '../user-rows.js';
import type { SimUser } from '../records.js';
import type { SeedFieldValue } from '../types.js';
import type { SimCore } from '../core.js';

export const MAX_BATCH = 500;
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

interface RowResult {
  readonly responseStatus: 'SUCCESS' | 'FAILURE';
  readonly id?: string;
  readonly errors?: readonly { type: string; message: string }[];
}

/** A submitted row with the profile's clear rule applied; `dropBlank` for CSV (blank = not supplied). */
function normaliseRow(raw: Readonly<Record<string, SeedFieldValue>>, dropBlank: boolean, mode: ClearMode): Row {
  const row: Record<string, SeedFieldValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (dropBlank && value === '') continue;
    const cleared = clearValue(value, mode);
    if (cleared !== undefined) row[key.trim()] = cleared;
  }
  return row;
}

type ClearMode = SimCore['profile']['write']['clearWith'];

/** Bulk rows from a CSV or JSON body. Whole-request problems are VaultFailures. */
function readBulkRows(ctx: AuthedContext, mode: ClearMode): Row[] {
  const type = mediaType(ctx);
  let rows: Row[];
  if (type === 'text/csv') {
    try {
      // A blank CSV cell means "not supplied"; the literal `null` clears.
      rows = parseCsvTable(decodeCsvBody(ctx.rawBody)).rows.map((r) => normaliseRow(r, true, mode));
    } catch (error) {
      if (error instanceof CsvError) throw new VaultFailure('INVALID_DATA', `invalid CSV: ${error.message}`);
      throw error;
    }
  } else if (type === 'application/json') {
    const parsed = readJson(ctx);
    if (!Array.isArray(parsed)) throw new VaultFailure('INVALID_DATA', 'the JSON body must be an array of user objects');
    rows = parsed.map((item: unknown, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new VaultFailure('INVALID_DATA', `element ${i + 1} of the JSON array is not an object`);
      }
      for (const [key, value] of Object.entries(item)) {
        if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          throw new VaultFailure('INVALID_DATA', `element ${i + 1}: field [${key}] must be a string, number, boolean or null`);
        }
      }
      return normaliseRow(item as Record<string, SeedFieldValue>, false, mode);
    });
  } else {
    const got = type === '' ? 'no Content-Type' : `Content-Type ${type}`;
    throw new VaultFailure('INVALID_DATA', `${got} is not supported here; expected application/json or text/csv`);
  }
  if (rows.length === 0) throw new VaultFailure('INVALID_DATA', 'the input has no rows');
  // Vault documents a 500-row maximum but not the error; the simulator refuses the whole request.
  if (rows.length > MAX_BATCH) throw new VaultFailure('INVALID_DATA', `the input has ${rows.length} rows; the maximum batch size is ${MAX_BATCH}`);
  return rows;
}

function dropNulls(row: Row): Row {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null));
}

function runRow(work: () => SimUser, echoId?: string): RowResult {
  try {
    return { responseStatus: 'SUCCESS', id: String(work().id) };
  } catch (error) {
    if (!(error instanceof RowError)) throw error;
    return { responseStatus: 'FAILURE', ...(echoId === undefined ? {} : { id: echoId }), errors: [{ type: error.type, message: error.message }] };
  }
}

function bulkReply(ctx: AuthedContext, results: readonly RowResult[]): ApiReply {
  const body = { responseStatus: 'SUCCESS', data: results };
  if (!wantsCsv(ctx)) return { body, rows: results.length };
  const lines = results.map((r) => [r.responseStatus, r.id ?? '', (r.errors ?? []).map((e) => `${e.type}|${e.message}`).join(';')]);
  return { body, rows: results.length, csv: formatCsv(['responseStatus', 'id', 'errors'], lines) };
}

function requireVaultAdmin(ctx: AuthedContext, core: SimCore): void {
  if (!core.isAdminOf(ctx.caller, ctx.vault.id)) {
    throw new VaultFailure('INSUFFICIENT_ACCESS', `User [${ctx.caller.id}] is not an admin of vault [${ctx.vault.id}]`);
  }
}

function createOrUpsert(ctx: AuthedContext, core: SimCore): ApiReply {
  if (FORM_TYPES.has(mediaType(ctx))) return createSingle(ctx, core);
  requireVaultAdmin(ctx, core);
  const operation = ctx.query.operation;
  const idParam = ctx.query.idParam;
  if (operation !== undefined && operation !== 'upsert') throw new VaultFailure('INVALID_DATA', `invalid value [${operation}] for parameter [operation]`);
  if (operation === 'upsert' && idParam === undefined) throw new VaultFailure('PARAMETER_REQUIRED', 'Missing required parameter [idParam]');
  if (operation === 'upsert' && idParam !== 'id' && idParam !== 'user_name__v') {
    throw new VaultFailure('INVALID_DATA', `invalid value [${idParam ?? ''}] for parameter [idParam]; use id or user_name__v`);
  }
  const rows = readBulkRows(ctx, core.profile.write.clearWith);
  const actor: RowActor = { core, caller: ctx.caller, vaultId: ctx.vault.id };
  const create = (row: Row): SimUser =>
    commitUser(core, applyRow(actor, undefined, dropNulls(row), { creating: true, joinCallingVault: false, bulkUpdate: false }));
  const results = rows.map((row) => {
    if (operation !== 'upsert') return runRow(() => create(row));
    if (idParam === 'id') {
      const rawId = row.id;
      if (rawId === undefined || rawId === null) return runRow(() => create(row));
      const existing = /^\d+$/.test(String(rawId)) ? core.store.user(Number(rawId)) : undefined;
      if (existing === undefined) return { responseStatus: 'FAILURE' as const, id: String(rawId), errors: [{ type: 'USER_NOT_FOUND', message: `user [${String(rawId)}] not found` }] };
      const mode: RowMode = { creating: false, joinCallingVault: false, bulkUpdate: false, keyField: 'id' };
      return runRow(() => commitUser(core, applyRow(actor, existing, row, mode)), String(existing.id));
    }
    const name = row.user_name__v;
    if (name === undefined || name === null) {
      return { responseStatus: 'FAILURE' as const, errors: [{ type: 'PARAMETER_REQUIRED', message: 'Missing required parameter [user_name__v]' }] };
    }
    const existing = core.store.userByName(String(name));
    if (existing === undefined) return runRow(() => create(row));
    const mode: RowMode = { creating: false, joinCallingVault: false, bulkUpdate: false, keyField: 'user_name__v' };
    return runRow(() => commitUser(core, applyRow(actor, existing, row, mode)), String(existing.id));
  });
  return bulkReply(ctx, results);
}

function createSingle(ctx: AuthedContext, core: SimCore): ApiReply {
  requireVaultAdmin(ctx, core);
  const form = normaliseRow(readForm(ctx), false, core.profile.write.clearWith);
  const domain = ctx.query.domain ?? (typeof form.domain === 'string' ? form.domain : undefined);
  const row: Row = { ...dropNulls(form), ...(domain === undefined ? {} : { domain }) };
  const domainOnly = parseBoolean(domain ?? false) === true;
  try {
    const user = commitUser(core, applyRow({ core, caller: ctx.caller, vaultId: ctx.vault.id }, undefined, row, { creating: true, joinCallingVault: !domainOnly, bulkUpdate: false }));
    return success({ id: String(user.id) });
  } catch (error) {
    if (error instanceof RowError) throw new VaultFailure(error.type, error.message);
    throw error;
  }
}

function updateMany(ctx: AuthedContext, core: SimCore): ApiReply {
  requireVaultAdmin(ctx, core);
  const rows = readBulkRows(ctx, core.profile.write.clearWith);
  const actor: RowActor = { core, caller: ctx.caller, vaultId: ctx.vault.id };
  const results = rows.map((row): RowResult => {
    const rawId = row.id;
    if (rawId === undefined || rawId === null) return { responseStatus: 'FAILURE', errors: [{ type: 'PARAMETER_REQUIRED', message: 'Missing required parameter [id]' }] };
    const existing = /^\d+$/.test(String(rawId)) ? core.store.user(Number(rawId)) : undefined;
    if (existing === undefined) return { responseStatus: 'FAILURE', id: String(rawId), errors: [{ type: 'USER_NOT_FOUND', message: `user [${String(rawId)}] not found` }] };
    return runRow(() => commitUser(core, applyRow(actor, existing, row, { creating: false, joinCallingVault: false, bulkUpdate: true, keyField: 'id' })), String(existing.id));
  });
  return bulkReply(ctx, results);
}

export function targetUser(ctx: AuthedContext, core: SimCore): SimUser {
  const raw = ctx.params.id ?? '';
  if (raw === 'me') return ctx.caller;
  const user = /^\d+$/.test(raw) ? core.store.user(Number(raw)) : undefined;
  if (user === undefined) throw new VaultFailure('MALFORMED_URL', `user [${raw}] not found`);
  return user;
}

const SELF_SERVICE_BLOCKED = ['vault_membership', 'app_licensing', 'active__v', 'security_profile__v', 'license_type__v'];

function updateSingle(ctx: AuthedContext, core: SimCore): ApiReply {
  const user = targetUser(ctx, core);
  const row = normaliseRow(readForm(ctx), false, core.profile.write.clearWith);
  if (Object.keys(row).length === 0) throw new VaultFailure('PARAMETER_REQUIRED', 'no fields to update');
  if (user.id !== ctx.caller.id || SELF_SERVICE_BLOCKED.some((k) => k in row)) requireVaultAdmin(ctx, core);
  try {
    commitUser(core, applyRow({ core, caller: ctx.caller, vaultId: ctx.vault.id }, user, row, { creating: false, joinCallingVault: false, bulkUpdate: false }));
  } catch (error) {
    if (error instanceof RowError) throw new VaultFailure(error.type, error.message);
    throw error;
  }
  return success({ id: user.id });
}

function disableUser(ctx: AuthedContext, core: SimCore): ApiReply {
  const user = targetUser(ctx, core);
  const domainWide = parseBoolean(ctx.query.domain ?? 'false') === true;
  let row: Row;
  if (domainWide) {
    row = { domain_active__v: false };
  } else {
    requireVaultAdmin(ctx, core);
    if (!user.memberships.some((m) => m.vault_id === ctx.vault.id)) {
      throw new VaultFailure('OPERATION_NOT_ALLOWED', `user [${user.id}] is not a member of vault [${ctx.vault.id}]`);
    }
    row = { active__v: false };
  }
  try {
    commitUser(core, applyRow({ core, caller: ctx.caller, vaultId: ctx.vault.id }, user, row, { creating: false, joinCallingVault: false, bulkUpdate: false }));
  } catch (error) {
    if (error instanceof RowError) throw new VaultFailure(error.type, error.message);
    throw error;
  }
  return success({ id: user.id });
}

export function usersWriteRoutes(core: SimCore): Route[] {
  return [
    authedRoute('POST', '/objects/users', (ctx) => createOrUpsert(ctx, core)),
    authedRoute('PUT', '/objects/users', (ctx) => updateMany(ctx, core)),
    authedRoute('PUT', '/objects/users/:id', (ctx) => updateSingle(ctx, core)),
    authedRoute('DELETE', '/objects/users/:id', (ctx) => disableUser(ctx, core)),
  ];
}
