import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchMediaBytes, MAX_REDIRECTS } from '#lambdas/media/fetch-media-bytes';
import { MediaRefusal } from '#lambdas/media/media-errors';
import { mediaUrlPolicy } from '#lambdas/media/media-url-policy';
import { startRecordingHttpServer, type RecordingHttpServer } from '#test/helpers/recording-http-server';

let other: RecordingHttpServer;
let graph: RecordingHttpServer;

beforeAll(async () => {
  // The host a redirect must never reach: another origin than the configured Graph API.
  other = await startRecordingHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end('stolen'));
  // Stands for the configured Graph origin (the local cloud's simulator in the local cloud).
  graph = await startRecordingHttpServer((req, res) => {
    const path = req.url ?? '';
    if (path === '/to-other') res.writeHead(302, { location: `${other.url}/file` }).end();
    else if (path === '/to-evil') res.writeHead(301, { location: 'https://evil.example/file' }).end();
    else if (path === '/to-userinfo') res.writeHead(307, { location: `https://lookaside.fbsbx.com@127.0.0.1:${new URL(other.url).port}/file` }).end();
    else if (path === '/to-final') res.writeHead(302, { location: '/final' }).end();
    else if (path === '/loop') res.writeHead(302, { location: '/loop' }).end();
    else if (path === '/final') res.writeHead(200, { 'content-type': 'image/png' }).end('the picture');
    else res.writeHead(404).end();
  });
});
afterAll(async () => {
  await other?.close();
  await graph?.close();
});
beforeEach(() => {
  other.requests.length = 0;
  graph.requests.length = 0;
});

async function refusalOf(promise: Promise<unknown>): Promise<MediaRefusal> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MediaRefusal);
  return error as MediaRefusal;
}

describe('redirects while downloading media', () => {
  it('never requests a redirect target on a host that is not allowed', async () => {
    const policy = mediaUrlPolicy(graph.url);
    const refusal = await refusalOf(fetchMediaBytes({ url: `${graph.url}/to-other`, policy, accessToken: 'secret-token', maxBytes: 1000 }));
    expect(refusal.reason).toBe('url_not_https');
    expect(graph.requests).toEqual([{ method: 'GET', path: '/to-other', authorization: 'Bearer secret-token' }]);
    expect(other.requests).toEqual([]);
  });

  it('refuses an https redirect to a host off the list, and one hiding a host behind userinfo', async () => {
    const policy = mediaUrlPolicy(graph.url);
    expect((await refusalOf(fetchMediaBytes({ url: `${graph.url}/to-evil`, policy, maxBytes: 1000 }))).reason).toBe('url_host_not_allowed');
    expect((await refusalOf(fetchMediaBytes({ url: `${graph.url}/to-userinfo`, policy, maxBytes: 1000 }))).reason).toBe('url_has_credentials');
    expect(other.requests).toEqual([]);
  });

  it('follows a redirect that stays on an allowed origin', async () => {
    const policy = mediaUrlPolicy(graph.url);
    const download = await fetchMediaBytes({ url: `${graph.url}/to-final`, policy, accessToken: 'secret-token', maxBytes: 1000 });
    expect(download.bytes.toString()).toBe('the picture');
    expect(graph.requests.map((r) => r.path)).toEqual(['/to-final', '/final']);
  });

  it('gives up after a bounded number of hops', async () => {
    const policy = mediaUrlPolicy(graph.url);
    expect((await refusalOf(fetchMediaBytes({ url: `${graph.url}/loop`, policy, maxBytes: 1000 }))).reason).toBe('too_many_redirects');
    expect(graph.requests).toHaveLength(MAX_REDIRECTS + 1);
  });

  it('refuses the start URL itself when the Graph origin is another one', async () => {
    const policy = mediaUrlPolicy('https://graph.facebook.com');
    expect((await refusalOf(fetchMediaBytes({ url: `${graph.url}/final`, policy, accessToken: 'secret-token', maxBytes: 1000 }))).reason).toBe('url_not_https');
    expect(graph.requests).toEqual([]);
  });
});
