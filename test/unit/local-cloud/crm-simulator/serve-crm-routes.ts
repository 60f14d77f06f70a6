import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CrmRouteHandler } from '#lib/local-cloud/crm-simulator/crm-route-types';
import type { DeliveryRequest } from '#lambdas/integrations/integration-model';

/**
 * A real HTTP server on a free local port that answers with one CRM's route functions, as the CRM
 * simulator's server mounts them: tests reach the routes over HTTP the way the lookups and
 * EventBridge's API destinations do.
 */
export interface CrmRouteServer {
  url: string;
  /** Every request received (method and path with query), oldest first. */
  requests: Array<{ method: string; url: string }>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}

export async function serveCrmRoutes(handler: CrmRouteHandler): Promise<CrmRouteServer> {
  const requests: CrmRouteServer['requests'] = [];
  const server = createServer((req, res) => {
    void (async () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '' });
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = await readBody(req);
      const answer = handler({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body });
      const status = answer?.status ?? 404;
      const raw = JSON.stringify(answer ? answer.body : { error: 'not found' });
      res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(raw), ...(answer?.headers ?? {}) });
      res.end(raw);
    })().catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Makes one mapper request the way an API destination does: the method, the path below the base
 * URL, the mapper's headers plus the connection's auth header, the body as JSON.
 */
export async function deliver(
  baseUrl: string,
  request: DeliveryRequest & { headers?: Record<string, string> },
  auth: Record<string, string>,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: { 'content-type': 'application/json', ...(request.headers ?? {}), ...auth },
    body: JSON.stringify(request.body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
}
