/**
 * The HTTP pipeline (node:http only). For every /api request, in order: route match,
 * session lookup, burst counting, latency, fault draw, then the handler; the answer is
 * Vault's envelope with the §1.2 headers (HTTP 200 even for FAILURE), and one request-log
 * entry. /_sim/ requests bypass all of that. A handler bug becomes EXCEPTION, never a crash.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sessionIdFromHeader, type Session } from './sessions.js';
import { redactQuery } from './request-log.js';
import { VaultFailure, versionAtLeast, type ApiReply, type AuthedContext, type JsonBody, type RequestContext, type Route } from './http.js';
import { handleSim, type SimControl } from './routes/sim.js';
import type { SimCore } from './core.js';
import type { SimUser } from './records.js';
import type { RequestStatus } from './types.js';

const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** API versions the simulator answers (GET /api lists them). */
export const API_VERSIONS: readonly string[] = [21, 22, 23, 24, 25, 26].flatMap((y) => [1, 2, 3].map((r) => `v${y}.${r}`)).filter((v) => v !== 'v26.3');

interface CompiledRoute {
  readonly route: Route;
  readonly regex: RegExp;
  readonly names: readonly string[];
}

type Match =
  | { readonly ok: true; readonly route: Route; readonly params: Record<string, string>; readonly apiVersion: string }
  | { readonly ok: false; readonly type: string; readonly message: string; readonly apiVersion: string };

function compile(routes: readonly Route[]): CompiledRoute[] {
  return routes.map((route) => {
    const names: string[] = [];
    const source = route.pattern.replace(/:([a-z_]+)/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { route, regex: new RegExp(`^${source}$`), names };
  });
}

/** Routes Vault serves outside /api/{version} (the OAuth login), matched on the whole path. */
const UNVERSIONED = /^\/auth\/oauth\//;

function matchRoute(table: readonly CompiledRoute[], method: string, path: string): Match {
  const m = UNVERSIONED.test(path) ? ['', '', path] : /^\/api\/(v\d+\.\d+)(\/.*)?$/.exec(path);
  if (m === null) return { ok: false, type: 'MALFORMED_URL', message: `no such resource [${path}]`, apiVersion: '' };
  const apiVersion = m[1] ?? '';
  if (apiVersion !== '' && !API_VERSIONS.includes(apiVersion)) return { ok: false, type: 'METHOD_NOT_SUPPORTED', message: `API version ${apiVersion} is not supported`, apiVersion };
  const sub = (m[2] ?? '/').replace(/\/+$/, '') || '/';
  let pathMatched = false;
  for (const entry of table) {
    // A versioned path never reaches an unversioned route, nor the other way round.
    if (UNVERSIONED.test(entry.route.pattern) !== (apiVersion === '')) continue;
    const hit = entry.regex.exec(sub);
    if (hit === null) continue;
    pathMatched = true;
    if (entry.route.method !== method) continue;
    const params: Record<string, string> = {};
    entry.names.forEach((name, i) => {
      params[name] = decodeURIComponent(hit[i + 1] ?? '');
    });
    return { ok: true, route: entry.route, params, apiVersion };
  }
  return pathMatched
    ? { ok: false, type: 'METHOD_NOT_SUPPORTED', message: `${method} is not supported on [${sub}]`, apiVersion }
    : { ok: false, type: 'MALFORMED_URL', message: `no such resource [${sub}]`, apiVersion };
}

const EMPTY = Buffer.alloc(0);

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  // Most calls are bodiless GETs; skipping the async iterator there is a measurable saving.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return EMPTY;
  if (req.headers['content-length'] === '0') return EMPTY;
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(buf);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

function failureBody(error: VaultFailure): JsonBody {
  return { responseStatus: error.status, errors: error.errors, ...error.extra };
}

/** Envelope error types plus the error types of every failed row, for the request log. */
function errorTypesOf(body: JsonBody): string[] {
  const types: string[] = [];
  const collect = (errors: unknown): void => {
    if (!Array.isArray(errors)) return;
    for (const e of errors as unknown[]) {
      const type = (e as { type?: unknown } | null)?.type;
      if (typeof type === 'string') types.push(type);
    }
  };
  collect(body.errors);
  if (Array.isArray(body.data)) for (const row of body.data as unknown[]) collect((row as { errors?: unknown } | null)?.errors);
  return types;
}

/** The stand-in authorization server's token endpoint (routes/oauth.ts). */
export type TokenEndpoint = (method: string, headers: IncomingMessage['headers'], body: Buffer | undefined) => { status: number; headers: Readonly<Record<string, string>>; body: unknown };

export function createSimulatorServer(core: SimCore, routes: readonly Route[], control: SimControl, tokenEndpoint?: TokenEndpoint): Server {
  const table = compile(routes);

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string, query: Record<string, string>, body: Buffer | undefined): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const seq = core.log.nextSeq();
    const executionId = randomUUID();
    const settings = core.settings;
    const match = matchRoute(table, method, path);
    const needsSession = !match.ok || match.route.auth;
    const isAuthCall = match.ok && (match.route.pattern === '/auth' || UNVERSIONED.test(match.route.pattern));

    const sid = sessionIdFromHeader(req.headers.authorization);
    let session: Session | undefined = sid === undefined ? undefined : core.sessions.get(sid);
    let caller: SimUser | undefined = session === undefined ? undefined : core.store.user(session.userId);
    if (session !== undefined && (caller === undefined || !core.canUseVault(caller, session.vaultId))) {
      core.sessions.end(session.id);
      session = undefined;
    }
    if (session !== undefined && needsSession && core.faults.expireThisSession()) {
      core.sessions.end(session.id);
      session = undefined;
    }
    if (session === undefined) caller = undefined;

    const bucket = session === undefined ? 'anonymous' : `${session.vaultId}:${session.userId}`;
    const burst = isAuthCall ? { remaining: core.burst.remaining(bucket), over: false } : core.burst.consume(bucket);
    const latency = settings.latencyMs + core.faults.latencyMs;
    if (latency > 0) await sleep(latency);

    const fault = isAuthCall && !core.faults.appliesToAuth() ? undefined : core.faults.draw();
    const base = { seq, method, path, query: redactQuery(query), executionId, ...(session === undefined ? {} : { vaultId: session.vaultId, userId: session.userId }) };
    const clientId = query.client_id ?? (typeof req.headers['x-vaultapi-clientid'] === 'string' ? req.headers['x-vaultapi-clientid'] : undefined);
    const logBase = clientId === undefined ? base : { ...base, clientId };
    if (fault === 'http500' || fault === 'http503') {
      const status = fault === 'http500' ? 500 : 503;
      res.writeHead(status, { 'Content-Type': 'text/html', 'X-VaultAPI-ExecutionId': executionId });
      res.end(`<html><body><h1>${status} ${status === 500 ? 'Internal Server Error' : 'Service Unavailable'}</h1></body></html>`);
      core.log.add({ ...logBase, status: fault === 'http500' ? 'HTTP_500' : 'HTTP_503', errorTypes: [], httpStatus: status });
      return;
    }
    if (fault === 'drop') {
      req.socket.destroy();
      core.log.add({ ...logBase, status: 'DROPPED', errorTypes: [], httpStatus: 0 });
      return;
    }

    let reply: ApiReply;
    try {
      if (!match.ok) throw new VaultFailure(match.type, match.message);
      if (body === undefined) throw new VaultFailure('INVALID_DATA', `the request body is larger than ${MAX_BODY_BYTES} bytes`);
      if (burst.over && settings.burstMode === 'reject') {
        throw new VaultFailure('API_LIMIT_EXCEEDED', `the burst limit of ${settings.burstLimit} calls per window was reached; retry when the window ends`);
      }
      if (match.route.minVersion !== undefined && !versionAtLeast(match.apiVersion, match.route.minVersion)) {
        throw new VaultFailure('METHOD_NOT_SUPPORTED', `this endpoint needs API ${match.route.minVersion} or later`);
      }
      const ctx: RequestContext = { method, path, query, headers: req.headers, rawBody: body, apiVersion: match.apiVersion, params: match.params };
      if (match.route.auth) {
        if (session === undefined || caller === undefined) throw new VaultFailure('INVALID_SESSION_ID', 'Invalid or expired session ID.');
        const vault = core.store.vaults.get(session.vaultId);
        if (vault === undefined) throw new VaultFailure('INVALID_SESSION_ID', 'Invalid or expired session ID.');
        if (fault === 'race') throw new VaultFailure('RACE_CONDITION', 'The record was updated concurrently; retry the request.');
        if (fault === 'unexpected') throw new VaultFailure('UNEXPECTED_ERROR', 'An unexpected error occurred (injected).');
        if (fault === 'exception') throw new VaultFailure('UNEXPECTED_ERROR', 'An unexpected system error occurred (injected).', {}, 'EXCEPTION');
        const authed: AuthedContext = { ...ctx, session, caller, vault };
        reply = await match.route.handle(authed);
      } else {
        if (fault === 'race' || fault === 'unexpected' || fault === 'exception') {
          throw new VaultFailure(fault === 'race' ? 'RACE_CONDITION' : 'UNEXPECTED_ERROR', 'Injected failure.', {}, fault === 'exception' ? 'EXCEPTION' : 'FAILURE');
        }
        reply = await match.route.handle(ctx);
      }
    } catch (error) {
      if (error instanceof VaultFailure) reply = { body: failureBody(error) };
      else reply = { body: { responseStatus: 'EXCEPTION', errors: [{ type: 'UNEXPECTED_ERROR', message: 'The simulator hit an internal error.' }] } };
    }

    const delayMs = burst.over && settings.burstMode === 'delay' ? settings.burstDelayMs : (reply.delayMs ?? 0);
    if (delayMs > 0) await sleep(delayMs);
    const status = String(reply.body.responseStatus) as RequestStatus;
    const entry = {
      ...logBase,
      ...(reply.vaultId === undefined ? {} : { vaultId: reply.vaultId }),
      ...(reply.userId === undefined ? {} : { userId: reply.userId }),
      ...(reply.rows === undefined ? {} : { rows: reply.rows }),
      ...(reply.membersChange === undefined ? {} : { membersChange: reply.membersChange }),
      ...(delayMs > 0 ? { delayedMs: delayMs } : {}),
      errorTypes: errorTypesOf(reply.body),
    };
    if (fault === 'dropAfter') {
      req.socket.destroy();
      core.log.add({ ...entry, status: 'DROPPED_AFTER', httpStatus: 0 });
      return;
    }
    const sessionId = reply.sessionId ?? session?.id;
    const headers: Record<string, string> = {
      'Content-Type': reply.csv === undefined ? 'application/json;charset=UTF-8' : 'text/csv;charset=UTF-8',
      'X-VaultAPI-ExecutionId': executionId,
      'X-VaultAPI-BurstLimit': String(settings.burstLimit),
      // Auth is not counted; it reports the budget of the (vault, user) its session will use.
      'X-VaultAPI-BurstLimitRemaining': String(
        isAuthCall && reply.vaultId !== undefined && reply.userId !== undefined ? core.burst.remaining(`${reply.vaultId}:${reply.userId}`) : burst.remaining,
      ),
      'X-VaultAPI-VaultId': String(reply.vaultId ?? session?.vaultId ?? core.store.activeVaults()[0]?.id ?? ''),
      'X-VaultAPI-Status': status,
    };
    const userId = reply.userId ?? session?.userId;
    if (userId !== undefined) headers['X-VaultAPI-UserId'] = String(userId);
    if (sessionId !== undefined) headers['X-VaultAPI-TruncatedSessionId'] = sessionId.slice(0, 10);
    if (delayMs > 0) headers['X-VaultAPI-ResponseDelay'] = String(delayMs);
    res.writeHead(200, headers);
    res.end(reply.csv ?? JSON.stringify(reply.body));
    core.log.add({ ...entry, status, httpStatus: 200 });
    if (session !== undefined) core.sessions.touch(session);
  }

  function handleSimRequest(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer | undefined): void {
    const reply =
      body === undefined
        ? { status: 413, body: { error: 'request body too large' } }
        : handleSim(control, (req.method ?? 'GET').toUpperCase(), path, body, (req.headers['content-type'] ?? '').toLowerCase());
    res.writeHead(reply.status, { 'Content-Type': 'application/json;charset=UTF-8' });
    res.end(JSON.stringify(reply.body));
  }

  function handleVersions(res: ServerResponse, host: string): void {
    const values = Object.fromEntries(API_VERSIONS.map((v) => [v, `http://${host}/api/${v}`]));
    res.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8', 'X-VaultAPI-Status': 'SUCCESS', 'X-VaultAPI-ExecutionId': randomUUID() });
    res.end(JSON.stringify({ responseStatus: 'SUCCESS', values }));
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname;
      const query: Record<string, string> = {};
      for (const [key, value] of url.searchParams) query[key] = value;
      const body = await readBody(req);
      if (path === '/_sim' || path.startsWith('/_sim/')) handleSimRequest(req, res, path, body);
      else if (path === '/oauth2/token' && tokenEndpoint !== undefined) {
        const reply = tokenEndpoint((req.method ?? 'GET').toUpperCase(), req.headers, body);
        res.writeHead(reply.status, { 'Content-Type': 'application/json;charset=UTF-8', ...reply.headers });
        res.end(JSON.stringify(reply.body));
      }
      else if ((path === '/api' || path === '/api/') && req.method === 'GET') handleVersions(res, req.headers.host ?? '127.0.0.1');
      else await handleApi(req, res, path, query, body);
    })().catch(() => {
      // Last resort: the pipeline itself failed (e.g. the client went away mid-body).
      if (!res.headersSent) {
        res.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8', 'X-VaultAPI-Status': 'EXCEPTION' });
        res.end(JSON.stringify({ responseStatus: 'EXCEPTION', errors: [{ type: 'UNEXPECTED_ERROR', message: 'The simulator hit an internal error.' }] }));
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  return server;
}
