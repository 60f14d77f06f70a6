import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_WHATSAPP_NUMBER, startGraphSimulator, type GraphSimulator } from '#lib/local-cloud/graph-simulator/index';

let sim: GraphSimulator;
beforeAll(async () => {
  sim = await startGraphSimulator({ port: 0, accessTokens: ['local-access-token'] });
});
afterAll(async () => {
  await sim?.close();
});

async function call(method: 'GET' | 'POST', path: string, opts: { token?: string; body?: unknown; query?: Record<string, string> } = {}) {
  const url = new URL(path.startsWith('http') ? path : `${sim.url}${path}`);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const exchange = async (code: string) =>
  (await call('GET', '/v23.0/oauth/access_token', { query: { client_id: '900', client_secret: 's', code } })).body.access_token as string;
const prospect = async (body: Record<string, unknown> = {}) =>
  (await call('POST', '/_sim/onboarding/whatsapp', { body })).body as { code: string; wabaId: string; phoneNumberId: string };
const UNKNOWN_OBJECT = { code: 100, error_subcode: 33, type: 'GraphMethodException' };

describe('Graph simulator: what an onboarding token may read', () => {
  it('answers GET /{waba-id} and its phone_numbers for the token its code granted, and code 100/33 to any other', async () => {
    const a = await prospect();
    const b = await prospect();
    const aToken = await exchange(a.code);
    const bToken = await exchange(b.code);

    const waba = await call('GET', `/v23.0/${a.wabaId}`, { token: aToken, query: { fields: 'id,name' } });
    expect(waba).toEqual({ status: 200, body: { id: a.wabaId, name: expect.any(String) } });
    expect((await call('GET', `/v23.0/${a.wabaId}/phone_numbers`, { token: aToken, query: { fields: 'id' } })).body.data).toEqual([{ id: a.phoneNumberId }]);

    for (const token of [bToken, 'local-access-token']) {
      const refused = await call('GET', `/v23.0/${a.wabaId}`, { token });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({
        ...UNKNOWN_OBJECT,
        message: expect.stringContaining(`Object with ID '${a.wabaId}' does not exist, cannot be loaded due to missing permissions`),
      });
      expect((await call('GET', `/v23.0/${a.wabaId}/phone_numbers`, { token })).body.error).toMatchObject(UNKNOWN_OBJECT);
    }
    expect((await call('GET', `/v23.0/${a.wabaId}`, { token: 'not-a-token' })).status).toBe(401);

    // A code for A's WABA given to another business (a shared WABA) reads it too.
    const shared = (await call('POST', '/_sim/onboarding/codes', { body: { ownerId: a.wabaId } })).body.code as string;
    expect((await call('GET', `/v23.0/${a.wabaId}`, { token: await exchange(shared) })).status).toBe(200);
  });

  it("pages a WABA's numbers with limit and after, naming the next page while there is one", async () => {
    const first = await prospect();
    const more = [await prospect({ wabaId: first.wabaId }), await prospect({ wabaId: first.wabaId })];
    expect((await call('POST', '/_sim/onboarding/whatsapp', { body: { wabaId: '999' } })).status).toBe(404);
    const token = await exchange(first.code);

    const page1 = (await call('GET', `/v23.0/${first.wabaId}/phone_numbers`, { token, query: { fields: 'id', limit: '2' } })).body;
    expect(page1.data).toEqual([{ id: first.phoneNumberId }, { id: more[0]!.phoneNumberId }]);
    expect(page1.paging.next).toEqual(expect.stringContaining(`after=${page1.paging.cursors.after}`));
    const page2 = (await call('GET', page1.paging.next as string, { token })).body;
    expect(page2.data).toEqual([{ id: more[1]!.phoneNumberId }]);
    expect(page2.paging.next).toBeUndefined();
  });

  it("lets only the one who logged in for a Page read it, and hides the local cloud's own WABAs from onboarding tokens", async () => {
    const a = (await call('POST', '/_sim/onboarding/instagram', { body: {} })).body as { code: string; pageId: string };
    const b = (await call('POST', '/_sim/onboarding/instagram', { body: {} })).body as { code: string; pageId: string };
    const aUser = await exchange(a.code);
    const bUser = await exchange(b.code);
    const page = (await call('GET', `/v23.0/${a.pageId}`, { token: aUser, query: { fields: 'id,access_token' } })).body;
    expect(page.id).toBe(a.pageId);
    expect((await call('GET', `/v23.0/${a.pageId}`, { token: page.access_token, query: { fields: 'id' } })).body).toEqual({ id: a.pageId });
    expect((await call('GET', `/v23.0/${a.pageId}`, { token: bUser })).body.error).toMatchObject(UNKNOWN_OBJECT);

    const w = await prospect();
    const waToken = await exchange(w.code);
    const configured = LOCAL_WHATSAPP_NUMBER.wabaId;
    expect((await call('GET', `/v23.0/${configured}`, { token: waToken })).body.error).toMatchObject(UNKNOWN_OBJECT);
    expect((await call('GET', `/v23.0/${configured}/phone_numbers`, { token: waToken })).body.error).toMatchObject(UNKNOWN_OBJECT);
    expect((await call('GET', `/v23.0/${configured}/message_templates`, { token: waToken })).body.error).toMatchObject(UNKNOWN_OBJECT);
  });
});
