import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { answerConversation, type AgentDeps } from '#lambdas/agent/answer-conversation';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { fixedBotSettings } from '#lambdas/bot-settings/account-bot-settings';
import { domainEventFor } from '#lambdas/conversation/domain-events';
import type { Channel, MessageEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { conversationPk, messageSk } from '#lambdas/conversation/table-keys';
import type { HumanAgentDeps } from '#lambdas/human-agent/human-agent-actions';
import { routeRequest } from '#lambdas/human-agent/route-request';
import { OperatorRequestError } from '#lambdas/identity/errors';
import type { OperatorIdentity } from '#lambdas/identity/operator-identity';
import { fakeAccounts } from '#test/helpers/fake-accounts';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';
import { dynamoHumanAgentStores } from '#lambdas/human-agent/human-agent-stores';

let table: TestTable & { newTable(): Promise<string> };
let agentDeps: AgentDeps;
let apiDeps: HumanAgentDeps;
let tableName: string;
let published: DomainEvent[];
let clock: Date;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  published = [];
  clock = new Date('2026-11-21T12:00:00.000Z');
  tableName = await table.newTable();
  const publisher = { publish: async (e: DomainEvent[]) => void published.push(...e) };
  const botSettings = fixedBotSettings(demoBotSettings());
  agentDeps = { ...dynamoConversationStores(table.db, tableName), publisher, retentionDays: 30, now: () => clock, botSettings, replyQuietMs: 0 };
  apiDeps = { ...dynamoHumanAgentStores(table.db, tableName, 30), publisher, now: () => clock, botSettings };
});

const CHANNELS: Array<{ channel: Channel; key: string; account: string; customer: string; prefix: string }> = [
  { channel: 'whatsapp', key: 'wa:100:5511999', account: '100', customer: '5511999', prefix: 'wamid.' },
  { channel: 'instagram', key: 'ig:17841:IGSID1', account: '17841', customer: 'IGSID1', prefix: 'mid.' },
];

function message(c: (typeof CHANNELS)[number], id: string, at: string, text: string, extra: Partial<MessageEvent> = {}): MessageEvent {
  return {
    kind: 'message',
    channel: c.channel,
    conversationKey: c.key,
    accountId: c.account,
    businessAccountId: 'b1',
    occurredAt: at,
    eventId: `${c.channel}:${id}`,
    direction: 'inbound',
    origin: 'customer',
    providerMessageId: `${c.prefix}${id}`,
    customer: { id: c.customer, ...(c.channel === 'whatsapp' ? { waId: c.customer } : {}) },
    type: 'text',
    text,
    ...extra,
  };
}

/** Customer writes, the normalizer records it, the agent is woken (twice: redelivery). */
async function customerSays(event: MessageEvent) {
  clock = new Date(Date.parse(event.occurredAt) + 10_000);
  await recordNormalizedEvent(event, { receivedAt: event.occurredAt }, { ...dynamoConversationStores(table.db, tableName), retentionDays: 30 });
  const wakeUp = domainEventFor(event).detail;
  const first = await answerConversation(wakeUp, agentDeps);
  await answerConversation(wakeUp, agentDeps);
  return first;
}

function request(method: 'GET' | 'POST', path: string, opts: { query?: Record<string, string>; body?: unknown; token?: string } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(opts.query ?? {}).toString(),
    headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    requestContext: { http: { method, path }, requestId: 'r1' } as APIGatewayProxyEventV2['requestContext'],
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    isBase64Encoded: false,
  };
}

/** An agent of business b1, which owns both accounts of these conversations. */
const AGENT: OperatorIdentity = { subject: 'agent-7', actor: 'agent-7', businessId: 'b1', roles: ['agent'], scopes: ['omnichannel/agent'] };
const ACCOUNTS = fakeAccounts([
  { accountId: '100', channel: 'whatsapp', businessId: 'b1' },
  { accountId: '17841', channel: 'instagram', businessId: 'b1' },
]);

async function call(method: 'GET' | 'POST', path: string, opts: { query?: Record<string, string>; body?: unknown } = {}) {
  // The refusals of the authorisation step become responses where every operator request is served.
  const res = await routeRequest(request(method, path, opts), AGENT, {}, { ...apiDeps, accounts: ACCOUNTS }).catch((err: unknown) => {
    if (err instanceof OperatorRequestError) return { statusCode: err.status, body: JSON.stringify({ error: err.code }) };
    throw err;
  });
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, any> };
}

describe('human agent API on DynamoDB Local', () => {
  it.each(CHANNELS)('$channel: greeting → FAQ → handoff → human reply → hand back → close → CSAT, without duplicates', async (c) => {
    expect(await customerSays(message(c, '1', '2026-11-21T11:50:00.000Z', 'hola'))).toMatchObject({ kind: 'menu' });
    expect(await customerSays(message(c, '2', '2026-11-21T11:51:00.000Z', '¿cuánto tarda el envío?'))).toMatchObject({ kind: 'faq_answer' });
    expect(await customerSays(message(c, '3', '2026-11-21T11:52:00.000Z', 'quiero hablar con un asesor'))).toMatchObject({
      kind: 'handoff_ack',
      handoff: true,
    });

    const waiting = await call('GET', '/agent/conversations', { query: { accountId: c.account } });
    expect(waiting.status).toBe(200);
    expect(waiting.body.conversations).toEqual([
      expect.objectContaining({ conversationKey: c.key, state: 'human', handoffReason: 'customer_request', language: 'es' }),
    ]);
    expect(waiting.body.conversations[0].handoffSummary).toContain('asesor');

    // While the person owns it the bot is silent.
    expect(await customerSays(message(c, '4', '2026-11-21T11:53:00.000Z', '¿hola?'))).toEqual({ outcome: 'skipped', reason: 'not_bot' });

    clock = new Date('2026-11-21T11:54:00.000Z');
    const reply = { conversationKey: c.key, text: 'Hola, soy Marta. ¿En qué te ayudo?', requestId: 'req-1' };
    const sent = await call('POST', '/agent/conversation/reply', { body: reply });
    const again = await call('POST', '/agent/conversation/reply', { body: reply });
    expect(sent.status).toBe(202);
    expect(again).toEqual({ status: 200, body: { outboundId: sent.body.outboundId, repeated: true, tookOver: false } });

    const read = await call('GET', '/agent/conversation', { query: { key: c.key } });
    const outbound = read.body.messages.filter((m: { direction: string }) => m.direction === 'outbound');
    expect(outbound.map((m: { origin: string; replyKind: string }) => `${m.origin}:${m.replyKind}`)).toEqual([
      'agent:menu',
      'agent:faq_answer',
      'agent:handoff_ack',
      'human_agent:human_reply',
    ]);
    expect(read.body.conversation).toMatchObject({ state: 'human', assignedAgentId: 'agent-7' });

    expect(await call('POST', '/agent/conversation/hand-back', { body: { conversationKey: c.key } })).toEqual({ status: 200, body: { state: 'bot' } });
    expect((await call('POST', '/agent/conversation/hand-back', { body: { conversationKey: c.key } })).status).toBe(409);
    expect((await call('GET', '/agent/conversations', { query: { accountId: c.account } })).body.conversations).toEqual([]);

    // Back with the bot: message 4 was the person's to answer, so only the new one is answered.
    const back = await customerSays(message(c, '5', '2026-11-21T12:09:00.000Z', 'aceptan tarjeta?'));
    expect(back).toMatchObject({ outcome: 'replied', kind: 'faq_answer', answeredCount: 1 });

    clock = new Date('2026-11-21T12:10:00.000Z');
    const closed = await call('POST', '/agent/conversation/close', { body: { conversationKey: c.key } });
    expect(closed.status).toBe(200);
    expect((await call('POST', '/agent/conversation/close', { body: { conversationKey: c.key } })).status).toBe(409);
    const afterClose = await call('GET', '/agent/conversation', { query: { key: c.key } });
    const question = afterClose.body.messages.at(-1);
    expect(question).toMatchObject({ replyKind: 'csat_question', text: expect.stringContaining('calificarías'), type: 'interactive' });
    // The button that opens the score list on WhatsApp speaks the conversation language too.
    const stored = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: conversationPk(c.key), sk: messageSk(question.messageId) } }));
    expect(stored.Item).toMatchObject({ optionsLabel: 'Calificar' });

    expect(
      await customerSays(
        message(c, '6', '2026-11-21T12:11:00.000Z', '5', { type: 'choice', choice: { id: 'csat:5', title: '⭐⭐⭐⭐⭐ 5', source: 'quick_reply' } }),
      ),
    ).toMatchObject({ kind: 'csat_thanks' });
    expect((await call('GET', '/agent/conversation', { query: { key: c.key } })).body.conversation).toMatchObject({ state: 'closed', csatScore: 5 });

    const replies = published.filter((e) => e.detailType === 'reply.requested');
    const ids = replies.map((e) => e.detail.outboundId as string);
    // Each reply is requested with one id; repeats (redeliveries, the retried HTTP call) name the same id.
    expect(new Set(ids).size).toBe(7);
    expect(new Set(replies.filter((e) => e.source === 'io.omnichannel.human-agent').map((e) => e.detail.outboundId)).size).toBe(2);
    expect(published.map((e) => e.detailType)).toEqual(
      expect.arrayContaining(['conversation.handoff_requested', 'conversation.handed_back', 'conversation.closed']),
    );
  });

  it('refuses a reply outside the 24-hour window, and requests with bad input', async () => {
    const c = CHANNELS[0]!;
    await customerSays(message(c, '1', '2026-11-21T11:50:00.000Z', 'agente'));
    clock = new Date('2026-11-22T12:00:00.000Z');
    const late = await call('POST', '/agent/conversation/reply', { body: { conversationKey: c.key, text: 'hola' } });
    expect(late).toMatchObject({ status: 409, body: { error: 'window_closed' } });
    expect((await call('POST', '/agent/conversation/reply', { body: { conversationKey: c.key } })).status).toBe(400);
    expect((await call('GET', '/agent/conversation', { query: { key: 'wa:1:none' } })).status).toBe(404);
    expect((await call('GET', '/agent/conversations', { query: {} })).status).toBe(400);
  });

  it('lets a person answer an Instagram customer for 7 days (human-agent tag), not longer', async () => {
    const c = CHANNELS[1]!;
    await customerSays(message(c, '1', '2026-11-21T11:50:00.000Z', 'agente'));
    clock = new Date('2026-11-24T12:00:00.000Z');
    const threeDays = await call('POST', '/agent/conversation/reply', { body: { conversationKey: c.key, text: 'hola', requestId: 'ig-late-1' } });
    expect(threeDays.status).toBe(202);
    clock = new Date('2026-11-29T12:00:00.000Z');
    const eightDays = await call('POST', '/agent/conversation/reply', { body: { conversationKey: c.key, text: 'hola', requestId: 'ig-late-2' } });
    expect(eightDays).toMatchObject({ status: 409, body: { error: 'window_closed' } });
  });
});

describe('closing and the rating that follows in the same second', () => {
  it('thanks a WhatsApp customer whose rating is stamped (to the second) before the question was sent (to the millisecond)', async () => {
    const c = CHANNELS[0]!;
    await customerSays(message(c, '1', '2026-11-21T12:00:00.000Z', 'quiero hablar con un asesor'));
    clock = new Date('2026-11-21T12:05:00.000Z');
    expect((await call('POST', '/agent/conversation/reply', { body: { conversationKey: c.key, text: 'Listo, resuelto.', requestId: 'r-1' } })).status).toBe(
      202,
    );
    clock = new Date('2026-11-21T12:10:00.400Z');
    expect((await call('POST', '/agent/conversation/close', { body: { conversationKey: c.key } })).status).toBe(200);
    // WhatsApp timestamps are whole seconds: a tap within the second of the close sorts before it.
    const rating = message(c, '2', '2026-11-21T12:10:00.000Z', '5', { type: 'choice', choice: { id: 'csat:5', title: '⭐⭐⭐⭐⭐ 5', source: 'list' } });
    await recordNormalizedEvent(rating, { receivedAt: '2026-11-21T12:10:00.900Z' }, { ...dynamoConversationStores(table.db, tableName), retentionDays: 30 });
    clock = new Date('2026-11-21T12:10:01.000Z');
    expect(await answerConversation(domainEventFor(rating).detail, agentDeps)).toMatchObject({ outcome: 'replied', kind: 'csat_thanks' });
    expect((await call('GET', '/agent/conversation', { query: { key: c.key } })).body.conversation).toMatchObject({ state: 'closed', csatScore: 5 });
  });
});
