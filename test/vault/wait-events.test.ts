/** The lines long waits print on stderr: what is waited for, and for how long. */
import { describe, expect, it } from 'vitest';
import { createWaitNotifier, formatClientEvent, formatDuration, formatWaitEvent, type ClientEvent, type WaitEvent } from '../../src/vault/events.js';

const wait = (fields: Partial<WaitEvent> & Pick<WaitEvent, 'reason'>): WaitEvent => ({
  type: 'wait',
  call: undefined,
  cause: undefined,
  waitedMs: 0,
  leftMs: 0,
  ...fields,
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [1000, '1s'],
    [12_400, '12s'],
    [59_600, '1m'],
    [290_000, '4m 50s'],
    [3_600_000, '1h'],
    [3_900_000, '1h 5m'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatWaitEvent', () => {
  it.each<[string, WaitEvent, string]>([
    [
      'burst window, start',
      wait({ reason: 'burst-window', leftMs: 290_000 }),
      "vault: waiting for Vault's burst window to roll (the API calls it allows are nearly spent; vault-roster keeps a reserve): 4m 50s left",
    ],
    [
      'burst window, countdown',
      wait({ reason: 'burst-window', waitedMs: 60_000, leftMs: 230_000 }),
      "vault: waiting for Vault's burst window to roll (the API calls it allows are nearly spent; vault-roster keeps a reserve): 3m 50s left (waited 1m)",
    ],
    [
      'retry backoff',
      wait({ reason: 'retry', call: 'GET /api/v26.2/objects/users', cause: 'HTTP 503', leftMs: 10_000 }),
      'vault: waiting before retrying GET /api/v26.2/objects/users (HTTP 503): 10s left',
    ],
    [
      're-login backoff',
      wait({ reason: 'relogin', cause: 'Vault ended the session 4 times in this run', leftMs: 8_000 }),
      'vault: waiting before logging in again (Vault ended the session 4 times in this run): 8s left',
    ],
    ['login limit', wait({ reason: 'auth-limit', leftMs: 60_000 }), "vault: waiting for Vault's login limit to reset (API_LIMIT_EXCEEDED at login): 1m left"],
    [
      'no answer',
      wait({ reason: 'answer', call: 'POST /api/v26.2/auth', waitedMs: 35_000, leftMs: 85_000 }),
      'vault: no answer yet to POST /api/v26.2/auth after 35s; giving up on this try in 1m 25s',
    ],
  ])('%s', (_name, event, line) => {
    expect(formatWaitEvent(event)).toBe(line);
    expect(formatClientEvent(event)).toBe(line);
  });
});

describe('createWaitNotifier', () => {
  it('prints waits, one line each, and nothing else', () => {
    const lines: string[] = [];
    const notify = createWaitNotifier((line) => lines.push(line));
    const events: ClientEvent[] = [
      { type: 'request', requestId: 1, method: 'GET', path: '/api/v26.2/objects/users', attempt: 0 },
      wait({ reason: 'retry', call: 'GET /api/v26.2/objects/users', cause: 'HTTP 503', leftMs: 6_000 }),
      { type: 'auth', action: 'login', vaultId: 5005, userId: 1 },
    ];
    events.forEach(notify);
    expect(lines).toEqual(['vault: waiting before retrying GET /api/v26.2/objects/users (HTTP 503): 6s left\n']);
  });
});
