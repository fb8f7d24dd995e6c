/**
 * A minimal GitHub REST client over global fetch, for the CI step scripts. The API address comes
 * from GITHUB_API_URL (set by Actions; GitHub Enterprise Server uses https://HOST/api/v3) so tests
 * can point it at a loopback fake. The token is sent only to that address, never printed.
 */
import { StepError, registerSecret } from './step.mjs';

export const DEFAULT_API_URL = 'https://api.github.com';
const REQUEST_TIMEOUT_MS = 30_000;
/** Bounds pagination: 100 pages of 100 items is far beyond any PR thread or issue list we read. */
const MAX_PAGES = 100;

const STATUS_HINTS = {
  401: 'the token was rejected: pass ${{ secrets.GITHUB_TOKEN }} as GITHUB_TOKEN in the step env',
  403: "the token lacks a permission (check the workflow's permissions: block) or a rate limit was hit",
  404: 'wrong repository or number, or the token cannot see it (check permissions:)',
  422: 'GitHub refused the request content',
  429: 'rate limited by GitHub: re-run the job in a few minutes',
};

function hintFor(status) {
  return STATUS_HINTS[status] ?? (status >= 500 ? 'GitHub had a server error: re-run the job' : 'unexpected response');
}

export class GitHubApi {
  /**
   * @param {{ apiUrl: string, token: string, repository: string }} options
   * `repository` is "owner/name".
   */
  constructor({ apiUrl, token, repository }) {
    this.base = new URL(apiUrl.replace(/\/+$/, '') + '/');
    this.token = token;
    this.repository = repository;
    registerSecret(token);
  }

  /** Reads GITHUB_TOKEN (or GH_TOKEN), GITHUB_REPOSITORY (or `repository`) and GITHUB_API_URL. */
  static fromEnv(env = process.env, repository = undefined) {
    const token = env.GITHUB_TOKEN || env.GH_TOKEN;
    if (!token) throw new StepError('GITHUB_TOKEN is not set: add `GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` to the step env');
    const repo = repository || env.GITHUB_REPOSITORY;
    if (!repo || !/^[\w.-]+\/[\w.-]+$/.test(repo)) {
      throw new StepError(`repository must be "owner/name" (GITHUB_REPOSITORY or --repo), got '${repo ?? ''}'`);
    }
    const apiUrl = env.GITHUB_API_URL || DEFAULT_API_URL;
    let parsed;
    try {
      parsed = new URL(apiUrl);
    } catch {
      throw new StepError(`GITHUB_API_URL is not a URL: '${apiUrl}'`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new StepError(`GITHUB_API_URL must be http(s), got '${apiUrl}'`);
    return new GitHubApi({ apiUrl, token, repository: repo });
  }

  /** `path` relative to the API root, e.g. `repos/o/r/issues/1/comments?per_page=100`. */
  url(path) {
    return new URL(path.replace(/^\/+/, ''), this.base);
  }

  /** Sends one request; returns `{ data, headers }` or throws a one-line StepError with the status. */
  async send(method, url, body = undefined) {
    const target = url instanceof URL ? url : this.url(url);
    const shown = `${method} ${target.pathname}`;
    let response;
    try {
      response = await fetch(target, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.token}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'vault-roster-ci',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = error?.cause?.code ?? error?.name ?? 'network error';
      throw new StepError(`GitHub API ${shown} failed: ${cause} (${target.origin} unreachable?)`);
    }
    const text = await response.text();
    let data = null;
    if (text !== '') {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!response.ok) {
      const message = typeof data?.message === 'string' ? `: ${data.message}` : '';
      throw new StepError(`GitHub API ${shown} failed: ${response.status} ${response.statusText}${message} (${hintFor(response.status)})`);
    }
    return { data, headers: response.headers };
  }

  async request(method, path, body = undefined) {
    return (await this.send(method, path, body)).data;
  }

  /**
   * Yields the items of a paginated list, following `Link: rel="next"`. A next link that leaves
   * the API address is refused, so the token never goes anywhere else. `pick` extracts the items
   * from list endpoints that wrap them (e.g. `artifacts`).
   */
  async *items(path, pick = (data) => data) {
    let url = this.url(path);
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const { data, headers } = await this.send('GET', url);
      const list = pick(data);
      if (!Array.isArray(list)) throw new StepError(`GitHub API GET ${url.pathname} returned no list`);
      yield* list;
      const next = nextLink(headers.get('link'));
      if (next === undefined) return;
      const nextUrl = new URL(next, url);
      if (nextUrl.origin !== this.base.origin || !nextUrl.pathname.startsWith(this.base.pathname)) {
        throw new StepError(`GitHub API pagination pointed outside ${this.base.origin}${this.base.pathname}; refusing to follow it`);
      }
      url = nextUrl;
    }
    throw new StepError(`GitHub API GET ${this.url(path).pathname}: more than ${MAX_PAGES} pages`);
  }
}

/** The rel="next" target of a Link header, if any. */
export function nextLink(header) {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (match && match[2].split(/\s+/).includes('next')) return match[1];
  }
  return undefined;
}

/** Encodes each segment of "owner/name" for a URL path. */
export function repoPath(repository) {
  return repository.split('/').map(encodeURIComponent).join('/');
}
