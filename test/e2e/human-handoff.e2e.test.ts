import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_INSTAGRAM_ACCOUNT_ID, LOCAL_WHATSAPP_PHONE_NUMBER_ID } from '#lib/local-cloud/graph-simulator/accounts';
import { eventually, LocalCloudHarness, settle } from '#test/e2e/local-cloud-harness';

const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);
let token = '';

beforeAll(async () => {
  await harness.start();
  // An agent of the local business, as signing in to the operators' user pool gives one.
  token = await harness.operatorToken({ roles: ['agent'] });
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

async function agentApi(method: 'GET' | 'POST', path: string, opts: { query?: Record<string, string>; body?: unknown; auth?: string } = {}) {
  const url = `${harness.cloud.apiUrl}${path}${opts.query ? `?${new URLSearchParams(opts.query)}` : ''}`;
  const res = await fetch(url, {
    method,
    headers: { authorization: opts.auth ?? `Bearer ${token}`, ...(opts.body ? { 'content-type': 'application/json' } : {}) },
    ...(opts.body ? { body: JSON.stringify(opts.body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const CASES = [
  { channel: 'whatsapp' as const, account: LOCAL_WHATSAPP_PHONE_NUMBER_ID, customer: '15550000301', prefix: 'wa' },
  { channel: 'instagram' as const, account: LOCAL_INSTAGRAM_ACCOUNT_ID, customer: '9300000000000301', prefix: 'ig' },
];

describe('greeting → FAQ → handoff → human reply → close → CSAT through the local cloud', () => {
  it('refuses the API without a valid access token carrying the agent scope', async () => {
    const refused = async (auth: string) => {
      const res = await agentApi('GET', '/agent/conversations', { query: { accountId: 'x' }, auth });
      return { status: res.status, body: res.body };
    };
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    expect(await refused('Bearer wrong')).toEqual({ status: 401, body: { message: 'Unauthorized' } });
    // API Gateway's JWT authoriser, emulated locally: expired, foreign-signed, or lacking the route's scope.
    expect(await refused(`Bearer ${await harness.operatorToken({ roles: ['agent'], issuedAt: hourAgo - 60, expiresIn: 60 })}`)).toEqual({
      status: 401,
      body: { message: 'Unauthorized' },
    });
    expect(await refused(`Bearer ${await harness.operatorTokenSignedByAnotherKey({ roles: ['agent'] })}`)).toEqual({
      status: 401,
      body: { message: 'Unauthorized' },
    });
    expect(await refused(`Bearer ${await harness.operatorToken({ roles: ['agent'], scopes: ['omnichannel/templates'] })}`)).toEqual({
      status: 403,
      body: { message: 'Forbidden' },
    });
  });

  it.each(CASES)('on $channel', async ({ channel, account, customer, prefix }) => {
    const key = `${prefix}:${account}:${customer}`;
    // Six replies to one customer exceed the per-recipient burst (5, then one per 6 s): the last one
    // is deferred by the sender's own pacing, so allow for that on a busy machine.
    const sends = (n: number, what: string) => eventually(async () => ((await harness.sendsTo(customer)).length >= n ? true : undefined), what, 90_000);
    const replyKinds = async () =>
      (await harness.conversationItems(key))
        .filter((i) => i.entity === 'Message' && i.direction === 'outbound')
        .sort((a, b) => String(a.lsi1sk).localeCompare(String(b.lsi1sk)))
        .map((i) => i.replyKind as string);

    await harness.customerSays({ channel, customerId: customer, text: 'hola' });
    await sends(1, 'the menu');
    await harness.customerSays({ channel, customerId: customer, text: '¿cuánto tarda el envío?' });
    await sends(2, 'the FAQ answer');
    await harness.customerSays({ channel, customerId: customer, text: 'quiero hablar con un asesor' });
    await sends(3, 'the handoff acknowledgement');

    const waiting = await eventually(async () => {
      const list = await agentApi('GET', '/agent/conversations', { query: { accountId: account } });
      return list.body.conversations?.some((c: { conversationKey: string }) => c.conversationKey === key) ? list : undefined;
    }, 'the conversation in the waiting list');
    expect(waiting.status).toBe(200);

    // The customer writes again: the bot stays silent while a person owns the conversation.
    await harness.customerSays({ channel, customerId: customer, text: '¿hola?' });
    const human = { conversationKey: key, text: 'Hola, soy Marta, te ayudo.', requestId: `${channel}-1` };
    expect((await agentApi('POST', '/agent/conversation/reply', { body: human })).status).toBe(202);
    expect((await agentApi('POST', '/agent/conversation/reply', { body: human })).status).toBe(200);
    await sends(4, 'the human reply');

    expect((await agentApi('POST', '/agent/conversation/close', { body: { conversationKey: key } })).status).toBe(200);
    await sends(5, 'the CSAT question');
    await harness.customerSays({ channel, customerId: customer, reply: { id: 'csat:5' } });
    await sends(6, 'the thanks');
    await eventually(async () => ((await harness.item(`CONV#${key}`, 'CONV'))?.csatScore === 5 ? true : undefined), 'the stored score');

    await settle(1500);
    expect(await replyKinds()).toEqual(['menu', 'faq_answer', 'handoff_ack', 'human_reply', 'csat_question', 'csat_thanks']);
    expect(await harness.sendsTo(customer)).toHaveLength(6);
    const read = await agentApi('GET', '/agent/conversation', { query: { key } });
    expect(read.body.conversation).toMatchObject({ state: 'closed', csatScore: 5, handoffReason: 'customer_request' });
  });
});
