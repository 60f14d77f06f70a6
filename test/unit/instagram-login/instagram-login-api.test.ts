import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GraphApiError } from '#lambdas/adapters/graph-api-client';
import { createInstagramLoginApi, type InstagramLoginApi } from '#lambdas/instagram-login/instagram-login-api';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body: string;
}

let server: Server;
let base = '';
let seen: Seen[] = [];
let answer: (req: IncomingMessage) => { status: number; body: unknown } = () => ({ status: 200, body: {} });

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      body: Buffer.concat(chunks).toString('utf8'),
    });
    const out = answer(req);
    res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let api: InstagramLoginApi;
beforeEach(() => {
  seen = [];
  api = createInstagramLoginApi({ graphBaseUrl: `${base}/graph/`, oauthBaseUrl: `${base}/oauth`, version: GRAPH_API_VERSION });
});

describe('the Instagram Login client', () => {
  it('exchanges the code with a form POST to the OAuth host, and reads both answer shapes Meta documents', async () => {
    answer = () => ({
      status: 200,
      body: { access_token: 'IGAAshort', user_id: 27100000001, permissions: 'instagram_business_basic,instagram_business_manage_messages' },
    });
    const flat = await api.exchangeCode({ appId: '910', appSecret: 's3cret', code: 'AQ#code', redirectUri: 'https://shop.example/ig' });
    expect(flat).toEqual({ accessToken: 'IGAAshort', userId: '27100000001', permissions: ['instagram_business_basic', 'instagram_business_manage_messages'] });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/oauth/oauth/access_token', contentType: 'application/x-www-form-urlencoded' });
    expect(Object.fromEntries(new URLSearchParams(seen[0]!.body))).toEqual({
      client_id: '910',
      client_secret: 's3cret',
      grant_type: 'authorization_code',
      redirect_uri: 'https://shop.example/ig',
      code: 'AQ#code',
    });

    answer = () => ({ status: 200, body: { data: [{ access_token: 'IGAAshort2', user_id: '27100000002', permissions: ['instagram_business_basic'] }] } });
    expect(await api.exchangeCode({ appId: '910', appSecret: 's', code: 'c', redirectUri: 'https://x.example/' })).toEqual({
      accessToken: 'IGAAshort2',
      userId: '27100000002',
      permissions: ['instagram_business_basic'],
    });
  });

  it("turns api.instagram.com's own error shape into a Graph error that is not retried", async () => {
    answer = () => ({ status: 400, body: { error_type: 'OAuthException', code: 400, error_message: 'This authorization code has been used' } });
    const err = await api.exchangeCode({ appId: '910', appSecret: 's', code: 'used', redirectUri: 'https://x.example/' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphApiError);
    expect(err).toMatchObject({ message: 'This authorization code has been used', httpStatus: 400, type: 'OAuthException', classification: 'permanent' });
  });

  it('asks graph.instagram.com for the long-lived token and its refresh with the query Meta requires', async () => {
    answer = () => ({ status: 200, body: { access_token: 'IGAAlong', token_type: 'bearer', expires_in: 5_183_944 } });
    expect(await api.exchangeForLongLived({ appSecret: 's3cret', shortLivedToken: 'IGAAshort' })).toEqual({
      accessToken: 'IGAAlong',
      expiresInSeconds: 5_183_944,
    });
    expect(await api.refresh('IGAAlong')).toEqual({ accessToken: 'IGAAlong', expiresInSeconds: 5_183_944 });
    const [exchange, refresh] = seen.map((s) => new URL(s.url, base));
    expect(exchange!.pathname).toBe('/graph/access_token');
    expect(Object.fromEntries(exchange!.searchParams)).toEqual({ grant_type: 'ig_exchange_token', client_secret: 's3cret', access_token: 'IGAAshort' });
    expect(refresh!.pathname).toBe('/graph/refresh_access_token');
    expect(Object.fromEntries(refresh!.searchParams)).toEqual({ grant_type: 'ig_refresh_token', access_token: 'IGAAlong' });
  });

  it('reads the account and subscribes it with the token in the Authorization header, never in the URL', async () => {
    answer = (req) =>
      req.url?.includes('subscribed_apps')
        ? { status: 200, body: req.method === 'POST' ? { success: true } : { data: [{ subscribed_fields: ['messages', 'messaging_seen'] }] } }
        : { status: 200, body: { user_id: '17842000000001', username: 'loja.nova', id: '27100000001' } };
    expect(await api.me('IGAAlong', ['user_id', 'username'])).toEqual({ id: '27100000001', userId: '17842000000001', username: 'loja.nova' });
    await api.subscribe('IGAAlong', ['messages', 'messaging_seen']);
    expect(await api.subscriptions('IGAAlong')).toEqual(['messages', 'messaging_seen']);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      `GET /graph/${GRAPH_API_VERSION}/me?fields=user_id%2Cusername`,
      `POST /graph/${GRAPH_API_VERSION}/me/subscribed_apps?subscribed_fields=messages%2Cmessaging_seen`,
      `GET /graph/${GRAPH_API_VERSION}/me/subscribed_apps`,
    ]);
    for (const s of seen) {
      expect(s.authorization).toBe('Bearer IGAAlong');
      expect(s.url).not.toContain('IGAAlong');
    }
  });

  it('refuses answers that are not what Meta documents, without echoing them', async () => {
    answer = () => ({ status: 200, body: { access_token: '', expires_in: 5 } });
    const err = await api.refresh('IGAAlong').catch((e: unknown) => e as GraphApiError);
    expect(err).toBeInstanceOf(GraphApiError);
    expect((err as GraphApiError).message).toBe('unexpected answer from Meta to the token refresh');
    answer = () => ({ status: 200, body: { success: false } });
    await expect(api.subscribe('IGAAlong', ['messages'])).rejects.toThrow('did not confirm');
    answer = () => ({ status: 200, body: { user_id: '../../etc', username: 'x' } });
    await expect(api.me('IGAAlong', ['user_id'])).rejects.toThrow('unexpected answer');
  });

  it('classifies a refused token (190) as auth and Meta being down as retryable', async () => {
    answer = () => ({
      status: 400,
      body: { error: { message: 'Error validating access token: Session has expired', type: 'OAuthException', code: 190, fbtrace_id: 'A1' } },
    });
    expect(await api.refresh('IGAAold').catch((e: unknown) => (e as GraphApiError).classification)).toBe('auth');
    answer = () => ({ status: 503, body: {} });
    expect(await api.refresh('IGAAold').catch((e: unknown) => (e as GraphApiError).classification)).toBe('retryable');
  });
});
