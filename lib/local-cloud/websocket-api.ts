import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { WebSocketApiSpec, WebSocketRouteSpec } from '#lib/local-cloud/template/read-websocket-apis';

/** Where the local WebSocket API accepts connections on the API port. */
export const LOCAL_WEBSOCKET_PATH = '/ws';
/** API Gateway's largest WebSocket frame and PostToConnection payload. */
const MAX_PAYLOAD_BYTES = 128 * 1024;
const MANAGEMENT_PATH = /^(?:\/[^/]+)?\/@connections\/([^/]+)$/;

export interface LocalWebSocketApiOptions {
  spec: WebSocketApiSpec;
  /** Runs a function of the template (its local pool) with an event; rejects when the function fails. */
  invoke: (functionLogicalId: string, event: unknown) => Promise<unknown>;
  region: string;
  accountId: string;
  /** Counts requests as API Gateway bills them (connection minutes aside). */
  record?: (operation: string) => void;
}

interface LocalConnection {
  id: string;
  socket: WebSocket;
  connectedAt: Date;
  lastActiveAt: Date;
  sourceIp: string;
  userAgent: string;
  /** The authoriser's context (plus principalId), handed to every route of the connection. */
  authorizer?: Record<string, unknown>;
}

/**
 * A local stand-in for an API Gateway WebSocket API with Lambda integrations, read from the
 * template: `$connect` behind its Lambda REQUEST authoriser (a missing identity source or a thrown
 * `Unauthorized` is a 401, a Deny policy a 403, and the handshake is refused), `$connect`,
 * `$disconnect` and the routes chosen by the route selection expression invoked with API
 * Gateway-shaped events, a route response sent back when the route has one, and the management
 * API the SDK's ApiGatewayManagementApiClient calls (`POST|GET|DELETE /@connections/{id}`, 410
 * GoneException for a connection it does not have).
 */
export class LocalWebSocketApi {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES });
  private readonly connections = new Map<string, LocalConnection>();
  private readonly routes: Map<string, WebSocketRouteSpec>;
  private closing = false;

  constructor(private readonly options: LocalWebSocketApiOptions) {
    this.routes = new Map(options.spec.routes.map((r) => [r.routeKey, r]));
  }

  get stageName(): string {
    return this.options.spec.stageName;
  }

  /** Ids of the open connections. */
  connectionIds(): string[] {
    return [...this.connections.keys()];
  }

  /** Takes an upgrade request for the WebSocket path; refuses others with 404. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname !== LOCAL_WEBSOCKET_PATH || this.closing) {
      refuse(socket, 404, 'Not Found');
      return;
    }
    void this.connect(req, url, socket, head).catch(() => refuse(socket, 500, 'Internal Server Error'));
  }

  /** The management API on the API port; false when the request is not for it. */
  handleManagementRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://local');
    const match = MANAGEMENT_PATH.exec(url.pathname);
    if (!match) return false;
    const method = (req.method ?? 'GET').toUpperCase();
    let id: string;
    try {
      id = decodeURIComponent(match[1]!);
    } catch {
      id = '';
    }
    void this.manage(method, id, req, res).catch(() => managementAnswer(res, 500, { message: 'Internal server error' }, 'InternalServerErrorException'));
    return true;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const c of this.connections.values()) c.socket.terminate();
    this.connections.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private async connect(req: IncomingMessage, url: URL, socket: Duplex, head: Buffer): Promise<void> {
    const connectRoute = this.routes.get('$connect');
    const connectionId = newConnectionId();
    const now = new Date();
    const headers = headersOf(req);
    const query = Object.fromEntries(url.searchParams.entries());
    const identity = { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' };
    const requestContext = (routeKey: string, eventType: string) => ({
      routeKey,
      eventType,
      extendedRequestId: randomUUID(),
      requestTime: now.toUTCString(),
      messageDirection: 'IN',
      stage: this.stageName,
      connectedAt: now.getTime(),
      requestTimeEpoch: Date.now(),
      identity,
      requestId: randomUUID(),
      domainName: headers.host ?? 'localhost',
      connectionId,
      apiId: this.options.spec.logicalId,
    });
    this.options.record?.('WebSocketConnect');

    let authorizer: Record<string, unknown> | undefined;
    if (connectRoute?.authorizationType === 'CUSTOM') {
      const spec = this.options.spec.authorizers.find((a) => a.logicalId === connectRoute.authorizerLogicalId);
      // An authoriser the template names but this emulation cannot run refuses everyone.
      if (!spec) return refuse(socket, 401, 'Unauthorized');
      if (!spec.identitySources.every((source) => identityValue(source, headers, query) !== undefined)) return refuse(socket, 401, 'Unauthorized');
      const methodArn = `arn:aws:execute-api:${this.options.region}:${this.options.accountId}:${this.options.spec.logicalId}/${this.stageName}/$connect`;
      let result: unknown;
      try {
        result = await this.options.invoke(spec.functionLogicalId, {
          type: 'REQUEST',
          methodArn,
          headers,
          multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
          queryStringParameters: query,
          multiValueQueryStringParameters: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])),
          stageVariables: {},
          requestContext: requestContext('$connect', 'CONNECT'),
        });
      } catch (err) {
        return /unauthori[sz]ed/i.test(String((err as Error)?.message ?? ''))
          ? refuse(socket, 401, 'Unauthorized')
          : refuse(socket, 500, 'Internal Server Error');
      }
      const verdict = policyVerdict(result, methodArn);
      if (verdict !== 'allow') return refuse(socket, verdict === 'deny' ? 403 : 500, verdict === 'deny' ? 'Forbidden' : 'Internal Server Error');
      const r = result as { principalId?: unknown; context?: Record<string, unknown> };
      authorizer = { ...(r.context ?? {}), principalId: r.principalId };
    }

    if (connectRoute) {
      try {
        const answer = (await this.options.invoke(connectRoute.functionLogicalId, {
          headers,
          multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
          ...(url.search ? { queryStringParameters: query } : {}),
          requestContext: { ...requestContext('$connect', 'CONNECT'), ...(authorizer ? { authorizer } : {}) },
          isBase64Encoded: false,
        })) as { statusCode?: unknown } | null | undefined;
        const status = typeof answer?.statusCode === 'number' ? answer.statusCode : 200;
        if (status < 200 || status >= 300) return refuse(socket, status, 'Forbidden');
      } catch {
        return refuse(socket, 500, 'Internal Server Error');
      }
    }

    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const connection: LocalConnection = {
        id: connectionId,
        socket: ws,
        connectedAt: now,
        lastActiveAt: now,
        ...identity,
        ...(authorizer ? { authorizer } : {}),
      };
      this.connections.set(connectionId, connection);
      ws.on('message', (data, isBinary) => {
        connection.lastActiveAt = new Date();
        void this.message(connection, isBinary ? Buffer.from(data as Buffer).toString('base64') : String(data), isBinary);
      });
      ws.on('close', (code, reason) => void this.disconnected(connection, code, reason.toString('utf8')));
      ws.on('error', () => ws.terminate());
    });
  }

  private routeFor(body: string): WebSocketRouteSpec | undefined {
    const path = /^\$request\.body\.(.+)$/.exec(this.options.spec.routeSelectionExpression)?.[1];
    if (path) {
      try {
        let value: unknown = JSON.parse(body);
        for (const key of path.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
        if (typeof value === 'string' && !value.startsWith('$') && this.routes.has(value)) return this.routes.get(value);
      } catch {
        // Not JSON: the default route.
      }
    }
    return this.routes.get('$default');
  }

  private async message(connection: LocalConnection, body: string, isBinary: boolean): Promise<void> {
    this.options.record?.('WebSocketMessage');
    const route = this.routeFor(body);
    if (!route) return;
    try {
      const answer = await this.options.invoke(route.functionLogicalId, {
        requestContext: {
          routeKey: route.routeKey,
          messageId: randomUUID(),
          eventType: 'MESSAGE',
          extendedRequestId: randomUUID(),
          requestTime: new Date().toUTCString(),
          messageDirection: 'IN',
          stage: this.stageName,
          connectedAt: connection.connectedAt.getTime(),
          requestTimeEpoch: Date.now(),
          identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
          requestId: randomUUID(),
          domainName: 'localhost',
          connectionId: connection.id,
          apiId: this.options.spec.logicalId,
          ...(connection.authorizer ? { authorizer: connection.authorizer } : {}),
        },
        body,
        isBase64Encoded: isBinary,
      });
      if (!route.returnsResponse) return;
      const reply = answer !== null && typeof answer === 'object' && 'body' in answer ? (answer as { body?: unknown }).body : answer;
      if (typeof reply === 'string' && reply.length > 0 && connection.socket.readyState === connection.socket.OPEN) connection.socket.send(reply);
    } catch {
      // API Gateway tells the client of an integration failure with an error frame.
      if (connection.socket.readyState === connection.socket.OPEN) {
        connection.socket.send(JSON.stringify({ message: 'Internal server error', connectionId: connection.id, requestId: randomUUID() }));
      }
    }
  }

  private async disconnected(connection: LocalConnection, code: number, reason: string): Promise<void> {
    if (this.connections.get(connection.id) !== connection) return;
    this.connections.delete(connection.id);
    if (this.closing) return;
    const route = this.routes.get('$disconnect');
    if (!route) return;
    await this.options
      .invoke(route.functionLogicalId, {
        headers: {},
        requestContext: {
          routeKey: '$disconnect',
          disconnectStatusCode: code,
          eventType: 'DISCONNECT',
          extendedRequestId: randomUUID(),
          requestTime: new Date().toUTCString(),
          messageDirection: 'IN',
          disconnectReason: reason,
          stage: this.stageName,
          connectedAt: connection.connectedAt.getTime(),
          requestTimeEpoch: Date.now(),
          identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
          requestId: randomUUID(),
          domainName: 'localhost',
          connectionId: connection.id,
          apiId: this.options.spec.logicalId,
          ...(connection.authorizer ? { authorizer: connection.authorizer } : {}),
        },
        isBase64Encoded: false,
      })
      .catch(() => {});
  }

  private async manage(method: string, id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_PAYLOAD_BYTES) return managementAnswer(res, 413, { message: 'Payload too large' }, 'PayloadTooLargeException');
      chunks.push(chunk as Buffer);
    }
    this.options.record?.(`ManageConnections${method}`);
    const connection = this.connections.get(id);
    if (!connection || connection.socket.readyState !== connection.socket.OPEN) return managementAnswer(res, 410, { message: null }, 'GoneException');
    if (method === 'POST') {
      connection.socket.send(Buffer.concat(chunks).toString('utf8'));
      return managementAnswer(res, 200);
    }
    if (method === 'GET') {
      return managementAnswer(res, 200, {
        ConnectedAt: connection.connectedAt.toISOString(),
        Identity: { SourceIp: connection.sourceIp, UserAgent: connection.userAgent },
        LastActiveAt: connection.lastActiveAt.toISOString(),
      });
    }
    if (method === 'DELETE') {
      connection.socket.close(1000, 'Going away');
      return managementAnswer(res, 204);
    }
    return managementAnswer(res, 403, { message: 'Missing Authentication Token' }, 'ForbiddenException');
  }
}

/**
 * The environment the template's functions get locally in place of AWS's: the push consumer's
 * management endpoint on the local API, and the key set of the operators' pool for the
 * `$connect` authoriser (aws-jwt-verify fetches keys over HTTPS only; the local issuer serves them
 * over HTTP on loopback). Only variables a function already has are replaced.
 */
export function localWebSocketEnvironment(
  environment: Readonly<Record<string, string>>,
  local: { apiUrl: string; stageName?: string; jwksUrl?: string },
): Record<string, string> {
  const out: Record<string, string> = {};
  if ('AGENT_PUSH_MANAGEMENT_ENDPOINT' in environment && local.stageName) out.AGENT_PUSH_MANAGEMENT_ENDPOINT = `${local.apiUrl}/${local.stageName}`;
  if ('OPERATOR_USER_POOL_ID' in environment && local.jwksUrl) out.OPERATOR_JWKS_URL = local.jwksUrl;
  return out;
}

/** `L0SM9cOFvHcCIhw=`-shaped, as API Gateway's ids look. */
function newConnectionId(): string {
  return randomBytes(12).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B');
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  return headers;
}

function identityValue(source: string, headers: Record<string, string>, query: Record<string, string>): string | undefined {
  const fromQuery = /^route\.request\.querystring\.(.+)$/.exec(source)?.[1];
  if (fromQuery) return query[fromQuery] || undefined;
  const fromHeader = /^route\.request\.header\.(.+)$/.exec(source)?.[1];
  if (fromHeader) return headers[fromHeader.toLowerCase()] || undefined;
  // Stage variables and context values are always there.
  return '';
}

/** `allow` when a statement allows the method and none denies it; `deny` when denied; `invalid` for a malformed answer. */
function policyVerdict(result: unknown, methodArn: string): 'allow' | 'deny' | 'invalid' {
  const statements = (result as { policyDocument?: { Statement?: unknown } } | null)?.policyDocument?.Statement;
  if (!Array.isArray(statements)) return 'invalid';
  const covers = (resource: unknown) => {
    const list = Array.isArray(resource) ? resource : [resource];
    return list.some((r) => typeof r === 'string' && new RegExp(`^${r.split('*').map(escapeRegExp).join('.*')}$`).test(methodArn));
  };
  const applies = (s: { Action?: unknown; Resource?: unknown }) => {
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    return actions.some((a) => a === 'execute-api:Invoke' || a === 'execute-api:*' || a === '*') && covers(s.Resource);
  };
  const relevant = (statements as Array<{ Effect?: unknown; Action?: unknown; Resource?: unknown }>).filter(applies);
  if (relevant.some((s) => s.Effect === 'Deny')) return 'deny';
  return relevant.some((s) => s.Effect === 'Allow') ? 'allow' : 'deny';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function refuse(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${message}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

function managementAnswer(res: ServerResponse, status: number, body?: unknown, errorType?: string): void {
  if (res.headersSent) return void res.end();
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { 'content-type': 'application/json' } : {}),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}
