/**
 * The simulator's own inspection routes under /_sim/ (not Vault; outside /api/): state dump
 * and replace, request log, fault control, profile, session expiry, SiteVault persons. No session,
 * no burst limit, no faults, not logged. Plain JSON with HTTP status codes.
 */
import { FaultSpecError, formatFaultSpec } from '../faults.js';
import { SeedError } from '../seed.js';
import { ProfileError } from '../profiles.js';
import type { FaultSpec, RequestLogEntry, SimulatorSeed } from '../types.js';

export interface SimControl {
  dump(): SimulatorSeed;
  replaceState(seed: unknown): void;
  requestLog(): readonly RequestLogEntry[];
  clearRequestLog(): void;
  setFaults(spec: FaultSpec | string): void;
  faults(): FaultSpec;
  expireSessions(): void;
  sitevault(): unknown;
  persistError(): string | undefined;
  profile(): unknown;
  setProfile(spec: unknown): void;
}

export interface SimReply {
  readonly status: number;
  readonly body: unknown;
}

function parseBody(raw: Buffer, contentType: string): unknown {
  const text = raw.toString('utf8');
  if (contentType.includes('json')) return JSON.parse(text) as unknown;
  return text;
}

function faultInput(body: unknown): FaultSpec | string {
  if (typeof body === 'string') return body;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const spec = (body as { spec?: unknown }).spec;
    if (typeof spec === 'string') return spec;
    return body;
  }
  throw new FaultSpecError('send a SPEC string (text/plain), {"spec": "..."} or a FaultSpec object');
}

export function handleSim(control: SimControl, method: string, path: string, raw: Buffer, contentType: string): SimReply {
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  try {
    switch (route) {
      case 'GET /_sim':
      case 'GET /_sim/health':
        return { status: 200, body: { ok: true, persistError: control.persistError() ?? null } };
      case 'GET /_sim/state':
        return { status: 200, body: control.dump() };
      case 'PUT /_sim/state':
        control.replaceState(parseBody(raw, 'json'));
        return { status: 200, body: { ok: true } };
      case 'GET /_sim/requests':
        return { status: 200, body: { entries: control.requestLog() } };
      case 'DELETE /_sim/requests':
        control.clearRequestLog();
        return { status: 200, body: { ok: true } };
      case 'GET /_sim/faults':
        return { status: 200, body: { spec: formatFaultSpec(control.faults()), faults: control.faults() } };
      case 'POST /_sim/faults':
      case 'PUT /_sim/faults':
        control.setFaults(faultInput(parseBody(raw, contentType)));
        return { status: 200, body: { ok: true, spec: formatFaultSpec(control.faults()) } };
      case 'POST /_sim/sessions/expire':
        control.expireSessions();
        return { status: 200, body: { ok: true } };
      case 'GET /_sim/profile':
        return { status: 200, body: control.profile() };
      case 'PUT /_sim/profile':
      case 'POST /_sim/profile': {
        const body = parseBody(raw, contentType);
        control.setProfile(typeof body === 'string' ? body.trim() : body);
        return { status: 200, body: control.profile() };
      }
      case 'GET /_sim/sitevault':
        return { status: 200, body: control.sitevault() };
      default:
        return { status: 404, body: { error: `no simulator route ${route}` } };
    }
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof SeedError || error instanceof FaultSpecError || error instanceof ProfileError) {
      return { status: 400, body: { error: error.message } };
    }
    throw error;
  }
}
