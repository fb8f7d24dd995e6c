/**
 * Request/reply plumbing shared by the route files: the request context, Vault failures as
 * exceptions (turned into the FAILURE envelope by the server), body readers for form,
 * multipart, JSON and CSV, and route declarations.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Session } from './sessions.js';
import type { SimUser, SimVault } from './records.js';

export interface VaultErrorItem {
  readonly type: string;
  readonly message: string;
}

/** A whole-request FAILURE (or EXCEPTION) with Vault error type(s). */
export class VaultFailure extends Error {
  readonly errors: readonly VaultErrorItem[];
  constructor(
    readonly type: string,
    message: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
    readonly status: 'FAILURE' | 'EXCEPTION' = 'FAILURE',
  ) {
    super(message);
    this.errors = [{ type, message }];
  }

  /** A FAILURE listing several problems; the first gives the failure its type. */
  static many(errors: readonly VaultErrorItem[]): VaultFailure {
    const [first] = errors;
    if (first === undefined) throw new Error('VaultFailure.many needs at least one error');
    const failure = new VaultFailure(first.type, first.message);
    (failure as { errors: readonly VaultErrorItem[] }).errors = errors;
    return failure;
  }
}

export type JsonBody = Record<string, unknown>;

/** What a handler returns: the JSON envelope, or CSV text with the envelope kept for the log. */
export interface ApiReply {
  readonly body: JsonBody;
  readonly csv?: string;
  /** Row count of a bulk request (users a group member change names), for the request log. */
  readonly rows?: number;
  /** How a group write changed `members__v`, for the request log. */
  readonly membersChange?: 'replace' | 'add' | 'delete';
  /** Overrides the vault reported in headers/log (auth answers for the vault it chose). */
  readonly vaultId?: number;
  readonly userId?: number;
  readonly sessionId?: string;
  /** Deliberate delay before answering (auth limit), reported in X-VaultAPI-ResponseDelay. */
  readonly delayMs?: number;
}

export interface RequestContext {
  readonly method: string;
  /** Full path without the query. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: Buffer;
  /** e.g. `v25.2`; empty for unversioned routes. */
  readonly apiVersion: string;
  /** Path parameters of the matched route. */
  readonly params: Readonly<Record<string, string>>;
}

export interface AuthedContext extends RequestContext {
  readonly session: Session;
  readonly caller: SimUser;
  readonly vault: SimVault;
}

export function success(fields: JsonBody = {}): ApiReply {
  return { body: { responseStatus: 'SUCCESS', ...fields } };
}

export function header(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The media type without parameters, lower-cased; '' when absent. */
export function mediaType(ctx: RequestContext): string {
  return (header(ctx, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function wantsCsv(ctx: RequestContext): boolean {
  return (header(ctx, 'accept') ?? '').toLowerCase().includes('text/csv');
}

/** Compares `v26.2`-style versions: true when ctx's version is at least `min`. */
export function versionAtLeast(version: string, min: string): boolean {
  const parse = (v: string): [number, number] => {
    const m = /^v(\d+)\.(\d+)$/.exec(v);
    return m === null ? [0, 0] : [Number(m[1]), Number(m[2])];
  };
  const [a, b] = parse(version);
  const [c, d] = parse(min);
  return a > c || (a === c && b >= d);
}

function unsupportedType(ctx: RequestContext, expected: string): VaultFailure {
  const got = mediaType(ctx) === '' ? 'no Content-Type' : `Content-Type ${mediaType(ctx)}`;
  return new VaultFailure('INVALID_DATA', `${got} is not supported here; expected ${expected}`);
}

function parseMultipart(ctx: RequestContext): Record<string, string> {
  const contentType = header(ctx, 'content-type') ?? '';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (boundary === undefined) throw new VaultFailure('INVALID_DATA', 'multipart/form-data without a boundary');
  const fields: Record<string, string> = {};
  const text = ctx.rawBody.toString('utf8');
  for (const part of text.split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined || /filename=/i.test(head)) continue;
    fields[name] = part.slice(split + 4).replace(/\r\n$/, '');
  }
  return fields;
}

/** Form fields of an `application/x-www-form-urlencoded` or `multipart/form-data` body. */
export function readForm(ctx: RequestContext): Record<string, string> {
  const type = mediaType(ctx);
  if (type === 'multipart/form-data') return parseMultipart(ctx);
  if (type === 'application/x-www-form-urlencoded' || (type === '' && ctx.rawBody.length === 0)) {
    const fields: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(ctx.rawBody.toString('utf8'))) fields[key] = value;
    return fields;
  }
  throw unsupportedType(ctx, 'application/x-www-form-urlencoded or multipart/form-data');
}

/** A JSON body; malformed JSON is INVALID_DATA. Content type is checked by the caller. */
export function readJson(ctx: RequestContext): unknown {
  const text = ctx.rawBody.toString('utf8');
  if (text.trim() === '') throw new VaultFailure('INVALID_DATA', 'the request body is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new VaultFailure('INVALID_DATA', `malformed JSON: ${(error as Error).message}`);
  }
}

export function requireJsonType(ctx: RequestContext, alsoAccept: readonly string[] = []): void {
  const type = mediaType(ctx);
  if (type !== 'application/json' && !alsoAccept.includes(type)) throw unsupportedType(ctx, 'application/json');
}

type Handler<C> = (ctx: C) => ApiReply | Promise<ApiReply>;

export type Route =
  | { readonly method: string; readonly pattern: string; readonly auth: false; readonly minVersion?: string; readonly handle: Handler<RequestContext> }
  | { readonly method: string; readonly pattern: string; readonly auth: true; readonly minVersion?: string; readonly handle: Handler<AuthedContext> };

export function openRoute(method: string, pattern: string, handle: Handler<RequestContext>): Route {
  return { method, pattern, auth: false, handle };
}

export function authedRoute(method: string, pattern: string, handle: Handler<AuthedContext>, minVersion?: string): Route {
  return minVersion === undefined ? { method, pattern, auth: true, handle } : { method, pattern, auth: true, handle, minVersion };
}
