import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyGraphError,
  createGraphApiClient,
  GraphApiError,
  graphErrorFromResponse,
  type GraphErrorClassification,
} from '#lambdas/adapters/graph-api-client';
import { parseSendResponse } from '#lambdas/outbound/parse-send-response';
import { conformanceFiles, readConformanceJson } from '#test/helpers/conformance';
import { UnexpectedSendResponseError } from '#lambdas/outbound/errors';

type Expected =
  | { error: GraphErrorClassification; code: number; subcode?: number }
  | { sent: 'whatsapp' | 'instagram' | 'messenger'; id: string; waId?: string }
  | { notASendResponse: true };

/** Every Graph API body in the conformance corpus, with what the sender must make of it. */
const EXPECTED: Record<string, Expected> = {
  'bindambc-error-100-subcode-33.json': { error: 'permanent', code: 100, subcode: 33 },
  'bindambc-error-130429-rate-limit.json': { error: 'retryable', code: 130429, subcode: 2494055 },
  'bindambc-error-136024.json': { error: 'permanent', code: 136024 },
  'bindambc-error-136025.json': { error: 'permanent', code: 136025 },
  'bindambc-media-url-response.json': { notASendResponse: true },
  'bindambc-send-message-response.json': { sent: 'whatsapp', id: 'wamid.gBGGSFcCNEOPAgkO_KJ55r4w_ww', waId: '48XXXXXXXXX' },
  'chatwoot-instagram-send-error-account-restricted.json': { error: 'permanent', code: 400 },
  'chatwoot-instagram-send-response.json': { sent: 'instagram', id: 'random_message_id' },
  'courier-error-131056-pair-rate-limit.json': { error: 'retryable', code: 131056 },
  'courier-error-368-policy-block.json': { error: 'permanent', code: 368 },
  'courier-error-613-rate-limit.json': { error: 'retryable', code: 613 },
  'issue-error-190-463-session-expired-real.json': { error: 'auth', code: 190, subcode: 463 },
  'kapso-error-130429-throughput.json': { error: 'retryable', code: 130429 },
  'kapso-error-131047-reengagement.json': { error: 'permanent', code: 131047, subcode: 999001 },
  'meedan-error-131056-pair-rate-limit.json': { error: 'retryable', code: 131056 },
  'messenger4j-error-190-invalid-token.json': { error: 'auth', code: 190 },
  'messenger4j-messenger-send-response.json': { sent: 'messenger', id: 'mid.1473372944816:94f72b88c597657974' },
  'metadoc-send-text-response.json': {
    sent: 'whatsapp',
    id: 'wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA',
    waId: '16505551234',
  },
  'openapi-error-100-invalid-field.json': { error: 'permanent', code: 100 },
  'openapi-error-190-463-expired-token.json': { error: 'auth', code: 190, subcode: 463 },
  'openapi-error-4-app-rate-limit.json': { error: 'retryable', code: 4, subcode: 2446079 },
  'openapi-error-80007-business-rate-limit.json': { error: 'retryable', code: 80007, subcode: 2446079 },
  'openapi-send-message-response.json': {
    sent: 'whatsapp',
    id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJCOTY3NDc0NDFDRUI3NTA0Q0UA',
    waId: '16505551234',
  },
  'restfb-error-131009-wa-parameter-invalid.json': { error: 'permanent', code: 131009 },
  'restfb-wa-send-response-bsuid.json': { sent: 'whatsapp', id: 'wamid.foobar' },
  'restfb-wa-send-response-group.json': { sent: 'whatsapp', id: 'wamid.foobar' },
  'restfb-wa-send-response.json': { sent: 'whatsapp', id: 'wamid.foobar', waId: '123456789' },
  'web-viasay-error-132001-template-missing.json': { error: 'permanent', code: 132001, subcode: 2494073 },
  'whatsapp-nodejs-sdk-send-message-response.json': {
    sent: 'whatsapp',
    id: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA',
    waId: '16505076520',
  },
};

describe('conformance: every Graph API body is understood', () => {
  it('has an expectation for every file in the corpus', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(conformanceFiles('graph-api'));
  });

  for (const file of conformanceFiles('graph-api')) {
    it(file, () => {
      const body = readConformanceJson('graph-api', file);
      const expected = EXPECTED[file];
      if (!expected) throw new Error(`no expectation for ${file}`);
      if ('error' in expected) {
        const error = graphErrorFromResponse(400, body);
        expect(error).toBeInstanceOf(GraphApiError);
        expect(error.classification).toBe(expected.error);
        expect(error.code).toBe(expected.code);
        if (expected.subcode !== undefined) expect(error.subcode).toBe(expected.subcode);
        expect(error.message).toBe(body.error.message);
      } else if ('sent' in expected) {
        const accepted = parseSendResponse(expected.sent, body);
        expect(accepted.providerMessageId).toBe(expected.id);
        expect(accepted.recipientWaId).toBe(expected.waId);
      } else {
        expect(() => parseSendResponse('whatsapp', body)).toThrow(UnexpectedSendResponseError);
      }
    });
  }

  it('keeps error_data details and trace ids', () => {
    const error = graphErrorFromResponse(400, readConformanceJson('graph-api', 'kapso-error-131047-reengagement.json'));
    expect(error.details).toBe('Customer outside 24 hour window');
    expect(error.fbtraceId).toBe('TRACE123');
  });
});

describe('classifyGraphError', () => {
  it('retries server errors, 429 and network failures, and refuses to retry unexplained client errors', () => {
    expect(classifyGraphError({ httpStatus: 500 })).toBe('retryable');
    expect(classifyGraphError({ httpStatus: 503 })).toBe('retryable');
    expect(classifyGraphError({ httpStatus: 429 })).toBe('retryable');
    expect(classifyGraphError({ network: true })).toBe('retryable');
    expect(classifyGraphError({ httpStatus: 400 })).toBe('permanent');
    expect(classifyGraphError({ httpStatus: 404 })).toBe('permanent');
  });

  it('follows Meta codes over HTTP status, and is_transient for codes it does not know', () => {
    expect(classifyGraphError({ httpStatus: 500, code: 131047 })).toBe('permanent');
    expect(classifyGraphError({ httpStatus: 400, code: 131000 })).toBe('retryable');
    expect(classifyGraphError({ httpStatus: 400, code: 999999, isTransient: true })).toBe('retryable');
    expect(classifyGraphError({ httpStatus: 401, code: 190, subcode: 460 })).toBe('auth');
    for (const code of [100, 131026, 131051, 131009, 132001, 368]) expect(classifyGraphError({ httpStatus: 400, code })).toBe('permanent');
  });

  it('reads an error body whose error_data is a JSON string, and one that is not JSON at all', () => {
    const error = graphErrorFromResponse(400, { error: { message: 'x', code: '131009', error_data: '{"details":"bad id"}' } });
    expect(error.code).toBe(131009);
    expect(error.details).toBe('bad id');
    const bare = graphErrorFromResponse(502, undefined);
    expect(bare.classification).toBe('retryable');
    expect(bare.code).toBeUndefined();
  });
});

describe('createGraphApiClient', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ url?: string; authorization?: string; body: unknown }> = [];
  let respond: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url, authorization: req.headers.authorization, body: raw ? JSON.parse(raw) : undefined });
        respond(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('posts JSON with the bearer token and returns the parsed body', async () => {
    respond = (_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"messages":[{"id":"wamid.1"}]}');
    const client = createGraphApiClient();
    const body = await client.post({ url: `${base}/v23.0/100/messages`, body: { a: 1 } }, 'TOKEN');
    expect(body).toEqual({ messages: [{ id: 'wamid.1' }] });
    expect(seen.at(-1)).toEqual({ url: '/v23.0/100/messages', authorization: 'Bearer TOKEN', body: { a: 1 } });
  });

  it("throws a classified error built from Meta's error body", async () => {
    respond = (_, res) =>
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify(readConformanceJson('graph-api', 'courier-error-131056-pair-rate-limit.json')));
    const error = await createGraphApiClient()
      .post({ url: `${base}/x`, body: {} }, 'T')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphApiError);
    expect(error).toMatchObject({ httpStatus: 400, code: 131056, classification: 'retryable' });
  });

  it('classifies an HTML gateway error by its status', async () => {
    respond = (_, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
    await expect(createGraphApiClient().post({ url: `${base}/x`, body: {} }, 'T')).rejects.toMatchObject({
      httpStatus: 502,
      classification: 'retryable',
    });
  });

  it('turns a timeout into a retryable network error', async () => {
    respond = () => undefined; // never answers
    const error = await createGraphApiClient({ timeoutMs: 100 })
      .post({ url: `${base}/slow`, body: {} }, 'T')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'GraphApiError', network: true, classification: 'retryable' });
    expect((error as Error).message).toContain('timed out');
  });

  it('turns a refused connection into a retryable network error', async () => {
    await expect(createGraphApiClient().post({ url: 'http://127.0.0.1:1/x', body: {} }, 'T')).rejects.toMatchObject({
      network: true,
      classification: 'retryable',
    });
  });
});
