import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '#lib/local-cloud/graph-simulator/index';

let sim: GraphSimulator;
beforeAll(async () => {
  sim = await startGraphSimulator({ port: 0, accessTokens: ['local-access-token'] });
});
afterAll(async () => {
  await sim?.close();
});

async function call(method: 'GET' | 'POST', path: string, opts: { token?: string; body?: unknown; query?: Record<string, string> } = {}) {
  const url = new URL(`${sim.url}${path}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const exchange = (code: string) => call('GET', '/v23.0/oauth/access_token', { query: { client_id: '900', client_secret: 's', code } });

describe('Graph simulator: onboarding endpoints', () => {
  it("exchanges a code once, answering a reused or unknown code with Meta's OAuthException", async () => {
    const p = (await call('POST', '/_sim/onboarding/whatsapp', { body: {} })).body;
    const first = await exchange(p.code);
    expect(first).toMatchObject({ status: 200, body: { access_token: expect.stringMatching(/^EAA/), token_type: 'bearer' } });
    expect(await exchange(p.code)).toMatchObject({
      status: 400,
      body: {
        error: { message: 'This authorization code has been used.', type: 'OAuthException', code: 100, error_subcode: 36009, fbtrace_id: expect.any(String) },
      },
    });
    expect((await exchange('AQnot-a-code')).body.error).toMatchObject({ type: 'OAuthException', code: 100 });
    expect((await call('GET', '/v23.0/oauth/access_token', { query: { code: p.code } })).body.error.code).toBe(101);
  });

  it("subscribes the token's app to the WABA and lists it, for that WABA's token only", async () => {
    const p = (await call('POST', '/_sim/onboarding/whatsapp', { body: {} })).body;
    const other = (await call('POST', '/_sim/onboarding/whatsapp', { body: {} })).body;
    const token = (await exchange(p.code)).body.access_token as string;
    const otherToken = (await exchange(other.code)).body.access_token as string;

    expect((await call('GET', `/v23.0/${p.wabaId}/subscribed_apps`, { token })).body).toEqual({ data: [] });
    expect((await call('POST', `/v23.0/${p.wabaId}/subscribed_apps`, { token })).body).toEqual({ success: true });
    expect((await call('GET', `/v23.0/${p.wabaId}/subscribed_apps`, { token })).body.data[0].whatsapp_business_api_data.id).toBe('900');
    expect((await call('POST', `/v23.0/${p.wabaId}/subscribed_apps`, { token: otherToken })).body.error.code).toBe(200);
    expect((await call('POST', `/v23.0/${p.wabaId}/subscribed_apps`, { token: 'local-access-token' })).body.error.code).toBe(200);
    expect((await call('POST', `/v23.0/${p.wabaId}/subscribed_apps`, { token: 'not-a-token' })).status).toBe(401);
    expect((await call('GET', `/v23.0/${p.wabaId}/phone_numbers`, { token })).body.data.map((n: { id: string }) => n.id)).toEqual([p.phoneNumberId]);
  });

  it('registers a number only with its two-step PIN, then serves it as CONNECTED', async () => {
    const p = (await call('POST', '/_sim/onboarding/whatsapp', { body: { twoStepPin: '111111' } })).body;
    const token = (await exchange(p.code)).body.access_token as string;
    const fields = () => call('GET', `/v23.0/${p.phoneNumberId}`, { token, query: { fields: 'status,name_status,throughput' } });
    expect((await fields()).body).toEqual({ id: p.phoneNumberId, status: 'PENDING', name_status: 'APPROVED', throughput: { level: 'STANDARD' } });
    expect(
      (
        await call('POST', `/v23.0/${p.phoneNumberId}/messages`, {
          token,
          body: { messaging_product: 'whatsapp', to: '1555', type: 'text', text: { body: 'x' } },
        })
      ).body.error.code,
    ).toBe(133010);

    const wrong = await call('POST', `/v23.0/${p.phoneNumberId}/register`, { token, body: { messaging_product: 'whatsapp', pin: '222222' } });
    expect(wrong).toMatchObject({
      status: 400,
      body: { error: { code: 133005, error_data: { messaging_product: 'whatsapp', details: 'Two step verification PIN Mismatch' } } },
    });
    expect((await call('POST', `/v23.0/${p.phoneNumberId}/register`, { token, body: { messaging_product: 'whatsapp', pin: '12' } })).body.error.code).toBe(100);
    expect((await call('POST', `/v23.0/${p.phoneNumberId}/register`, { token, body: { messaging_product: 'whatsapp', pin: '111111' } })).body).toEqual({
      success: true,
    });
    expect((await fields()).body.status).toBe('CONNECTED');
    // A registered number takes sends, with its business's token.
    expect(
      (
        await call('POST', `/v23.0/${p.phoneNumberId}/messages`, {
          token,
          body: { messaging_product: 'whatsapp', recipient_type: 'individual', to: '15557654321', type: 'text', text: { body: 'hi' } },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call('POST', `/v23.0/${p.phoneNumberId}/messages`, {
          token: 'local-access-token',
          body: { messaging_product: 'whatsapp', recipient_type: 'individual', to: '15557654321', type: 'text', text: { body: 'hi' } },
        })
      ).body.error,
    ).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it('turns two-step verification off through the control route', async () => {
    const p = (await call('POST', '/_sim/onboarding/whatsapp', { body: { twoStepPin: '333333' } })).body;
    expect((await call('GET', `/_sim/onboarding/numbers/${p.phoneNumberId}`)).body.twoStepVerification).toBe(true);
    expect((await call('POST', `/_sim/onboarding/numbers/${p.phoneNumberId}`, { body: { twoStepPin: null } })).body.twoStepVerification).toBe(false);
  });

  it('hands out the Page token and Instagram account, and subscribes the Page to messaging fields', async () => {
    const p = (await call('POST', '/_sim/onboarding/instagram', { body: { username: 'loja' } })).body;
    const user = (await exchange(p.code)).body.access_token as string;
    const long = (
      await call('GET', '/v23.0/oauth/access_token', {
        query: { client_id: '900', client_secret: 's', grant_type: 'fb_exchange_token', fb_exchange_token: user },
      })
    ).body;
    expect(long.expires_in).toBeGreaterThan(3600);
    const page = (await call('GET', `/v23.0/${p.pageId}`, { token: long.access_token, query: { fields: 'access_token,instagram_business_account' } })).body;
    expect(page.instagram_business_account).toEqual({ id: p.instagramAccountId });
    expect((await call('POST', `/v23.0/${p.pageId}/subscribed_apps`, { token: page.access_token, body: {} })).body.error.code).toBe(100);
    expect(
      (await call('POST', `/v23.0/${p.pageId}/subscribed_apps`, { token: page.access_token, body: { subscribed_fields: 'messages,messaging_postbacks' } }))
        .body,
    ).toEqual({ success: true });
    expect((await call('GET', `/v23.0/${p.pageId}/subscribed_apps`, { token: page.access_token })).body.data[0]).toMatchObject({
      id: '900',
      subscribed_fields: ['messages', 'messaging_postbacks'],
    });
    expect((await call('GET', `/v23.0/${p.instagramAccountId}`, { token: page.access_token, query: { fields: 'username' } })).body).toEqual({
      id: p.instagramAccountId,
      username: 'loja',
    });
  });
});
