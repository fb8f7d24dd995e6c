/**
 * A small hostile HTTP server on 127.0.0.1 port 0, for faults the simulator cannot play
 * (redirects, silence): each test says how it answers, and it records every request it saw,
 * secrets included, so a test can prove where a password or session went. Closed after each test.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export interface SeenRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  readonly authorization: string | undefined;
  /** Filled in once the body has arrived (before the handler runs). */
  body: string;
}

export interface HostileServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT`, as a redirect error names it. */
  readonly host: string;
  readonly requests: SeenRequest[];
}

export type Handler = (req: SeenRequest, res: ServerResponse) => void;

/** The session the hostile server hands out at login, for checks that it went nowhere else. */
export const HOSTILE_SESSION = 'hostile-session-0123456789';

/** A Vault-like login answer, by default for vault 5005 (the intended vault of the client tests). */
export function answerLogin(res: ServerResponse, vault = { id: 5005, dns: 'veepharm-clinical.veevavault.com' }): void {
  json(res, {
    responseStatus: 'SUCCESS',
    sessionId: HOSTILE_SESSION,
    userId: 25001,
    vaultId: vault.id,
    vaultIds: [{ id: vault.id, name: 'VeePharm', url: `https://${vault.dns}/api` }],
  });
}

/** The vault examples/minimal manages. */
export const RIM_VAULT = { id: 3003, dns: 'veepharm-rim.veevavault.com' };

export function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a server that records each request and lets `handler` answer it (or not). */
export async function hostileServer(handler: Handler): Promise<HostileServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    // Recorded on arrival, so a request the client gives up on mid-body still counts.
    const seen: SeenRequest = { method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body: '' };
    requests.push(seen);
    void readBody(req).then((body) => {
      seen.body = body;
      handler(seen, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, requests };
}

/** Resolves once the server has seen `count` requests (polling; fails the test after 5 s). */
export async function seen(server: HostileServer, count: number): Promise<void> {
  for (let i = 0; i < 500 && server.requests.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  if (server.requests.length < count) throw new Error(`the server saw ${server.requests.length} requests, not ${count}`);
}

/** A server that never answers: it reads the request and leaves the connection open. */
export function silence(): Handler {
  return () => undefined;
}
