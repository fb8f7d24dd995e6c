import { describe, expect, it } from 'vitest';
import { adminSession, startTestSimulator } from '../helpers/simulator.js';
import { call, newUserRow } from './api.js';
import { formatFaultSpec, parseFaultSpec, FaultSpecError, type RunningSimulator } from '../../src/simulator/index.js';

async function keepAlive(sim: RunningSimulator, sid: string) {
  return call(sim, 'POST', '/keep-alive', { sid });
}

describe('burst limit', () => {
  it('counts down X-VaultAPI-BurstLimitRemaining, then delays with X-VaultAPI-ResponseDelay (delay mode)', async () => {
    const sim = await startTestSimulator({ burstLimit: 3, burstDelayMs: 1 });
    const sid = await adminSession(sim);
    const seen: [string | null, string | null, string][] = [];
    for (let i = 0; i < 5; i++) {
      const r = await keepAlive(sim, sid);
      seen.push([r.headers.get('x-vaultapi-burstlimitremaining'), r.headers.get('x-vaultapi-responsedelay'), (r.body as { responseStatus: string }).responseStatus]);
      expect(r.headers.get('x-vaultapi-burstlimit')).toBe('3');
    }
    expect(seen).toEqual([
      ['2', null, 'SUCCESS'],
      ['1', null, 'SUCCESS'],
      ['0', null, 'SUCCESS'],
      ['0', '1', 'SUCCESS'],
      ['0', '1', 'SUCCESS'],
    ]);
    expect(sim.requestLog().slice(-2).map((e) => e.delayedMs)).toEqual([1, 1]);
    // Auth is not counted and reports the budget of the session it creates.
    const auth = await call(sim, 'POST', '/auth', { form: { username: sim.adminUser, password: 'admin', vaultDNS: 'https://veepharm-rim.veevavault.com/' } });
    expect((auth.body as { vaultId: number }).vaultId).toBe(3003);
    expect(auth.headers.get('x-vaultapi-burstlimitremaining')).toBe('0');
    expect(auth.headers.get('x-vaultapi-responsedelay')).toBeNull();
  });

  it('rejects with API_LIMIT_EXCEEDED in reject mode, and a new window starts afresh', async () => {
    let now = Date.UTC(2026, 1, 1, 10, 0, 0);
    const sim = await startTestSimulator({ burstLimit: 2, burstMode: 'reject', burstWindowMs: 300_000, clock: () => now });
    const sid = await adminSession(sim);
    const types: string[] = [];
    for (let i = 0; i < 3; i++) {
      const body = (await keepAlive(sim, sid)).body as { responseStatus: string; errors?: { type: string }[] };
      types.push(body.errors?.[0]?.type ?? body.responseStatus);
    }
    expect(types).toEqual(['SUCCESS', 'SUCCESS', 'API_LIMIT_EXCEEDED']);
    now += 300_000;
    const fresh = await keepAlive(sim, sid);
    expect(fresh.body).toEqual({ responseStatus: 'SUCCESS' });
    expect(fresh.headers.get('x-vaultapi-burstlimitremaining')).toBe('1');
  });

  it('keeps one bucket per (vault, user)', async () => {
    const sim = await startTestSimulator({ burstLimit: 5 });
    const rim = await adminSession(sim, 'veepharm-rim.veevavault.com');
    const quality = await adminSession(sim, 'veepharm-quality.veevavault.com');
    await keepAlive(sim, rim);
    await keepAlive(sim, rim);
    expect((await keepAlive(sim, rim)).headers.get('x-vaultapi-burstlimitremaining')).toBe('2');
    expect((await keepAlive(sim, quality)).headers.get('x-vaultapi-burstlimitremaining')).toBe('4');
  });
});

type Outcome = string;

async function outcomes(sim: RunningSimulator, sid: string, count: number): Promise<Outcome[]> {
  const result: Outcome[] = [];
  for (let i = 0; i < count; i++) {
    try {
      const r = await fetch(`${sim.url}/api/v25.2/objects/users/me`, { headers: { Authorization: sid, Connection: 'close' } });
      if (r.status !== 200) {
        result.push(`HTTP_${r.status}`);
        await r.text();
        continue;
      }
      const body = (await r.json()) as { responseStatus: string; errors?: { type: string }[] };
      result.push(body.responseStatus === 'SUCCESS' ? 'SUCCESS' : `${body.responseStatus}:${body.errors?.[0]?.type ?? ''}`);
    } catch {
      result.push('DROPPED');
    }
  }
  return result;
}

const MIX = 'seed=7,http500=0.15,http503=0.1,drop=0.1,race=0.1,unexpected=0.1,exception=0.1';

describe('fault injection', () => {
  it('is deterministic with a seed, covers every fault kind, and matches the request log', async () => {
    const sim = await startTestSimulator();
    const sid = await adminSession(sim);
    sim.setFaults(MIX);
    const first = await outcomes(sim, sid, 60);
    sim.setFaults(MIX);
    const second = await outcomes(sim, sid, 60);
    expect(second).toEqual(first);
    for (const kind of ['SUCCESS', 'HTTP_500', 'HTTP_503', 'DROPPED', 'FAILURE:RACE_CONDITION', 'FAILURE:UNEXPECTED_ERROR', 'EXCEPTION:UNEXPECTED_ERROR']) {
      expect(first, kind).toContain(kind);
    }
    const logged = sim.requestLog().slice(-60).map((e) => (e.status === 'FAILURE' || e.status === 'EXCEPTION' ? `${e.status}:${e.errorTypes[0] ?? ''}` : e.status));
    expect(logged).toEqual(second);
    sim.setFaults('seed=8,http500=0.15,http503=0.1,drop=0.1,race=0.1,unexpected=0.1,exception=0.1');
    expect(await outcomes(sim, sid, 60)).not.toEqual(first);
  });

  it('can be set over HTTP through /_sim/faults and never applies to /_sim/ or, by default, to /auth', async () => {
    const sim = await startTestSimulator();
    const set = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'http500=1' });
    expect(await set.json()).toEqual({ ok: true, spec: 'http500=1' });
    const sid = await adminSession(sim);
    expect(await outcomes(sim, sid, 2)).toEqual(['HTTP_500', 'HTTP_500']);
    expect((await fetch(`${sim.url}/_sim/state`)).status).toBe(200);
    expect(((await (await fetch(`${sim.url}/_sim/faults`)).json()) as { spec: string }).spec).toBe('http500=1');
    await fetch(`${sim.url}/_sim/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ spec: 'http503=1,auth=true' }) });
    const auth = await fetch(`${sim.url}/api/v25.2/auth`, { method: 'POST', body: new URLSearchParams({ username: sim.adminUser, password: 'admin' }) });
    expect(auth.status).toBe(503);
    const bad = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'http500=2' });
    expect(bad.status).toBe(400);
  });

  it('expires the session on every Nth authenticated request', async () => {
    const sim = await startTestSimulator({ faults: 'expire-session-every=3' });
    const sid = await adminSession(sim);
    expect(await outcomes(sim, sid, 4)).toEqual(['SUCCESS', 'SUCCESS', 'FAILURE:INVALID_SESSION_ID', 'FAILURE:INVALID_SESSION_ID']);
  });

  it('fails the chosen rows of a bulk write with INVALID_DATA', async () => {
    const sim = await startTestSimulator({ faults: 'fail-rows=alice@veepharm.com|BOB@veepharm.com' });
    const sid = await adminSession(sim);
    const r = await call(sim, 'POST', '/objects/users', { sid, json: [newUserRow('alice'), newUserRow('carol'), newUserRow('bob')] });
    const data = (r.body as { data: { responseStatus: string; errors?: { type: string }[] }[] }).data;
    expect(data.map((d) => d.errors?.[0]?.type ?? d.responseStatus)).toEqual(['INVALID_DATA', 'SUCCESS', 'INVALID_DATA']);
  });

  it('drop-after processes the write, then drops the connection', async () => {
    const sim = await startTestSimulator();
    const sid = await adminSession(sim);
    sim.setFaults('drop-after=1');
    await expect(fetch(`${sim.url}/api/v25.2/objects/users`, { method: 'POST', headers: { Authorization: sid, 'Content-Type': 'application/json' }, body: JSON.stringify([newUserRow('ghost')]) })).rejects.toThrow();
    sim.setFaults('none');
    expect(sim.dump().users?.some((u) => u.user_name__v === 'ghost@veepharm.com')).toBe(true);
    expect(sim.requestLog().at(-1)).toMatchObject({ status: 'DROPPED_AFTER', rows: 1 });
  });

  it.each([
    ['unknown key', 'http418=0.1'],
    ['probability above 1', 'race=1.5'],
    ['probabilities adding up above 1', 'http500=0.6,drop=0.6'],
    ['not key=value', 'chaos'],
    ['non-numeric latency', 'latency=fast'],
    ['auth flag not boolean', 'auth=yes'],
  ])('parseFaultSpec refuses %s', (_name, spec) => {
    expect(() => parseFaultSpec(spec)).toThrow(FaultSpecError);
  });

  it('formats a spec back to the same SPEC string', () => {
    const text = 'seed=7,http500=0.05,http503=0.01,drop=0.01,drop-after=0.02,race=0.02,unexpected=0.01,exception=0.01,latency=20,expire-session-every=100,fail-rows=a@x.com|b@x.com,auth=true';
    expect(formatFaultSpec(parseFaultSpec(text))).toBe(text);
    expect(formatFaultSpec(parseFaultSpec(''))).toBe('none');
  });
});

describe('request log', () => {
  it('records method, path without query, query, rows, status and error types; /_sim/ is not logged; secrets are redacted', async () => {
    const sim = await startTestSimulator();
    const sid = await adminSession(sim);
    sim.clearRequestLog();
    await call(sim, 'GET', '/objects/users?vaults=all&limit=2', { sid });
    await call(sim, 'PUT', '/objects/users', { sid, json: [{ id: '25001', user_title__v: 'x' }, { id: '1', user_title__v: 'x' }] });
    await fetch(`${sim.url}/_sim/requests`);
    await fetch(`${sim.url}/api/v25.2/auth?password=hunter2`, { method: 'POST' });
    const log = sim.requestLog();
    expect(log).toHaveLength(3);
    expect(log[0]).toMatchObject({ method: 'GET', path: '/api/v25.2/objects/users', query: { vaults: 'all', limit: '2' }, status: 'SUCCESS', errorTypes: [], httpStatus: 200, vaultId: 3003, userId: 25001 });
    expect(log[1]).toMatchObject({ method: 'PUT', rows: 2, status: 'SUCCESS', errorTypes: ['OPERATION_NOT_ALLOWED'] });
    expect(log[2]?.query).toEqual({ password: '***' });
    expect(log[1]!.seq).toBeGreaterThan(log[0]!.seq);
    const viaHttp = (await (await fetch(`${sim.url}/_sim/requests`)).json()) as { entries: unknown[] };
    expect(viaHttp.entries).toHaveLength(3);
    await fetch(`${sim.url}/_sim/requests`, { method: 'DELETE' });
    expect(sim.requestLog()).toEqual([]);
  });
});
