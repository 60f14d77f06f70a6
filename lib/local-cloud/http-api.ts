import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { authorizeJwt, type IssuerKeys, type JwtAuthorizerConfig } from '#lib/local-cloud/identity/jwt-authorizer';

export interface HttpRoute {
  /** `GET /webhook`, as in the template's RouteKey. */
  routeKey: string;
  invoke: (event: APIGatewayProxyEventV2) => Promise<unknown>;
  /**
   * The route's JWT authoriser (AuthorizationType JWT) and its AuthorizationScopes. Absent for
   * NONE; IAM routes are not emulated and pass as NONE.
   */
  jwt?: { authorizer: JwtAuthorizerConfig; scopes: readonly string[]; identityHeader?: string };
}

/**
 * An endpoint only the local cloud has (the local identity provider's, the console's files),
 * served before the routes.
 */
export interface LocalEndpoint {
  method: 'GET' | 'POST';
  path: string;
  /** Also serve every path under `path` (which then ends with `/`). */
  prefix?: boolean;
  handle: (request: LocalRequest) => Promise<LocalResponse>;
}

export interface LocalRequest {
  body: string;
  headers: Record<string, string>;
  /** The request's path and query, for endpoints that read them. */
  path: string;
  query: URLSearchParams;
}

/**
 * A JSON answer, or, when `headers` names a `content-type`, the body as it is (an HTML page, a
 * file, an empty redirect with a `location`).
 */
export interface LocalResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface HttpApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** API Gateway HTTP APIs refuse request bodies above 10 MB. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript))/i;

/**
 * A local stand-in for an API Gateway HTTP API with Lambda proxy integrations (payload format
 * 2.0): same event shape, same response mapping, 404 for unknown routes, 500 when the function
 * fails, and the routes' JWT authorisers enforced as API Gateway enforces them (401, 403).
 */
export async function startHttpApi(options: {
  port: number;
  host?: string;
  routes: HttpRoute[];
  /** The keys of each JWT issuer (API Gateway fetches them from the issuer's jwks_uri). */
  issuerKeys?: IssuerKeys;
  localEndpoints?: LocalEndpoint[];
  /** Served before everything else (the local WebSocket API's management endpoint); true when it took the request. */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** WebSocket upgrade requests (the local WebSocket API); without it they are refused. */
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}): Promise<HttpApi> {
  const api: ApiConfig = {
    routes: new Map(options.routes.map((r) => [r.routeKey, r])),
    issuerKeys: options.issuerKeys ?? (() => undefined),
    localEndpoints: new Map((options.localEndpoints ?? []).filter((e) => !e.prefix).map((e) => [`${e.method} ${e.path}`, e])),
    // Longest first, so a deeper prefix wins.
    prefixEndpoints: (options.localEndpoints ?? []).filter((e) => e.prefix).sort((a, b) => b.path.length - a.path.length),
    templates: options.routes.filter((r) => r.routeKey.includes('{')).map(routeTemplate),
  };
  const server: Server = createServer((req, res) => {
    if (options.intercept?.(req, res)) return;
    void handle(req, res, api).catch(() => send(res, 500, { message: 'Internal Server Error' }));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (options.upgrade) return options.upgrade(req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface ApiConfig {
  routes: Map<string, HttpRoute>;
  issuerKeys: IssuerKeys;
  localEndpoints: Map<string, LocalEndpoint>;
  prefixEndpoints: LocalEndpoint[];
  /** Routes with path variables (`/admin/integrations/{id}`), tried after the exact ones. */
  templates: Array<{ method: string; pattern: RegExp; names: string[]; route: HttpRoute }>;
}

/** `GET /a/{id}/b` → a matcher of one path segment per variable, as API Gateway matches them. */
function routeTemplate(route: HttpRoute): ApiConfig['templates'][number] {
  const [method = '', path = ''] = route.routeKey.split(' ');
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const variable = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
      if (!variable) return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      names.push(variable[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { method, pattern: new RegExp(`^${source}$`), names, route };
}

function matchTemplate(api: ApiConfig, method: string, path: string): { route: HttpRoute; pathParameters: Record<string, string> } | undefined {
  for (const t of api.templates) {
    if (t.method !== method && t.method !== 'ANY') continue;
    const m = t.pattern.exec(path);
    if (!m) continue;
    const pathParameters: Record<string, string> = {};
    t.names.forEach((name, i) => {
      const raw = m[i + 1]!;
      try {
        pathParameters[name] = decodeURIComponent(raw);
      } catch {
        pathParameters[name] = raw;
      }
    });
    return { route: t.route, pathParameters };
  }
  return undefined;
}

async function handle(req: IncomingMessage, res: ServerResponse, api: ApiConfig): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const method = (req.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const local = api.localEndpoints.get(`${method} ${url.pathname}`) ?? api.prefixEndpoints.find((e) => e.method === method && url.pathname.startsWith(e.path));
  const templated = api.routes.has(`${method} ${url.pathname}`) || api.routes.has(`ANY ${url.pathname}`) ? undefined : matchTemplate(api, method, url.pathname);
  const route = api.routes.get(`${method} ${url.pathname}`) ?? api.routes.get(`ANY ${url.pathname}`) ?? templated?.route;
  if (!local && !route) return send(res, 404, { message: 'Not Found' });

  // The JWT authoriser runs before the integration, which never sees a refused request.
  let authorizer: { jwt: { claims: Record<string, string>; scopes: string[] | null } } | undefined;
  if (route?.jwt && !local) {
    const header = headers[(route.jwt.identityHeader ?? 'authorization').toLowerCase()];
    const verdict = await authorizeJwt({
      authorizationHeader: header,
      authorizer: route.jwt.authorizer,
      routeScopes: route.jwt.scopes,
      issuerKeys: api.issuerKeys,
    });
    if (!verdict.ok) {
      req.resume();
      return send(res, verdict.status, verdict.body, { 'www-authenticate': verdict.wwwAuthenticate });
    }
    authorizer = { jwt: verdict.jwt };
  }

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return send(res, 413, { message: 'Request Entity Too Large' });
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  if (local) {
    const answer = await local.handle({ body: body.toString('utf8'), headers, path: url.pathname, query: url.searchParams });
    if (answer.headers && Object.keys(answer.headers).some((h) => h.toLowerCase() === 'content-type' || h.toLowerCase() === 'location')) {
      res.writeHead(answer.status, answer.headers);
      return void res.end(typeof answer.body === 'string' || Buffer.isBuffer(answer.body) ? answer.body : '');
    }
    return send(res, answer.status, answer.body, answer.headers);
  }
  if (!route) return send(res, 404, { message: 'Not Found' });
  const contentType = String(req.headers['content-type'] ?? '');
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const query = Object.fromEntries(url.searchParams.entries());
  const now = new Date();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(templated ? { pathParameters: templated.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(authorizer ? { authorizer } : {}),
    },
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
  let result: unknown;
  try {
    result = await route.invoke(event);
  } catch {
    return send(res, 500, { message: 'Internal Server Error' });
  }
  respond(res, result);
}

function respond(res: ServerResponse, result: unknown): void {
  if (result === null || typeof result !== 'object' || !('statusCode' in (result as object))) {
    // Payload format 2.0: a bare value is returned as a JSON 200.
    send(res, 200, result ?? '');
    return;
  }
  const r = result as APIGatewayProxyStructuredResultV2;
  const body = r.body === undefined ? '' : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body;
  res.writeHead(r.statusCode ?? 200, Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k, String(v)])));
  res.end(body);
}

function send(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...extraHeaders });
  res.end(text);
}
