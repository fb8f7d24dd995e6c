/**
 * VQL (VAULT-API.md §6.2): POST /query with form field `q`, and the `next_page` /
 * `previous_page` URLs, honoured with GET and POST. Pages re-run the query on live data.
 */
import { randomUUID } from 'node:crypto';
import { authedRoute, readForm, success, VaultFailure, type AuthedContext, type Route } from '../http.js';
import { parseVql, runQuery, VqlError, type ParsedQuery } from '../vql-engine.js';
import type { SimCore } from '../core.js';

const DEFAULT_PAGE = 1000;
const CURSOR_TTL_MS = 72 * 60 * 60 * 1000;

type Rows = ReturnType<typeof runQuery>;

/**
 * Rows of a paged query, kept while the store is unchanged: paging 200,000 group memberships
 * must not compute them again for every page. A change re-runs the query, as before.
 */
const MAX_CACHED_QUERIES = 8;
const rowCache = new Map<string, { readonly version: number; readonly profile: unknown; readonly rows: Rows }>();

function rowsOf(ctx: AuthedContext, core: SimCore, query: ParsedQuery, cursorId: string | undefined): Rows {
  const hit = cursorId === undefined ? undefined : rowCache.get(cursorId);
  if (hit !== undefined && hit.version === core.store.version && hit.profile === core.profile) return hit.rows;
  try {
    return runQuery(query, core.store, ctx.vault.id, core.profile.groups);
  } catch (error) {
    if (error instanceof VqlError) throw new VaultFailure('INCORRECT_QUERY_SYNTAX_ERROR', error.message);
    throw error;
  }
}

function page(ctx: AuthedContext, core: SimCore, query: ParsedQuery, cursorId: string | undefined, size: number, offset: number) {
  const rows = rowsOf(ctx, core, query, cursorId);
  const total = query.maxRows === undefined ? rows.length : Math.min(rows.length, query.maxRows);
  const data = rows.slice(offset, Math.min(offset + size, total));
  const details: Record<string, unknown> = { pagesize: size, pageoffset: offset, size: data.length, total };
  const hasNext = offset + size < total;
  const hasPrevious = offset > 0;
  if (hasNext || hasPrevious) {
    let id = cursorId;
    if (id === undefined) {
      id = randomUUID();
      core.cursors.set(id, { query, vaultId: ctx.vault.id, lastUsedAt: core.clock() });
    }
    // A few queries at a time (a reader pages several at once), bounded in memory.
    if (!rowCache.has(id) && rowCache.size >= MAX_CACHED_QUERIES) rowCache.delete(rowCache.keys().next().value ?? '');
    rowCache.set(id, { version: core.store.version, profile: core.profile, rows });
    const link = (o: number): string => `/api/${ctx.apiVersion}/query/${id}?pagesize=${size}&pageoffset=${o}`;
    if (hasNext) details.next_page = link(offset + size);
    if (hasPrevious) details.previous_page = link(Math.max(0, offset - size));
  }
  return success({ responseDetails: details, data });
}

function clampSize(n: number | undefined): number {
  if (n === undefined || n <= 0) return DEFAULT_PAGE;
  return Math.min(n, DEFAULT_PAGE);
}

function query(ctx: AuthedContext, core: SimCore) {
  const form = readForm(ctx);
  const q = form.q ?? ctx.query.q;
  if (q === undefined || q.trim() === '') throw new VaultFailure('PARAMETER_REQUIRED', 'Missing required parameter [q]');
  let parsed: ParsedQuery;
  try {
    parsed = parseVql(q);
  } catch (error) {
    if (error instanceof VqlError) throw new VaultFailure('INCORRECT_QUERY_SYNTAX_ERROR', error.message);
    throw error;
  }
  return page(ctx, core, parsed, undefined, clampSize(parsed.pageSize), parsed.pageOffset ?? 0);
}

function queryPage(ctx: AuthedContext, core: SimCore) {
  const id = ctx.params.cursor ?? '';
  const cursor = core.cursors.get(id);
  const now = core.clock();
  if (cursor === undefined || now - cursor.lastUsedAt > CURSOR_TTL_MS || cursor.vaultId !== ctx.vault.id) {
    throw new VaultFailure('MALFORMED_URL', `query page [${id}] not found or expired`);
  }
  cursor.lastUsedAt = now;
  const number = (name: string, fallback: number): number => {
    const raw = ctx.query[name];
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw)) throw new VaultFailure('INVALID_DATA', `invalid value [${raw}] for parameter [${name}]`);
    return Number(raw);
  };
  return page(ctx, core, cursor.query, id, clampSize(number('pagesize', DEFAULT_PAGE)), number('pageoffset', 0));
}

export function vqlRoutes(core: SimCore): Route[] {
  return [
    authedRoute('POST', '/query', (ctx) => query(ctx, core)),
    authedRoute('GET', '/query/:cursor', (ctx) => queryPage(ctx, core)),
    authedRoute('POST', '/query/:cursor', (ctx) => queryPage(ctx, core)),
  ];
}
