import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '#lib/local-cloud/graph-simulator/index';
import { readConformanceJson } from '#test/helpers/conformance';
import { CUSTOMER_WA_ID, customerSays, graphPost, ManualClock, shapeOf, simGet, WA_PATH, waText, jsonOf } from './sim-test-kit';

describe('Graph simulator: control API and media', () => {
  let sim: GraphSimulator;
  const clock = new ManualClock();

  beforeAll(async () => {
    sim = await startGraphSimulator({ port: 0, clock: clock.now, statusDelaysMs: { sent: 1, delivered: 1, read: 1 } });
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.reset();
  });

  it('lists every Graph request, oldest first, with what was answered', async () => {
    const accepted = await graphPost(sim, WA_PATH, waText('first'));
    clock.advance(10);
    const refused = await graphPost(sim, WA_PATH, waText('second'), null);
    clock.advance(10);
    await fetch(`${sim.url}/v23.0/nothing-here?access_token=t`);

    const outbox = await jsonOf(await fetch(`${sim.url}/_sim/outbox`));

    expect(outbox).toEqual([
      expect.objectContaining({ method: 'POST', path: WA_PATH, body: waText('first'), status: 200, response: accepted.json }),
      expect.objectContaining({ method: 'POST', path: WA_PATH, body: waText('second'), status: 401, response: refused.json }),
      expect.objectContaining({ method: 'GET', path: '/v23.0/nothing-here', status: 400 }),
    ]);
    expect(outbox.map((e: { receivedAt: string }) => Date.parse(e.receivedAt))).toEqual([clock.ms - 20, clock.ms - 10, clock.ms]);
    expect(outbox[2].body).toBeUndefined();
  });

  it('lists the business messages of one conversation, after a given time, for the chat', async () => {
    await graphPost(sim, WA_PATH, waText('old'));
    const cutoff = new Date(clock.ms).toISOString();
    clock.advance(1_000);
    await graphPost(sim, WA_PATH, waText('new'));
    await graphPost(sim, WA_PATH, waText('to someone else', '15550001234'));
    await graphPost(sim, WA_PATH, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.x' });

    const all = await jsonOf(await fetch(`${sim.url}/_sim/conversations/whatsapp/${CUSTOMER_WA_ID}/messages`));
    const recent = await jsonOf(await fetch(`${sim.url}/_sim/conversations/whatsapp/${CUSTOMER_WA_ID}/messages?after=${cutoff}`));
    const badTime = await fetch(`${sim.url}/_sim/conversations/whatsapp/${CUSTOMER_WA_ID}/messages?after=yesterday`);

    expect(all.map((m: { body: { text: { body: string } } }) => m.body.text.body)).toEqual(['old', 'new']);
    expect(recent).toEqual([expect.objectContaining({ channel: 'whatsapp', customerId: CUSTOMER_WA_ID, accountId: '100000000000001', body: waText('new') })]);
    expect(recent[0].id).toMatch(/^wamid\./);
    expect(badTime.status).toBe(400);
    expect(sim.customer.messagesFrom('whatsapp').map((m) => m.id)).toEqual(all.map((m: { id: string }) => m.id));
  });

  it('forgets everything on reset, including the customer service windows', async () => {
    await customerSays(sim, { channel: 'whatsapp', text: 'hi' });
    await graphPost(sim, WA_PATH, waText('hello'));
    const reset = await fetch(`${sim.url}/_sim/reset`, { method: 'POST' });

    expect(await jsonOf(reset)).toEqual({ success: true });
    expect(await jsonOf(await fetch(`${sim.url}/_sim/outbox`))).toEqual([]);
    expect(await jsonOf(await fetch(`${sim.url}/_sim/webhooks`))).toEqual([]);
  });

  it('waits for pending statuses on GET /_sim/idle', async () => {
    await graphPost(sim, WA_PATH, waText('hello'));
    const idle = await fetch(`${sim.url}/_sim/idle`);

    expect(idle.status).toBe(200);
    expect(sim.webhooks().map((w) => (w.payload as any).entry[0].changes[0].value.statuses[0].status)).toEqual(['sent', 'delivered', 'read']);
  });

  it('serves registered media: the URL object, then the bytes with a token', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    sim.registerMedia({ id: '1227829768162607', mimeType: 'image/png', bytes: png });

    const lookup = await simGet(sim, '/v23.0/1227829768162607');
    expect(lookup.status).toBe(200);
    expect(lookup.json).toMatchObject({ id: '1227829768162607', mime_type: 'image/png', file_size: png.length, messaging_product: 'whatsapp' });
    expect(shapeOf(lookup.json)).toEqual(shapeOf(readConformanceJson('graph-api', 'bindambc-media-url-response.json')));
    expect(lookup.json.url.startsWith(sim.url)).toBe(true);

    const withToken = await fetch(lookup.json.url, { headers: { authorization: 'Bearer t' } });
    const withoutToken = await fetch(lookup.json.url);
    expect(withToken.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await withToken.arrayBuffer())).toEqual(png);
    expect(withoutToken.status).toBe(401);
  });

  it('registers media through the control API too', async () => {
    const registered = await fetch(`${sim.url}/_sim/media`, {
      method: 'POST',
      body: JSON.stringify({ mimeType: 'application/pdf', base64: Buffer.from('%PDF').toString('base64') }),
    });
    const { id } = await jsonOf(registered);
    const lookup = await simGet(sim, `/v23.0/${id}`);

    expect(lookup.json.mime_type).toBe('application/pdf');
  });

  it('answers an unknown media id like an unknown Graph object, and needs a token to look up media', async () => {
    const unknown = await simGet(sim, '/v23.0/404404404');
    const noToken = await simGet(sim, '/v23.0/404404404', null);

    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ code: 100, error_subcode: 33 });
    expect(shapeOf(unknown.json)).toEqual(shapeOf(readConformanceJson('graph-api', 'bindambc-error-100-subcode-33.json')));
    expect(noToken.status).toBe(401);
  });

  it('answers an unknown Graph path with a Graph error and an unknown control path with 404', async () => {
    const graph = await graphPost(sim, '/v23.0/100000000000001/subscribed_apps', {});
    const control = await fetch(`${sim.url}/_sim/nothing`);

    expect(graph.status).toBe(400);
    expect(graph.json.error.code).toBe(2500);
    expect(control.status).toBe(404);
  });
});
