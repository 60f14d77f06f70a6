import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fetchMediaBytes } from '#lambdas/media/fetch-media-bytes';
import { MediaFailure, MediaRefusal } from '#lambdas/media/media-errors';
import { mediaUrlPolicy } from '#lambdas/media/media-url-policy';

const policy = mediaUrlPolicy('https://graph.facebook.com');

const bytes = Buffer.from('GIF89a a tiny image');

function respondWith(
  status: number,
  body: ConstructorParameters<typeof Response>[0],
  headers: Record<string, string> = {},
  seen: Array<Record<string, string>> = [],
): typeof fetch {
  return (async (_input: string | URL | Request, init?: RequestInit) => {
    seen.push((init?.headers ?? {}) as Record<string, string>);
    return new Response(body, { status, headers });
  }) as typeof fetch;
}

/** A body that keeps producing chunks and records how many were pulled. */
function endlessBody(chunk: Buffer, pulled: { count: number }): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      pulled.count++;
      controller.enqueue(new Uint8Array(chunk));
    },
  });
}

async function failureOf(promise: Promise<unknown>): Promise<MediaFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MediaFailure);
  return error as MediaFailure;
}

describe('fetchMediaBytes', () => {
  it('returns the bytes, their SHA-256 and the content type, sending the token when given', async () => {
    const seen: Array<Record<string, string>> = [];
    const out = await fetchMediaBytes({
      url: 'https://lookaside.fbsbx.com/m',
      policy,
      accessToken: 'tok',
      maxBytes: 1000,
      fetch: respondWith(200, bytes, { 'content-type': 'image/gif' }, seen),
    });
    expect(out.bytes.equals(bytes)).toBe(true);
    expect(out.sha256.equals(createHash('sha256').update(bytes).digest())).toBe(true);
    expect(out.contentType).toBe('image/gif');
    expect(seen[0]?.authorization).toBe('Bearer tok');
  });

  it('sends no token to a CDN URL', async () => {
    const seen: Array<Record<string, string>> = [];
    await fetchMediaBytes({ url: 'https://scontent.xx.fbcdn.net/m', policy, maxBytes: 1000, fetch: respondWith(200, bytes, {}, seen) });
    expect(seen[0]).not.toHaveProperty('authorization');
  });

  it('sends no token to a CDN host even when one is given: only Graph and lookaside.fbsbx.com get it', async () => {
    const seen: Array<Record<string, string>> = [];
    await fetchMediaBytes({ url: 'https://scontent.xx.fbcdn.net/m', policy, accessToken: 'tok', maxBytes: 1000, fetch: respondWith(200, bytes, {}, seen) });
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toHaveProperty('authorization');
  });

  it('requests nothing when the first URL is not allowed', async () => {
    const seen: Array<Record<string, string>> = [];
    const refusal = await fetchMediaBytes({
      url: 'https://evil.example/m',
      policy,
      accessToken: 'tok',
      maxBytes: 1000,
      fetch: respondWith(200, bytes, {}, seen),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(MediaRefusal);
    expect((refusal as MediaRefusal).reason).toBe('url_host_not_allowed');
    expect(seen).toEqual([]);
  });

  it('refuses a declared size above the cap without reading the body', async () => {
    const pulled = { count: 0 };
    const failure = await failureOf(
      fetchMediaBytes({
        url: 'https://lookaside.fbsbx.com/m',
        policy,
        maxBytes: 10,
        fetch: respondWith(200, endlessBody(bytes, pulled), { 'content-length': '5000' }),
      }),
    );
    expect([failure.kind, failure.reason]).toEqual(['permanent', 'too_large']);
    expect(pulled.count).toBeLessThanOrEqual(1);
  });

  it('stops reading an undeclared body once it passes the cap', async () => {
    const pulled = { count: 0 };
    const failure = await failureOf(
      fetchMediaBytes({ url: 'https://lookaside.fbsbx.com/m', policy, maxBytes: 100, fetch: respondWith(200, endlessBody(bytes, pulled)) }),
    );
    expect([failure.kind, failure.reason]).toEqual(['permanent', 'too_large']);
    expect(pulled.count).toBeLessThan(20);
  });

  it('takes a refused WhatsApp URL for an expired one', async () => {
    for (const status of [401, 403, 404, 410]) {
      const failure = await failureOf(
        fetchMediaBytes({ url: 'https://lookaside.fbsbx.com/m', policy, accessToken: 't', maxBytes: 10, fetch: respondWith(status, 'no') }),
      );
      expect({ status, kind: failure.kind }).toEqual({ status, kind: 'expired_url' });
    }
  });

  it('calls a refused CDN URL permanent and a server error retryable', async () => {
    const refused = await failureOf(fetchMediaBytes({ url: 'https://scontent.xx.fbcdn.net/m', policy, maxBytes: 10, fetch: respondWith(403, 'no') }));
    expect([refused.kind, refused.reason, refused.httpStatus]).toEqual(['permanent', 'download_refused', 403]);
    for (const status of [500, 502, 429]) {
      const failure = await failureOf(
        fetchMediaBytes({ url: 'https://scontent.xx.fbcdn.net/m', policy, accessToken: 't', maxBytes: 10, fetch: respondWith(status, 'busy') }),
      );
      expect({ status, kind: failure.kind }).toEqual({ status, kind: 'retryable' });
    }
  });

  it('retries a connection that fails or breaks off', async () => {
    const refused = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    expect((await failureOf(fetchMediaBytes({ url: 'https://lookaside.fbsbx.com/m', policy, maxBytes: 10, fetch: refused }))).kind).toBe('retryable');
    const broken = new ReadableStream({
      start(controller) {
        controller.enqueue(new Uint8Array([1, 2]));
        controller.error(new Error('socket hang up'));
      },
    });
    const failure = await failureOf(fetchMediaBytes({ url: 'https://lookaside.fbsbx.com/m', policy, maxBytes: 100, fetch: respondWith(200, broken) }));
    expect([failure.kind, failure.reason]).toEqual(['retryable', 'network_error']);
  });
});
