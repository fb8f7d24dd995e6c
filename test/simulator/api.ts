/** A tiny fetch wrapper for the simulator contract tests (real HTTP, no mocks). */
import type { RunningSimulator } from '../../src/simulator/index.js';

export interface CallOptions {
  readonly sid?: string;
  readonly version?: string;
  readonly form?: Record<string, string>;
  readonly json?: unknown;
  readonly csv?: string;
  readonly body?: string;
  readonly contentType?: string;
  readonly accept?: string;
  readonly headers?: Record<string, string>;
}

export interface CallResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON body (any shape; tests assert on it). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

export async function call(sim: RunningSimulator, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.sid !== undefined) headers.Authorization = options.sid;
  if (options.accept !== undefined) headers.Accept = options.accept;
  let body: string | undefined = options.body;
  if (options.form !== undefined) {
    body = new URLSearchParams(options.form).toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['Content-Type'] = 'application/json';
  } else if (options.csv !== undefined) {
    body = options.csv;
    headers['Content-Type'] = 'text/csv';
  }
  if (options.contentType !== undefined) headers['Content-Type'] = options.contentType;
  const url = path.startsWith('/_sim') || path.startsWith('/api/v') ? `${sim.url}${path}` : `${sim.url}/api/${options.version ?? 'v25.2'}${path}`;
  const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

export const REQUIRED = {
  user_timezone__v: 'America/New_York',
  user_locale__v: 'en_US',
  user_language__v: 'en',
  security_policy_id__v: '821',
} as const;

/** A valid bulk-create row for `name@veepharm.com`. */
export function newUserRow(name: string, extra: Record<string, string | boolean | null> = {}): Record<string, string | boolean | null> {
  return {
    user_name__v: `${name}@veepharm.com`,
    user_first_name__v: name,
    user_last_name__v: 'Tester',
    user_email__v: `${name}@veepharm.com`,
    ...REQUIRED,
    ...extra,
  };
}

/** Finds a user by name through GET /objects/users?vaults=all (with both blocks). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function findUser(sim: RunningSimulator, sid: string, userName: string): Promise<any> {
  const r = await call(sim, 'GET', '/objects/users?vaults=all&exclude_vault_membership=false&exclude_app_licensing=false&limit=1000', { sid });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return
  return (r.body.users as { user: any }[]).map((u) => u.user).find((u) => u.user_name__v === userName);
}
