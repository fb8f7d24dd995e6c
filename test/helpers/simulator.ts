/**
 * Starts an in-process simulator on 127.0.0.1 port 0 for a test. Started inside a test, it is
 * closed when that test finishes; started in beforeAll/describe, close it yourself (closing
 * twice is harmless).
 */
import { onTestFinished } from 'vitest';
import { startSimulator, DEFAULT_ADMIN_PASSWORD, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js';

/**
 * A request that may change Vault: anything but reads (GET, VQL), login, keep-alive and ending
 * the session. The one place tests that assert "nothing was written" say what a write is.
 */
export function isWrite(entry: { readonly method: string; readonly path: string }): boolean {
  if (entry.method === 'GET') return false;
  const { path } = entry;
  if (path.endsWith('/auth') || path.endsWith('/query') || path.endsWith('/keep-alive')) return false;
  return !(entry.method === 'DELETE' && path.endsWith('/session'));
}

const passwords = new WeakMap<RunningSimulator, string>();

export async function startTestSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ port: 0, ...options });
  passwords.set(sim, options.adminPassword ?? DEFAULT_ADMIN_PASSWORD);
  try {
    onTestFinished(() => sim.close());
  } catch {
    // Not inside a test (beforeAll, describe): the caller closes it.
  }
  return sim;
}

/** Logs the admin in with a real POST /auth and returns the session id. */
export async function adminSession(sim: RunningSimulator, vaultDns?: string, apiVersion = 'v25.2'): Promise<string> {
  const form = new URLSearchParams({ username: sim.adminUser, password: passwords.get(sim) ?? DEFAULT_ADMIN_PASSWORD });
  if (vaultDns !== undefined) form.set('vaultDNS', vaultDns);
  const response = await fetch(`${sim.url}/api/${apiVersion}/auth`, { method: 'POST', body: form });
  const body = (await response.json()) as { responseStatus: string; sessionId?: string; errors?: unknown };
  if (body.responseStatus !== 'SUCCESS' || body.sessionId === undefined) throw new Error(`admin login failed: ${JSON.stringify(body.errors)}`);
  return body.sessionId;
}
