/**
 * The request log tests read: one entry per /api request (never /_sim/), in arrival order.
 * Bounded so a long benchmark cannot grow it without limit. Holds no secrets: the query is
 * redacted and bodies are never kept.
 */
import type { RequestLogEntry } from './types.js';

const MAX_ENTRIES = 200_000;
const SECRET_QUERY_KEYS = new Set(['password', 'sessionid', 'session_id', 'access_token']);

export function redactQuery(query: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) out[key] = SECRET_QUERY_KEYS.has(key.toLowerCase()) ? '***' : value;
  return out;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  add(entry: RequestLogEntry): void {
    if (this.entries.length >= MAX_ENTRIES) this.entries = this.entries.slice(MAX_ENTRIES / 2);
    this.entries.push(entry);
  }

  list(): readonly RequestLogEntry[] {
    return this.entries.slice();
  }

  clear(): void {
    this.entries = [];
  }
}
