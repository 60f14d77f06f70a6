import { afterEach, describe, expect, it } from 'vitest';
import { type GraphSimulator, startGraphSimulator } from '#lib/local-cloud/graph-simulator/index';

let sim: GraphSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function post(path: string, body: unknown) {
  const res = await fetch(`${sim!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer local-access-token' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const whatsappText = {
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: '972544401243',
  type: 'text',
  text: { body: 'hi', preview_url: false },
};

describe('Graph simulator with unknown business accounts', () => {
  it("answers Meta's unknown-object error by default", async () => {
    sim = await startGraphSimulator({ port: 0 });
    const res = await post('/v23.0/277321005464405/messages', whatsappText);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 100, error_subcode: 33 });
  });

  it('adopts an unknown WhatsApp number, Instagram account or Page when told to', async () => {
    sim = await startGraphSimulator({ port: 0, adoptUnknownAccounts: true, statusDelaysMs: { sent: 5, delivered: 5, read: false } });
    const wa = await post('/v23.0/277321005464405/messages', whatsappText);
    expect(wa.status).toBe(200);
    expect(wa.body.messages[0].id).toMatch(/^wamid\./);
    const ig = await post('/v23.0/17841499999999999/messages', { recipient: { id: '6100000000000999' }, message: { text: 'hi' } });
    expect(ig.status).toBe(200);
    expect(ig.body).toMatchObject({ recipient_id: '6100000000000999' });
    const page = await post('/v23.0/123456789012345/messages', { recipient: { id: '7100000000000999' }, messaging_type: 'RESPONSE', message: { text: 'hi' } });
    expect(page.status).toBe(200);
    const channels = sim.outbox().map((e) => (e as { channel?: string }).channel);
    expect(channels).toEqual(['whatsapp', 'instagram', 'messenger']);
  });
});
