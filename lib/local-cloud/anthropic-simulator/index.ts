import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { respond, type MessagesRequest } from '#lib/local-cloud/anthropic-simulator/messages-responder';
import { modelRefusal } from '#lib/local-cloud/anthropic-simulator/model-rules';

export interface AnthropicSimulatorOptions {
  port?: number;
  host?: string;
  /** The key callers must present (`x-api-key` or a bearer token); any non-empty key when absent. */
  apiKey?: string;
  /** The clock model retirements are judged by (tests move it past a retirement date). */
  now?: () => Date;
}

/** What the next request gets instead of a model answer, for failure tests. */
export type Fault = { kind: 'status'; status: number; type: string } | { kind: 'delay'; ms: number };

export interface AnthropicSimulator {
  url: string;
  /** Every accepted request body, in order (refused ones are not kept). */
  readonly requests: MessagesRequest[];
  /** Applies to the next `count` requests. */
  injectFault(fault: Fault, count?: number): void;
  close(): Promise<void>;
}

/**
 * A local HTTP server that speaks the Anthropic Messages API (`POST /v1/messages`, tool use
 * included) closely enough for the official SDK: same headers, response and error bodies.
 */
export async function startAnthropicSimulator(options: AnthropicSimulatorOptions = {}): Promise<AnthropicSimulator> {
  const requests: MessagesRequest[] = [];
  const faults: Fault[] = [];
  let counter = 0;
  const sockets = new Set<import('node:net').Socket>();

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => error(res, 500, 'api_error', 'Internal server error'));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (req.method !== 'POST' || path !== '/v1/messages') return error(res, 404, 'not_found_error', `No route ${req.method} ${path}`);
    // Older SDKs send the key in `x-api-key`, newer ones as a bearer token; the API takes both.
    const bearer = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    const key = String(req.headers['x-api-key'] ?? '') || bearer;
    if (!key || (options.apiKey !== undefined && key !== options.apiKey)) {
      return error(res, 401, 'authentication_error', 'invalid x-api-key');
    }
    if (!req.headers['anthropic-version']) return error(res, 400, 'invalid_request_error', 'anthropic-version header is required');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: MessagesRequest;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as MessagesRequest;
    } catch {
      return error(res, 400, 'invalid_request_error', 'body is not JSON');
    }
    const problem = validate(body);
    if (problem) return error(res, 400, 'invalid_request_error', problem);
    const refusal = modelRefusal(body, (options.now ?? (() => new Date()))());
    if (refusal) return error(res, refusal.status, refusal.type, refusal.message);
    requests.push(body);
    const fault = faults.shift();
    if (fault?.kind === 'status') return error(res, fault.status, fault.type, 'injected fault');
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    if (res.destroyed) return;
    const id = `msg_sim_${++counter}`;
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_sim_${counter}` });
    res.end(JSON.stringify(respond(body, id)));
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  return {
    url: `http://${host}:${port}`,
    requests,
    injectFault: (fault, count = 1) => {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The checks the real API makes that the agent could plausibly get wrong. */
function validate(body: MessagesRequest): string | undefined {
  if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
  if (typeof body.max_tokens !== 'number' || body.max_tokens < 1) return 'max_tokens: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
  if (body.messages[0]?.role !== 'user') return 'messages: first message must use the "user" role';
  for (let i = 1; i < body.messages.length; i++) {
    if (body.messages[i]?.role === body.messages[i - 1]?.role) return `messages.${i}: roles must alternate between "user" and "assistant"`;
  }
  // Every tool_use must be answered by a tool_result in the next user turn.
  for (let i = 0; i < body.messages.length; i++) {
    const m = body.messages[i]!;
    if (m.role !== 'assistant' || typeof m.content === 'string') continue;
    const next = body.messages[i + 1];
    for (const use of m.content.filter((b) => b.type === 'tool_use')) {
      const answered = next && typeof next.content !== 'string' && next.content.some((b) => b.type === 'tool_result' && b.tool_use_id === use.id);
      if (!answered) return `messages.${i + 1}: tool_use ids were found without tool_result blocks immediately after: ${use.id}`;
    }
  }
  return undefined;
}

function error(res: ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ type: 'error', error: { type, message } }));
}
