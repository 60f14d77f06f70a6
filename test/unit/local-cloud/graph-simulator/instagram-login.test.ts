import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMetaBody } from '#lambdas/ingress/verify-signature';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { startGraphSimulator, type GraphSimulator } from '#lib/local-cloud/graph-simulator/index';
import { APP_SECRET, ManualClock } from '#test/unit/local-cloud/graph-simulator/sim-test-kit';

const INSTAGRAM_APP = { appId: '910000000000001', appSecret: 'instagram-app-secret' };
const REDIRECT = 'https://shop.example/instagram';
const clock = new ManualClock();
let sim: GraphSimulator;
let receiver: Server;
const received: Array<{ signature: string | undefined; body: string }> = [];

beforeAll(async () => {
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ signature: req.headers['x-hub-signature-256'] as string | undefined, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200).end('EVENT_RECEIVED');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  sim = await startGraphSimulator({
    port: 0,
    webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook`,
    appSecret: APP_SECRET,
    instagramApp: INSTAGRAM_APP,
    clock: clock.now,
    statusDelaysMs: { sent: 5, delivered: 5, read: false },
  });
});
afterAll(async () => {
  await sim.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

async function call(method: 'GET' | 'POST', url: string, init: { token?: string; form?: Record<string, string>; json?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  } else if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  return { status: response.status, json: (await response.json()) as any };
}

async function control(method: 'GET' | 'POST', path: string, body?: unknown) {
  return call(method, `${sim.url}/_sim/onboarding/${path}`, body === undefined ? {} : { json: body });
}

/** A business through the whole login: code → short-lived → long-lived token. */
async function loggedIn() {
  const prospect = (await control('POST', 'instagram-login', { redirectUri: REDIRECT })).json as { code: string; instagramAccountId: string; username: string };
  const short = await call('POST', `${sim.instagramOAuthUrl}/oauth/access_token`, {
    form: {
      client_id: INSTAGRAM_APP.appId,
      client_secret: INSTAGRAM_APP.appSecret,
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
      code: prospect.code,
    },
  });
  const long = await call(
    'GET',
    `${sim.instagramGraphUrl}/access_token?${new URLSearchParams({ grant_type: 'ig_exchange_token', client_secret: INSTAGRAM_APP.appSecret, access_token: short.json.access_token })}`,
  );
  return { ...prospect, short: short.json, long: long.json as { access_token: string; expires_in: number } };
}

describe('the Graph simulator plays Instagram Login', () => {
  it('exchanges a code once, on api.instagram.com, for the app it was given and the redirect URI the login used', async () => {
    const prospect = (await control('POST', 'instagram-login', { redirectUri: REDIRECT })).json;
    const exchange = (form: Partial<Record<string, string>>) =>
      call('POST', `${sim.instagramOAuthUrl}/oauth/access_token`, {
        form: {
          client_id: INSTAGRAM_APP.appId,
          client_secret: INSTAGRAM_APP.appSecret,
          grant_type: 'authorization_code',
          redirect_uri: REDIRECT,
          code: prospect.code,
          ...form,
        } as Record<string, string>,
      });
    expect((await exchange({ client_secret: 'the-meta-app-secret' })).json).toEqual({
      error_type: 'OAuthException',
      code: 400,
      error_message: 'Error validating client secret',
    });
    expect((await exchange({ redirect_uri: 'https://elsewhere.example/' })).json.error_message).toMatch(/redirect_uri/);
    const first = await exchange({});
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      access_token: expect.stringMatching(/^IGAA/),
      permissions: 'instagram_business_basic,instagram_business_manage_messages',
    });
    // The exchange names the app-scoped id; the professional id comes from /me.
    expect(first.json.user_id).not.toBe(prospect.instagramAccountId);
    expect((await exchange({})).json.error_message).toBe('This authorization code has been used');
    // The form is recorded without the secret and the code.
    const recorded = sim
      .outbox()
      .filter((e) => e.host === 'api.instagram.com')
      .at(-1)!;
    expect(recorded.body).toMatchObject({ client_secret: '[redacted]', code: '[redacted]', client_id: INSTAGRAM_APP.appId });
  });

  it('gives a 60-day token, the account behind it, and refreshes it only once it is a day old', async () => {
    const account = await loggedIn();
    expect(account.long.expires_in).toBe(5_184_000);
    const me = await call('GET', `${sim.instagramGraphUrl}/${GRAPH_API_VERSION}/me?fields=user_id,username`, { token: account.long.access_token });
    expect(me.json).toEqual({ id: expect.any(String), user_id: account.instagramAccountId, username: account.username });

    const refresh = () => call('GET', `${sim.instagramGraphUrl}/refresh_access_token?grant_type=ig_refresh_token&access_token=${account.long.access_token}`);
    expect((await refresh()).json.error).toMatchObject({ code: 100, message: expect.stringContaining('24 hours') });
    clock.advance(25 * 3_600_000);
    const renewed = await refresh();
    expect(renewed.json).toMatchObject({ access_token: expect.stringMatching(/^IGAA/), token_type: 'bearer', expires_in: 5_184_000 });
    expect(renewed.json.access_token).not.toBe(account.long.access_token);
    // Revoked (the person removed the app), every token of the account is refused.
    await control('POST', `instagram-login/${account.instagramAccountId}`, { revoked: true });
    expect((await call('GET', `${sim.instagramGraphUrl}/${GRAPH_API_VERSION}/me`, { token: renewed.json.access_token })).json.error.code).toBe(190);
  });

  it('subscribes the account, sends its messages on graph.instagram.com, and signs its webhooks with the Instagram app secret', async () => {
    const account = await loggedIn();
    const token = account.long.access_token;
    expect(
      (await call('POST', `${sim.instagramGraphUrl}/${GRAPH_API_VERSION}/me/subscribed_apps?subscribed_fields=messages,messaging_seen`, { token })).json,
    ).toEqual({ success: true });
    expect((await call('GET', `${sim.instagramGraphUrl}/${GRAPH_API_VERSION}/me/subscribed_apps`, { token })).json).toEqual({
      data: [{ subscribed_fields: ['messages', 'messaging_seen'] }],
    });

    received.length = 0;
    const customer = '6100000000000042';
    const says = await call('POST', `${sim.url}/_sim/customer/messages`, {
      json: { channel: 'instagram', accountId: account.instagramAccountId, customerId: customer, text: 'oi' },
    });
    expect(says.json.webhookStatus).toBe(200);
    const [webhook] = received;
    expect(JSON.parse(webhook!.body)).toMatchObject({
      object: 'instagram',
      entry: [
        { id: account.instagramAccountId, messaging: [{ sender: { id: customer }, recipient: { id: account.instagramAccountId }, message: { text: 'oi' } }] },
      ],
    });
    expect(webhook!.signature).toBe(signMetaBody(webhook!.body, INSTAGRAM_APP.appSecret));

    const reply = { recipient: { id: customer }, message: { text: 'Temos sim!' } };
    const sent = await call('POST', `${sim.instagramGraphUrl}/${GRAPH_API_VERSION}/${account.instagramAccountId}/messages`, { token, json: reply });
    expect(sent.json).toEqual({ recipient_id: customer, message_id: expect.any(String) });
    const entry = sim.outbox().at(-1)!;
    expect(entry).toMatchObject({
      host: 'graph.instagram.com',
      path: `/graph.instagram.com/${GRAPH_API_VERSION}/${account.instagramAccountId}/messages`,
      status: 200,
      channel: 'instagram',
      accountId: account.instagramAccountId,
    });
    expect(sim.customer.messagesFrom('instagram', customer).map((m) => m.body)).toEqual([reply]);

    // Not on graph.facebook.com: it cannot parse an Instagram user token, and the account has no Page there.
    expect((await call('POST', `${sim.url}/${GRAPH_API_VERSION}/${account.instagramAccountId}/messages`, { token, json: reply })).json.error.code).toBe(190);
    expect(
      (await call('POST', `${sim.url}/${GRAPH_API_VERSION}/${account.instagramAccountId}/messages`, { token: 'EAAsome-page-token', json: reply })).json.error,
    ).toMatchObject({ code: 100, error_subcode: 33 });
    // Nor for another account with this token.
    expect((await call('POST', `${sim.instagramGraphUrl}/${GRAPH_API_VERSION}/17841400000000001/messages`, { token, json: reply })).json.error).toMatchObject({
      code: 100,
      error_subcode: 33,
    });
  });

  it('ages tokens on request, so a refresh job can be tried without waiting days', async () => {
    const account = await loggedIn();
    expect((await control('POST', `instagram-login/${account.instagramAccountId}`, { ageHours: 'many' })).status).toBe(400);
    await control('POST', `instagram-login/${account.instagramAccountId}`, { ageHours: 51 * 24 });
    const renewed = await call('GET', `${sim.instagramGraphUrl}/refresh_access_token?grant_type=ig_refresh_token&access_token=${account.long.access_token}`);
    expect(renewed.status).toBe(200);
    const stats = (await control('GET', 'stats')).json;
    expect(stats.instagramLogin.refreshes).toBeGreaterThanOrEqual(1);
  });
});
