import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** `hang`: never answer (the caller's timeout decides). */
export type Script = (req: ReceivedRequest, index: number) => ScriptedAnswer | 'hang';

export interface ScriptedHttpServer {
  url: string;
  requests: ReceivedRequest[];
  /** Requests to one path (query ignored). */
  requestsTo(path: string): ReceivedRequest[];
  script(fn: Script): void;
  close(): Promise<void>;
}

/** A real HTTP server on a free loopback port that records each request and answers as scripted (200 `{}` by default). */
export async function startScriptedHttpServer(): Promise<ScriptedHttpServer> {
  const requests: ReceivedRequest[] = [];
  const hanging: ServerResponse[] = [];
  let script: Script = () => ({ status: 200, body: {} });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(received);
      const answer = script(received, requests.length - 1);
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      const body = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    requestsTo: (path) => requests.filter((r) => r.url.split('?')[0] === path),
    script(fn) {
      script = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
