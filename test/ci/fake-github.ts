/**
 * A fake of the few GitHub REST endpoints the CI scripts call, on 127.0.0.1 port 0 (node:http).
 * It checks the bearer token, paginates with Link headers like GitHub, records every request,
 * and can be told to fail a route with a status, so tests drive the scripts over real HTTP.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  html_url: string;
  /** Who wrote it; comments the scripts post are the Actions bot's. */
  user?: { login: string };
}

/** The login GitHub gives comments posted with the workflow's GITHUB_TOKEN. */
export const ACTIONS_BOT = 'github-actions[bot]';

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason?: string;
  labels: string[];
  assignees?: string[];
  pull_request?: { url: string };
  html_url: string;
}

export interface FakeReview {
  id: number;
  user: { login: string; type?: string };
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';
  commit_id: string;
  submitted_at?: string;
  html_url: string;
}

/** A public profile as GET /users/{login} returns it (name and email null when not public). */
export interface FakeUser {
  login: string;
  id: number;
  name: string | null;
  email: string | null;
}

export interface FakePull {
  number: number;
  merged_at: string | null;
  merge_commit_sha: string | null;
  head: { sha: string };
}

export interface FakeArtifact {
  id: number;
  name: string;
  expired: boolean;
  created_at: string;
  expires_at: string;
  workflow_run: { id: number; head_sha: string; head_branch: string; repository_id: number; head_repository_id: number };
}

export interface FakeRun {
  id: number;
  path: string;
  event: string;
  head_sha: string;
  head_branch: string;
  status: string;
  conclusion: string | null;
  html_url: string;
  repository: { id: number };
  head_repository: { id: number };
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

interface Failure {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
  readonly message: string;
}

export interface FakeGitHub {
  /** API root to put in GITHUB_API_URL (includes the prefix, if any). */
  readonly url: string;
  readonly token: string;
  readonly repository: string;
  readonly repositoryId: number;
  readonly comments: FakeComment[];
  readonly issues: FakeIssue[];
  readonly pullsByCommit: Map<string, FakePull[]>;
  readonly artifacts: FakeArtifact[];
  readonly runs: Map<number, FakeRun>;
  /** Reviews by pull request number, in the order GitHub lists them (oldest first). */
  readonly reviews: Map<number, FakeReview[]>;
  readonly users: Map<string, FakeUser>;
  readonly requests: RecordedRequest[];
  /** Answer every later `method` request whose path matches with `status` and `message`. */
  fail(method: string, path: RegExp, status: number, message: string): void;
  close(): Promise<void>;
}

export interface FakeGitHubOptions {
  /** Page size cap, to make pagination happen with few items (GitHub's cap is 100). */
  readonly maxPageSize?: number;
  /** Path prefix of the API, as on GitHub Enterprise Server (`/api/v3`). */
  readonly prefix?: string;
  /** Echo the received Authorization header in 401 messages (to test that scripts redact it). */
  readonly echoAuthorization?: boolean;
}

function send(res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(data);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const token = 'ghs_fakeTokenValue0123456789abcdef';
  const repository = 'veepharm/access-roster';
  const repositoryId = 4242;
  const prefix = options.prefix ?? '';
  const maxPageSize = options.maxPageSize ?? 100;
  const comments: FakeComment[] = [];
  const issues: FakeIssue[] = [];
  const pullsByCommit = new Map<string, FakePull[]>();
  const artifacts: FakeArtifact[] = [];
  const runs = new Map<number, FakeRun>();
  const reviews = new Map<number, FakeReview[]>();
  const users = new Map<string, FakeUser>();
  const requests: RecordedRequest[] = [];
  const failures: Failure[] = [];
  let nextId = 1000;
  let origin = '';

  function paged(res: ServerResponse, url: URL, items: unknown[], wrap: (page: unknown[]) => unknown = (page) => page): void {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? '30'), maxPageSize);
    const page = Number(url.searchParams.get('page') ?? '1');
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const next = new URL(url.href);
      next.searchParams.set('page', String(page + 1));
      headers.link = `<${origin}${next.pathname}${next.search}>; rel="next"`;
    }
    send(res, 200, wrap(slice), headers);
  }

  const base = `/repos/${repository}`;

  function route(req: IncomingMessage, res: ServerResponse, url: URL, body: unknown): void {
    const method = req.method ?? 'GET';
    const path = url.pathname.slice(prefix.length);
    let m: RegExpExecArray | null;
    if (method === 'GET' && (m = new RegExp(`^${base}/issues/(\\d+)/comments$`).exec(path))) {
      paged(res, url, comments.filter((c) => c.issue === Number(m![1])));
      return;
    }
    if (method === 'POST' && (m = new RegExp(`^${base}/issues/(\\d+)/comments$`).exec(path))) {
      const comment = { id: nextId++, issue: Number(m[1]), body: (body as { body: string }).body, html_url: `https://github.example/c/${nextId}`, user: { login: ACTIONS_BOT } };
      comments.push(comment);
      send(res, 201, comment);
      return;
    }
    if (method === 'PATCH' && (m = new RegExp(`^${base}/issues/comments/(\\d+)$`).exec(path))) {
      const comment = comments.find((c) => c.id === Number(m![1]));
      if (comment === undefined) {
        send(res, 404, { message: 'Not Found' });
        return;
      }
      comment.body = (body as { body: string }).body;
      send(res, 200, comment);
      return;
    }
    if (method === 'GET' && path === `${base}/issues`) {
      const state = url.searchParams.get('state') ?? 'open';
      paged(res, url, issues.filter((i) => state === 'all' || i.state === state));
      return;
    }
    if (method === 'POST' && path === `${base}/issues`) {
      const input = body as { title: string; body: string; labels?: string[]; assignees?: string[] };
      const number = issues.length + 1;
      const issue: FakeIssue = {
        number,
        title: input.title,
        body: input.body,
        state: 'open',
        labels: input.labels ?? [],
        ...(input.assignees === undefined ? {} : { assignees: input.assignees }),
        html_url: `https://github.example/i/${number}`,
      };
      issues.push(issue);
      send(res, 201, issue);
      return;
    }
    if (method === 'PATCH' && (m = new RegExp(`^${base}/issues/(\\d+)$`).exec(path))) {
      const issue = issues.find((i) => i.number === Number(m![1]));
      if (issue === undefined) {
        send(res, 404, { message: 'Not Found' });
        return;
      }
      Object.assign(issue, body);
      send(res, 200, issue);
      return;
    }
    if (method === 'GET' && (m = new RegExp(`^${base}/commits/([0-9a-f]+)/pulls$`).exec(path))) {
      paged(res, url, pullsByCommit.get(m[1]!) ?? []);
      return;
    }
    if (method === 'GET' && (m = new RegExp(`^${base}/pulls/(\\d+)/reviews$`).exec(path))) {
      paged(res, url, reviews.get(Number(m[1])) ?? []);
      return;
    }
    if (method === 'GET' && (m = /^\/users\/([^/]+)$/.exec(path))) {
      const user = users.get(decodeURIComponent(m[1]!));
      if (user === undefined) {
        send(res, 404, { message: 'Not Found' });
        return;
      }
      send(res, 200, user);
      return;
    }
    if (method === 'GET' && path === `${base}/actions/artifacts`) {
      const name = url.searchParams.get('name');
      const list = artifacts.filter((a) => name === null || a.name === name);
      paged(res, url, list, (page) => ({ total_count: list.length, artifacts: page }));
      return;
    }
    if (method === 'GET' && (m = new RegExp(`^${base}/actions/runs/(\\d+)$`).exec(path))) {
      const run = runs.get(Number(m[1]));
      if (run === undefined) {
        send(res, 404, { message: 'Not Found' });
        return;
      }
      send(res, 200, run);
      return;
    }
    send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', origin);
      const body = await readJson(req);
      const authorization = req.headers.authorization;
      requests.push({ method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, authorization, body });
      if (!url.pathname.startsWith(prefix)) {
        send(res, 404, { message: 'Not Found' });
        return;
      }
      if (authorization !== `Bearer ${token}`) {
        send(res, 401, { message: options.echoAuthorization === true ? `Bad credentials: ${authorization ?? ''}` : 'Bad credentials' });
        return;
      }
      const failure = failures.find((f) => f.method === req.method && f.path.test(url.pathname));
      if (failure !== undefined) {
        send(res, failure.status, { message: failure.message });
        return;
      }
      route(req, res, url, body);
    })().catch((error: unknown) => {
      send(res, 500, { message: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}${prefix}`,
    token,
    repository,
    repositoryId,
    comments,
    issues,
    pullsByCommit,
    artifacts,
    runs,
    reviews,
    users,
    requests,
    fail(method, path, status, message) {
      failures.push({ method, path, status, message });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
