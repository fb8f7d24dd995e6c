/**
 * Reading users (VAULT-API.md §5.2, §5.3): Retrieve All Users page by page, and Retrieve User.
 *
 * Retrieve All Users documents `limit` and `start` and nothing that says where the list ends:
 * no total, no next page, an undocumented cap on `limit` and an undocumented `size`. So the
 * listing trusts only what it can count: the next `start` is `start` plus the users received
 * (never anything derived from `size`), it ends at an empty page or at a page it can prove is
 * short, it never lists a user twice, and it stops with an error before it can run away.
 */
import { VaultApiError, VaultRosterError } from '../errors.js';
import { DEFAULT_USER_PAGE_SIZE, USER_PAGE_SIZE } from '../vault-api/index.js';
import { asId, isRecord, readCall, type JsonRecord, type ReadAnswer } from './envelope.js';
import type { VaultTransport } from './transport.js';

/** A user as Vault returns it: legacy `__v` field names, plus `vault_membership` / `app_licensing`. */
export type VaultUser = JsonRecord;

export interface UserListOptions {
  /** Users asked for per page (default 1000). A refused large page falls back to Vault's default, 200. */
  readonly pageSize?: number | undefined;
  /** Most users one listing may return; more stops it as a runaway (default 1,000,000). */
  readonly maxUsers?: number | undefined;
  /** Once aborted, no further page is requested and the listing ends. */
  readonly signal?: AbortSignal | undefined;
}

/** The default bound on one listing: far above any Vault domain we know of, far below forever. */
export const MAX_LISTED_USERS = 1_000_000;

const WITH_MEMBERSHIPS = { exclude_vault_membership: 'false', exclude_app_licensing: 'false' } as const;

const PAGING_HINT =
  'Nothing was planned or written. Run again; if it happens again, Vault pages users in a way vault-roster does not know: report it with the output of --verbose.';

/** `users[i].user` as documented, or a flat user; anything else is not a user. */
function unwrapUser(answer: ReadAnswer, entry: unknown, where: string): VaultUser {
  if (!isRecord(entry)) throw answer.malformed(`${where} is not a user object`, entry);
  if (!('user' in entry)) return entry;
  if (!isRecord(entry.user)) throw answer.malformed(`${where}.user is not a user object`, entry);
  return entry.user;
}

/** One page as the list call answered it. */
interface RawPage {
  readonly call: string;
  readonly users: VaultUser[];
  /** The `limit` Vault says it applied, when it says so. */
  readonly echoedLimit: number | undefined;
}

function readPage(answer: ReadAnswer, start: number): RawPage {
  const { body } = answer;
  let entries = body.users;
  // A page past the end may plausibly come without a list; only an explicit size 0 says so.
  if (entries === undefined && start > 0 && (body.size === 0 || body.size === '0')) entries = [];
  if (!Array.isArray(entries)) throw answer.malformed(entries === undefined ? 'the answer has no "users" list' : '"users" is not a list');
  const users = (entries as unknown[]).map((entry, i) => unwrapUser(answer, entry, `users[${i}]`));
  let echoedLimit: number | undefined;
  if (body.limit !== undefined) {
    echoedLimit = asId(body.limit);
    if (echoedLimit === undefined || echoedLimit <= 0) throw answer.malformed('"limit" is not a positive whole number', body.limit);
  }
  return { call: answer.call, users, echoedLimit };
}

/** `"size":N` and `"limit":N` from the start of a page, before `"users"` (a user's own fields never count). */
export function pageHead(text: string): { size: number; limit: number | undefined } | undefined {
  const head = text.split('"users"', 1)[0] ?? '';
  const size = /"size"\s*:\s*"?(\d+)/.exec(head);
  if (size?.[1] === undefined) return undefined;
  const limit = /"limit"\s*:\s*"?(\d+)/.exec(head);
  return { size: Number(size[1]), limit: limit?.[1] === undefined ? undefined : Number(limit[1]) };
}

/** A page requested: confirmed (its start follows from the users counted so far) or speculative. */
interface PageFetch {
  readonly start: number;
  readonly limit: number;
  /** Requested ahead of time (never retried by the transport). */
  readonly speculative: boolean;
  /** Its start follows from the users counted so far. */
  confirmed: boolean;
  /** Its first bytes say it is full: worth asking for the next page before it is parsed. */
  looksFull: boolean;
  readonly page: Promise<RawPage>;
}

/**
 * The state of one listing. At most one page is requested ahead, and only from a confirmed page:
 * a speculative page never asks for another, so a server that always says "full" costs at most
 * one wasted call per page, never a chain of requests running on in the background.
 */
class UserLister {
  readonly #transport: VaultTransport;
  readonly #signal: AbortSignal | undefined;
  readonly #maxUsers: number;
  readonly #maxCalls: number;
  #limit: number;
  /** Page length that means "more may follow": the requested limit, or the cap Vault showed. */
  #threshold: number;
  /** A page shorter than `#threshold` may be believed to be the last one. */
  #proven = false;
  /** Length of an unproven short page whose successor is being asked for. */
  #probing: number | undefined;
  #calls = 0;
  #listed = 0;
  #ahead: PageFetch | undefined;
  #closed = false;
  readonly #ids = new Set<number>();
  readonly #names = new Set<string>();

  constructor(transport: VaultTransport, options: UserListOptions) {
    this.#transport = transport;
    this.#signal = options.signal;
    this.#limit = pageSizeOf(options.pageSize);
    this.#threshold = this.#limit;
    this.#maxUsers = Math.max(1, Math.floor(options.maxUsers ?? MAX_LISTED_USERS));
    // Every page but the last holds at least min(200, limit) users (see #next): that bounds the calls.
    this.#maxCalls = Math.ceil(this.#maxUsers / Math.min(DEFAULT_USER_PAGE_SIZE, this.#limit)) + 2;
  }

  #stopped(): boolean {
    return this.#closed || this.#signal?.aborted === true;
  }

  async *pages(): AsyncGenerator<VaultUser[]> {
    try {
      let [current, page] = await this.#first();
      for (;;) {
        if (this.#stopped()) return;
        this.#account(page);
        const next = this.#next(current, page);
        const following = next === undefined ? undefined : this.#follow(next);
        yield page.users;
        if (following === undefined || this.#stopped()) return;
        current = following;
        page = await this.#settle(current);
      }
    } finally {
      this.#closed = true;
      this.#ahead = undefined;
    }
  }

  #fetch(start: number, speculative: boolean): PageFetch {
    this.#calls += 1;
    const own: { fetch?: PageFetch } = {};
    const page = readCall(this.#transport, {
      method: 'GET',
      path: 'objects/users',
      query: { vaults: 'all', ...WITH_MEMBERSHIPS, limit: this.#limit, start },
      // A speculative page is never retried in the background: if it fails, the confirmed
      // request that replaces it carries the retries.
      retry: speculative ? 'never' : 'idempotent',
      onBodyStart: (text) => {
        if (own.fetch !== undefined) this.#sawHead(own.fetch, text);
      },
    }).then((answer) => readPage(answer, start));
    // A speculative page may be dropped unread; its failure must not surface as unhandled.
    page.catch(() => undefined);
    const fetch: PageFetch = { start, limit: this.#limit, speculative, confirmed: !speculative, looksFull: false, page };
    own.fetch = fetch;
    return fetch;
  }

  /** A page the listing needs: refused once the call ceiling is reached. */
  #fetchConfirmed(start: number): PageFetch {
    if (this.#calls >= this.#maxCalls) {
      throw new VaultRosterError(
        'vault-paging',
        `GET ${this.#transport.path({ path: 'objects/users' })}: stopped after ${this.#calls} list calls, more than ${this.#maxUsers.toLocaleString('en-US')} users can need`,
        { hint: PAGING_HINT },
      );
    }
    return this.#fetch(start, false);
  }

  /** The first page; a page size Vault refuses falls back once to its documented default. */
  async #first(): Promise<[PageFetch, RawPage]> {
    const first = this.#fetchConfirmed(0);
    try {
      return [first, await first.page];
    } catch (error) {
      if (!(error instanceof VaultApiError) || error.errorType !== 'INVALID_DATA' || this.#limit <= DEFAULT_USER_PAGE_SIZE) throw error;
      this.#limit = DEFAULT_USER_PAGE_SIZE;
      this.#threshold = DEFAULT_USER_PAGE_SIZE;
      const retry = this.#fetchConfirmed(0);
      return [retry, await retry.page];
    }
  }

  #sawHead(fetch: PageFetch, text: string): void {
    const head = pageHead(text);
    if (head === undefined) return;
    // `size` as a page length only: a size above the echoed limit is no page length at all.
    fetch.looksFull = head.size >= this.#threshold && (head.limit === undefined || head.size <= head.limit);
    if (fetch.confirmed) this.#prefetchAfter(fetch);
  }

  #prefetchAfter(fetch: PageFetch): void {
    if (this.#stopped() || this.#ahead !== undefined || !fetch.looksFull || this.#probing !== undefined) return;
    // Needed only if this page is full; a full page that breaks a bound ends the listing anyway.
    if (this.#calls >= this.#maxCalls || this.#listed + this.#threshold >= this.#maxUsers) return;
    this.#ahead = this.#fetch(fetch.start + this.#threshold, true);
  }

  /** The page at `start`: the one asked for ahead if it guessed right, else a new request. */
  #follow(start: number): PageFetch {
    const ahead = this.#ahead;
    this.#ahead = undefined;
    if (ahead !== undefined && ahead.start === start && ahead.limit === this.#limit) {
      ahead.confirmed = true;
      if (ahead.looksFull) this.#prefetchAfter(ahead);
      return ahead;
    }
    return this.#fetchConfirmed(start);
  }

  /** A confirmed page's answer; a speculative request that failed is replaced by one with retries. */
  async #settle(fetch: PageFetch): Promise<RawPage> {
    try {
      return await fetch.page;
    } catch (error) {
      if (!fetch.speculative || this.#stopped()) throw error;
      return this.#fetchConfirmed(fetch.start).page;
    }
  }

  /**
   * Refuses a user seen before (paging that repeats) and a listing longer than any domain. A user
   * is known by its id; only a record without a readable id is known by its name. (Two records
   * with different ids and one name are the caller's to refuse: readLiveState does.)
   */
  #account(page: RawPage): void {
    for (const user of page.users) {
      const id = asId(user.id);
      let seen: boolean;
      if (id !== undefined) {
        seen = this.#ids.has(id);
        this.#ids.add(id);
      } else {
        const name = nameOf(user);
        seen = name !== undefined && this.#names.has(name);
        if (name !== undefined) this.#names.add(name);
      }
      if (seen) {
        throw new VaultRosterError('vault-paging', `${page.call}: Vault listed user ${nameOf(user) ?? `id ${id}`} a second time; its pages overlap`, {
          hint: `Users may have changed while they were read. ${PAGING_HINT}`,
        });
      }
    }
    this.#listed += page.users.length;
    if (this.#listed > this.#maxUsers) {
      throw new VaultRosterError('vault-paging', `${page.call}: Vault listed more than ${this.#maxUsers.toLocaleString('en-US')} users; stopped`, {
        hint: 'If the domain really is that large, raise the client\'s maxListedUsers; otherwise Vault keeps answering full pages: report it.',
      });
    }
  }

  /**
   * Where the next page starts, or `undefined` at the end. Ends at an empty page, or at a short
   * page once short can be told from capped: Vault showed its cap (an echoed limit below the
   * one asked for), a full page was seen, or the page is below Vault's documented default of
   * 200 (no cap is smaller). Otherwise the page after it is asked for once: empty means the
   * end; anything else means Vault caps pages at that length.
   */
  #next(fetch: PageFetch, page: RawPage): number | undefined {
    const received = page.users.length;
    if (received === 0) return undefined;
    if (this.#probing !== undefined) {
      this.#threshold = this.#probing;
      this.#proven = true;
      this.#probing = undefined;
    }
    const echoed = page.echoedLimit;
    if (echoed !== undefined && echoed < fetch.limit && echoed <= this.#threshold) {
      this.#threshold = echoed;
      this.#proven = true;
    }
    if (received >= this.#threshold) {
      this.#proven = true;
      return fetch.start + received;
    }
    if (this.#proven || received < Math.min(DEFAULT_USER_PAGE_SIZE, fetch.limit)) return undefined;
    this.#probing = received;
    return fetch.start + received;
  }
}

/** A listed user's name as an identity, when it has one. */
function nameOf(user: VaultUser): string | undefined {
  const raw = user.user_name__v;
  return typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
}

function pageSizeOf(size: number | undefined): number {
  if (size === undefined) return USER_PAGE_SIZE;
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new VaultRosterError('config', `the user page size must be a whole number of at least 1, got ${size}`, {
      hint: `Vault's default is ${DEFAULT_USER_PAGE_SIZE}; vault-roster asks for ${USER_PAGE_SIZE}.`,
    });
  }
  return size;
}

/**
 * Every user of every vault of the domain, one page per yield (see `UserLister`). Throws
 * `vault-response` for an answer missing its users, `vault-paging` for overlapping pages or a
 * runaway listing; in both cases before anything is planned.
 */
export function listUserPages(transport: VaultTransport, options: UserListOptions = {}): AsyncGenerator<VaultUser[]> {
  return new UserLister(transport, options).pages();
}

export async function listUsers(transport: VaultTransport, options: UserListOptions = {}): Promise<VaultUser[]> {
  const all: VaultUser[] = [];
  for await (const page of listUserPages(transport, options)) all.push(...page);
  return all;
}

/** One user by id, or `me` for the authenticated user (§5.3, §2.4): exactly one user, or an error. */
export async function getUser(transport: VaultTransport, id: number | 'me'): Promise<VaultUser> {
  const answer = await readCall(transport, { method: 'GET', path: `objects/users/${id}`, query: WITH_MEMBERSHIPS, retry: 'idempotent' });
  const { users, user } = answer.body;
  if (Array.isArray(users)) {
    if (users.length !== 1) throw answer.malformed(`expected exactly one user, got ${users.length}`);
    return unwrapUser(answer, users[0], 'users[0]');
  }
  if (users === undefined && isRecord(user)) return user;
  throw answer.malformed(users === undefined ? 'the answer has no "users" list' : '"users" is not a list');
}
