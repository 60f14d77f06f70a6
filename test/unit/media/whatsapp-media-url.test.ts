import { describe, expect, it } from 'vitest';
import { MediaFailure } from '#lambdas/media/media-errors';
import { retrieveWhatsAppMediaUrl } from '#lambdas/media/whatsapp-media-url';
import { startRecordingHttpServer } from '#test/helpers/recording-http-server';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';

type Call = { url: string; headers: Record<string, string> };

function fakeFetch(status: number, body: unknown, calls: Call[] = []): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), headers: (init?.headers ?? {}) as Record<string, string> });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

const request = { graphBaseUrl: 'https://graph.example/', graphVersion: GRAPH_API_VERSION, mediaId: '1234567890', phoneNumberId: '100', accessToken: 'tok' };

async function failureOf(promise: Promise<unknown>): Promise<MediaFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MediaFailure);
  return error as MediaFailure;
}

describe('retrieveWhatsAppMediaUrl', () => {
  it('asks for the media of the business number with the bearer token and reads the answer', async () => {
    const calls: Call[] = [];
    const located = await retrieveWhatsAppMediaUrl({
      ...request,
      fetch: fakeFetch(
        200,
        {
          url: 'https://lookaside.example/x?mid=1',
          mime_type: 'image/jpeg',
          sha256: 'ab'.repeat(32),
          file_size: '303833',
          id: '1234567890',
          messaging_product: 'whatsapp',
        },
        calls,
      ),
    });
    expect(located).toEqual({ url: 'https://lookaside.example/x?mid=1', mimeType: 'image/jpeg', sha256: 'ab'.repeat(32), fileSize: 303833 });
    expect(calls[0]?.url).toBe(`https://graph.example/${GRAPH_API_VERSION}/1234567890?phone_number_id=100`);
    expect(calls[0]?.headers.authorization).toBe('Bearer tok');
  });

  it('reads a numeric file size too', async () => {
    const located = await retrieveWhatsAppMediaUrl({ ...request, fetch: fakeFetch(200, { url: 'https://l.example/a', file_size: 12 }) });
    expect(located.fileSize).toBe(12);
  });

  it('calls an unknown media id permanent', async () => {
    const body = { error: { message: 'Unsupported get request.', type: 'GraphMethodException', code: 100, error_subcode: 33, fbtrace_id: 'A1' } };
    const failure = await failureOf(retrieveWhatsAppMediaUrl({ ...request, fetch: fakeFetch(400, body) }));
    expect([failure.kind, failure.reason, failure.httpStatus]).toEqual(['permanent', 'media_not_found', 400]);
  });

  it('retries rate limits, 5xx, an invalid token and an answer without a URL', async () => {
    const cases: Array<[number, unknown]> = [
      [400, { error: { message: 'rate', code: 4 } }],
      [500, { error: { message: 'oops', code: 1, is_transient: true } }],
      [503, 'Service Unavailable'],
      [401, { error: { message: 'Invalid OAuth access token.', code: 190 } }],
      [200, { id: '1' }],
    ];
    for (const [status, body] of cases) {
      const failure = await failureOf(retrieveWhatsAppMediaUrl({ ...request, fetch: fakeFetch(status, body) }));
      expect({ status, kind: failure.kind }).toEqual({ status, kind: 'retryable' });
    }
  });

  it('retries a network failure', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const failure = await failureOf(retrieveWhatsAppMediaUrl({ ...request, fetch: failing }));
    expect([failure.kind, failure.reason]).toEqual(['retryable', 'network_error']);
  });

  it('does not follow a redirect of the look-up, which carries the token', async () => {
    const server = await startRecordingHttpServer((req, res) => {
      if (req.url?.startsWith(`/${GRAPH_API_VERSION}/`)) res.writeHead(302, { location: `${elsewhere.url}/collect` }).end();
    });
    const elsewhere = await startRecordingHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"url":"https://x"}'));
    try {
      const failure = await failureOf(retrieveWhatsAppMediaUrl({ ...request, graphBaseUrl: server.url }));
      expect(failure.kind).toBe('retryable');
      expect(server.requests).toHaveLength(1);
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await server.close();
      await elsewhere.close();
    }
  });
});
