import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from '#lib/local-cloud/graph-simulator/index';
import { MEDIA_URL_LIFETIME_MS } from '#lib/local-cloud/graph-simulator/media-store';

let sim: GraphSimulator;
let now = Date.parse('2026-11-21T12:00:00.000Z');

beforeAll(async () => {
  sim = await startGraphSimulator({ port: 0, accessTokens: ['good-token'], clock: () => now });
});
afterAll(async () => sim?.close());
beforeEach(() => {
  sim.reset();
  now = Date.parse('2026-11-21T12:00:00.000Z');
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function lookUp(id: string, token = 'good-token') {
  const res = await fetch(`${sim.url}/v23.0/${id}?phone_number_id=100000000000001`, { headers: bearer(token) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

describe('Graph simulator: media URLs as Meta hands them out', () => {
  it('serves the bytes with the token until five minutes after the URL was issued', async () => {
    const media = sim.registerMedia({ mimeType: 'audio/ogg', bytes: Buffer.from('OggS voice note') });
    const { json } = await lookUp(media.id);
    expect(new URL(json.url).searchParams.get('ext')).toBe(String((now + MEDIA_URL_LIFETIME_MS) / 1000));

    now += MEDIA_URL_LIFETIME_MS - 1000;
    const inTime = await fetch(json.url, { headers: bearer('good-token') });
    expect(inTime.status).toBe(200);
    expect(Buffer.from(await inTime.arrayBuffer()).toString()).toBe('OggS voice note');

    now += 1000;
    const late = await fetch(json.url, { headers: bearer('good-token') });
    expect(late.status).toBe(404);

    // A fresh look-up gives a URL that works again.
    const again = await lookUp(media.id);
    expect((await fetch(again.json.url, { headers: bearer('good-token') })).status).toBe(200);
  });

  it('refuses a URL whose expiry was edited, and downloads without a valid token', async () => {
    const media = sim.registerMedia({ mimeType: 'image/jpeg', bytes: Buffer.from('jpeg') });
    const { json } = await lookUp(media.id);
    const stretched = new URL(json.url);
    stretched.searchParams.set('ext', String(Number(stretched.searchParams.get('ext')) + 3600));
    expect((await fetch(stretched, { headers: bearer('good-token') })).status).toBe(404);

    const noToken = await fetch(json.url);
    expect(noToken.status).toBe(401);
    const badToken = await fetch(json.url, { headers: bearer('stolen') });
    expect(badToken.status).toBe(401);
    expect(((await badToken.json()) as { error: { code: number } }).error.code).toBe(190);
  });

  it('answers a media id it never issued with Meta error 100/33, and a wrong token with 190', async () => {
    const unknown = await lookUp('123456789012345');
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ code: 100, error_subcode: 33, type: 'GraphMethodException' });
    const media = sim.registerMedia({ mimeType: 'image/png', bytes: Buffer.from('png') });
    const wrongToken = await lookUp(media.id, 'stolen');
    expect(wrongToken.status).toBe(401);
    expect(wrongToken.json.error.code).toBe(190);
  });
});
