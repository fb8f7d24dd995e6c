/**
 * A recording forwarder on 127.0.0.1 port 0 in front of the simulator: the client's OAuth tests
 * give the vault, the login host and the token endpoint each their own forwarder (so each is
 * its own origin), and every request one saw, headers and body included, shows where a
 * secret went. Closed after each test.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  /** Every header value and the body, as one text, for "this secret never came here" checks. */
  readonly everything: string;
}

export interface Forwarder {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly seen: Seen[];
}

export async function forwarder(target: string): Promise<Forwarder> {
  const seen: Seen[] = [];
  const to = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        everything: `${JSON.stringify(req.headers)}\n${body.toString('utf8')}`,
      });
      const out = request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: `${to.hostname}:${to.port}` } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}
