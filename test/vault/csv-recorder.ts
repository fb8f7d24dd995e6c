/**
 * A recording pass-through on 127.0.0.1 port 0 in front of the simulator: the simulator's
 * request log keeps no bodies (they may hold secrets), so CSV tests read the exact Content-Type
 * and body of each bulk user write here. Only `/objects/users` writes are recorded.
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedWrite {
  readonly method: string;
  /** Path after `/api/{version}`, with the query string. */
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: string;
}

export interface Recorder {
  readonly url: string;
  readonly writes: RecordedWrite[];
  close(): Promise<void>;
}

export async function startRecorder(target: string): Promise<Recorder> {
  const upstream = new URL(target);
  const writes: RecordedWrite[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '').replace(/^\/api\/v[\d.]+/, '');
      if (req.method !== 'GET' && /^\/objects\/users(\?|$)/.test(path)) {
        writes.push({ method: req.method ?? '', path, contentType: req.headers['content-type'], body: body.toString('utf8') });
      }
      const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
      const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    writes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
