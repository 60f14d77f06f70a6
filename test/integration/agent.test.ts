import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent, EventPublisher } from '#lambdas/adapters/event-publisher';
import { answerConversation, type AgentDeps } from '#lambdas/agent/answer-conversation';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { fixedBotSettings } from '#lambdas/bot-settings/account-bot-settings';
import { outboundIdFor } from '#lambdas/agent/outbound-id';
import { domainEventFor } from '#lambdas/conversation/domain-events';
import type { MessageEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';
import { EchoOwnerUnknownError } from '#lambdas/agent/errors';

let table: TestTable & { newTable(): Promise<string> };
let deps: AgentDeps;
let tableName: string;
let published: DomainEvent[];

const KEY = 'wa:100:5511999';
const NOW = new Date('2026-11-21T12:00:00.000Z');
const ctx = { receivedAt: '2026-11-21T11:59:59.000Z' };

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  published = [];
  tableName = await table.newTable();
  deps = {
    ...dynamoConversationStores(table.db, tableName),
    publisher: { publish: async (e) => void published.push(...e) },
    retentionDays: 30,
    now: () => NOW,
    // The quiet period has its own tests below; the others answer at once.
    replyQuietMs: 0,
    botSettings: fixedBotSettings(demoBotSettings()),
  };
});

function customerMessage(id: string, at: string, text: string, overrides: Partial<MessageEvent> = {}): MessageEvent {
  return {
    kind: 'message',
    channel: 'whatsapp',
    conversationKey: KEY,
    accountId: '100',
    businessAccountId: '200',
    occurredAt: at,
    eventId: `wa:msg:${id}`,
    direction: 'inbound',
    origin: 'customer',
    providerMessageId: id,
    customer: { id: '5511999', waId: '5511999', name: 'Ana' },
    type: 'text',
    text,
    ...overrides,
  };
}

/** Records the message as the normalizer does and returns the wake-up it would publish. */
async function receive(event: MessageEvent) {
  await recordNormalizedEvent(event, ctx, { ...dynamoConversationStores(table.db, tableName), retentionDays: 30 });
  return domainEventFor(event).detail;
}

const burst = [
  customerMessage('wamid.1', '2026-11-21T11:58:00.000Z', 'hola'),
  customerMessage('wamid.2', '2026-11-21T11:58:20.000Z', 'mi pedido no llegó'),
  customerMessage('wamid.3', '2026-11-21T11:58:40.000Z', 'es el número 1234'),
];

async function outboundItems() {
  const out = await table.db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'byTime',
      Select: 'ALL_ATTRIBUTES',
      KeyConditionExpression: 'pk = :pk AND begins_with(lsi1sk, :m)',
      FilterExpression: 'direction = :out',
      ExpressionAttributeValues: { ':pk': `CONV#${KEY}`, ':m': 'MSG#', ':out': 'outbound' },
    }),
  );
  return out.Items ?? [];
}

async function conversation() {
  const out = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${KEY}`, sk: 'CONV' } }));
  return out.Item!;
}

describe('the first agent on DynamoDB Local', () => {
  it('answers a burst of three messages with one reply, however many wake-ups arrive', async () => {
    const wakeUps = [];
    for (const m of burst) wakeUps.push(await receive(m));

    const results = [];
    for (const w of [...wakeUps, wakeUps[1], wakeUps[2]]) results.push(await answerConversation(w, deps));

    const outboundId = outboundIdFor(KEY, 'wamid.3');
    expect(results.map((r) => r.outcome)).toEqual(['replied', 'skipped', 'skipped', 'skipped', 'skipped']);
    const items = await outboundItems();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      messageId: outboundId,
      origin: 'agent',
      status: 'pending',
      language: 'es',
      recipientId: '5511999',
      replyToMessageIds: ['wamid.1', 'wamid.2', 'wamid.3'],
    });
    // The burst names order 1234 and no order look-up is configured: a person takes it, with the number.
    expect(published.map((e) => [e.detailType, e.detail.outboundId])).toEqual([
      ['reply.requested', outboundId],
      ['conversation.handoff_requested', outboundId],
    ]);
    expect(items[0]!.text).toContain('1234');
    expect(await conversation()).toMatchObject({
      answeredThroughSk: `MSG#2026-11-21T11:58:40.000Z#wamid.3`,
      lastAgentReplyAt: NOW.toISOString(),
      language: 'es',
      state: 'human',
      handoffReason: 'order_followup',
      capturedOrderId: '1234',
    });
    expect((await conversation()).handoffSummary).toContain('Order number given: 1234.');
    expect((await conversation()).pendingReplyId).toBeUndefined();
  });

  it('gives concurrent wake-ups one reply item and one id', async () => {
    const wakeUps = [];
    for (const m of burst) wakeUps.push(await receive(m));

    const results = await Promise.all([...wakeUps, ...wakeUps, ...wakeUps].map((w) => answerConversation(w, deps)));

    const outboundId = outboundIdFor(KEY, 'wamid.3');
    expect(results.filter((r) => r.outcome === 'replied')).toHaveLength(1);
    expect(await outboundItems()).toHaveLength(1);
    // Any repeated request names the same reply, which the sender sends at most once.
    expect(new Set(published.map((e) => e.detail.outboundId))).toEqual(new Set([outboundId]));
  });

  it('finishes, on redelivery, a reply whose request could not be published', async () => {
    const wakeUp = await receive(burst[0]!);
    const failing: EventPublisher = {
      publish: async () => {
        throw new Error('EventBridge unavailable');
      },
    };
    await expect(answerConversation(wakeUp, { ...deps, publisher: failing })).rejects.toThrow('EventBridge unavailable');
    expect((await conversation()).pendingReplyId).toBe(outboundIdFor(KEY, 'wamid.1'));

    const retried = await answerConversation(wakeUp, deps);

    expect(retried).toMatchObject({ resumedOutboundId: outboundIdFor(KEY, 'wamid.1') });
    expect(await outboundItems()).toHaveLength(1);
    expect(published.map((e) => e.detail.outboundId)).toEqual([outboundIdFor(KEY, 'wamid.1')]);
    expect(await conversation()).toMatchObject({ answeredThroughSk: `MSG#${burst[0]!.occurredAt}#wamid.1` });
  });

  it('answers a later message separately, and only that message', async () => {
    await answerConversation(await receive(burst[0]!), deps);
    const later = await receive(customerMessage('wamid.4', '2026-11-21T11:59:30.000Z', 'where is my order?'));
    const later30s = { ...deps, now: () => new Date(NOW.getTime() + 30_000) };
    expect(await answerConversation(later, later30s)).toMatchObject({ outcome: 'replied', answeredCount: 1 });

    const items = await outboundItems();
    expect(items.map((i) => i.replyToMessageIds)).toEqual([['wamid.1'], ['wamid.4']]);
    expect(items[1]!.language).toBe('en');
  });

  it('never answers the same message twice when wake-ups race over overlapping bursts', async () => {
    const first = await receive(burst[0]!);
    await receive(burst[1]!);
    // While the first wake-up publishes its reply, the third message lands and its wake-up runs.
    let interleaved: Promise<unknown> | undefined;
    const racing: EventPublisher = {
      publish: async (events) => {
        published.push(...events);
        if (!interleaved) {
          interleaved = receive(burst[2]!).then((w) => answerConversation(w, deps));
          await interleaved;
        }
      },
    };

    await answerConversation(first, { ...deps, publisher: racing });

    const items = await outboundItems();
    expect(items.map((i) => i.replyToMessageIds).sort()).toEqual([['wamid.1', 'wamid.2'], ['wamid.3']]);
    expect((await conversation()).answeredThroughSk).toBe(`MSG#${burst[2]!.occurredAt}#wamid.3`);
    expect((await conversation()).pendingReplyId).toBeUndefined();
  });

  it('does not reply while a human owns the conversation', async () => {
    const wakeUp = await receive(burst[0]!);
    await table.db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `CONV#${KEY}`, sk: 'CONV' },
        UpdateExpression: 'SET #s = :human',
        ExpressionAttributeNames: { '#s': 'state' },
        ExpressionAttributeValues: { ':human': 'human' },
      }),
    );
    expect(await answerConversation(wakeUp, deps)).toEqual({ outcome: 'skipped', reason: 'not_bot' });
    expect(await outboundItems()).toHaveLength(0);
    expect(published).toEqual([]);
  });

  it('does not answer echoes, standby messages, reactions or history', async () => {
    const echo = await receive(
      customerMessage('mid.echo', '2026-11-21T11:58:00.000Z', 'sent from the inbox', { direction: 'outbound', origin: 'business_echo' }),
    );
    await receive(customerMessage('mid.standby', '2026-11-21T11:58:10.000Z', 'hello?', { standby: true }));
    await receive(
      customerMessage('wamid.react', '2026-11-21T11:58:20.000Z', '', {
        type: 'reaction',
        text: undefined,
        reaction: { targetMessageId: 'mid.echo', emoji: '👍', action: 'react' },
      }),
    );
    await receive(customerMessage('wamid.hist', '2026-11-21T11:58:30.000Z', 'old text', { origin: 'history' }));

    // Even a wake-up that claims a customer message finds nothing a customer wrote.
    expect(await answerConversation({ ...echo, origin: 'customer', direction: 'inbound' }, deps)).toEqual({
      outcome: 'skipped',
      reason: 'nothing_to_answer',
    });
    // The echo itself is a person writing from the inbox: the bot steps aside rather than answer.
    expect(await answerConversation(echo, deps)).toMatchObject({ outcome: 'human_active' });
    expect(await outboundItems()).toHaveLength(1); // the echo itself
    expect(published.map((e) => e.detailType)).toEqual(['conversation.handoff_requested']);
  });

  it('stays silent once the 24-hour window has closed', async () => {
    const old = await receive(customerMessage('wamid.old', '2026-11-20T11:00:00.000Z', 'hello'));
    expect(await answerConversation(old, deps)).toEqual({ outcome: 'skipped', reason: 'window_closed' });
    expect(await outboundItems()).toHaveLength(0);
  });

  it.each([
    ['BAJA', 'es', 'ya no recibirás mensajes promocionales'],
    ['Sair', 'pt', 'não receberá mais mensagens promocionais'],
    ['STOP', 'en', 'will not receive promotional messages'],
  ] as const)('records "%s" as a withdrawn consent with time and evidence, confirms it in %s, once', async (word, language, confirmation) => {
    const greet = customerMessage('wamid.g', '2026-11-21T11:58:00.000Z', { es: 'hola', pt: 'olá', en: 'hello' }[language]);
    const stop = customerMessage('wamid.stop', '2026-11-21T11:58:30.000Z', word);
    await receive(greet);
    const wakeUp = await receive(stop);

    const first = await answerConversation(wakeUp, deps);
    const again = await answerConversation(wakeUp, deps);

    const outboundId = outboundIdFor(KEY, 'wamid.stop');
    expect(first).toMatchObject({ outcome: 'replied', kind: 'opt_out_confirmed', optOut: true, outboundId });
    expect(again).toMatchObject({ outcome: 'skipped' });
    const [reply] = await outboundItems();
    expect(reply).toMatchObject({ language, replyKind: 'opt_out_confirmed' });
    expect(reply!.text).toContain(confirmation);
    const consent = await table.db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
        ExpressionAttributeValues: { ':pk': `CONV#${KEY}`, ':c': 'CONSENT#' },
      }),
    );
    expect(consent.Items).toEqual([
      expect.objectContaining({
        entity: 'ConsentChange',
        consent: 'opted_out',
        evidenceMessageId: 'wamid.stop',
        occurredAt: stop.occurredAt,
        recordedAt: NOW.toISOString(),
        customerId: '5511999',
      }),
    ]);
    expect(await conversation()).toMatchObject({ consentStatus: 'opted_out', consentEvidenceMessageId: 'wamid.stop', state: 'bot' });
    expect(published.map((e) => e.detailType)).toEqual(['reply.requested', 'consent.withdrawn']);
  });

  it.each([
    ['quiero hablar con un asesor', 'es'],
    ['quero falar com um atendente', 'pt'],
    ['can I talk to a human?', 'en'],
  ] as const)('hands "%s" to a person: state, waiting list, summary and event in one step', async (said, language) => {
    const wakeUp = await receive(customerMessage('wamid.h', '2026-11-21T11:59:00.000Z', said));

    const result = await answerConversation(wakeUp, deps);

    const outboundId = outboundIdFor(KEY, 'wamid.h');
    expect(result).toMatchObject({ outcome: 'replied', kind: 'handoff_ack', handoff: true });
    const conv = await conversation();
    expect(conv).toMatchObject({
      state: 'human',
      gsi1pk: 'ACCT#100#STATE#human',
      gsi1sk: `${NOW.toISOString()}#${KEY}`,
      handoffReason: 'customer_request',
      handoffRequestedAt: NOW.toISOString(),
      language,
    });
    expect(conv.handoffSummary).toContain(said);
    expect(conv.version).toBe(2);
    const waiting = await table.db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': 'ACCT#100#STATE#human' },
      }),
    );
    expect(waiting.Items?.map((i) => i.conversationKey)).toEqual([KEY]);
    expect(published.map((e) => [e.detailType, e.detail.outboundId])).toEqual([
      ['reply.requested', outboundId],
      ['conversation.handoff_requested', outboundId],
    ]);
    expect(published[1]!.detail).toMatchObject({ reason: 'customer_request', conversationKey: KEY, accountId: '100' });

    // The customer writes again: the bot stays silent while the person owns the conversation.
    const next = await receive(customerMessage('wamid.h2', '2026-11-21T11:59:30.000Z', 'hola?'));
    expect(await answerConversation(next, deps)).toEqual({ outcome: 'skipped', reason: 'not_bot' });
    expect(await outboundItems()).toHaveLength(1);
  });

  it('publishes the handoff event on the redelivery that finishes a crashed handoff', async () => {
    const wakeUp = await receive(customerMessage('wamid.h', '2026-11-21T11:59:00.000Z', 'humano'));
    const failing: EventPublisher = {
      publish: async () => {
        throw new Error('EventBridge unavailable');
      },
    };
    await expect(answerConversation(wakeUp, { ...deps, publisher: failing })).rejects.toThrow();
    expect(await conversation()).toMatchObject({ state: 'human' });

    expect(await answerConversation(wakeUp, deps)).toEqual({
      outcome: 'skipped',
      reason: 'not_bot',
      resumedOutboundId: outboundIdFor(KEY, 'wamid.h'),
    });
    expect(published.map((e) => e.detailType)).toEqual(['reply.requested', 'conversation.handoff_requested']);
  });

  it('goes quiet when a person writes from the business app, and answers again once the quiet period is over', async () => {
    await receive(customerMessage('wamid.q1', '2026-11-21T11:50:00.000Z', 'hola, una pregunta'));
    const person = await receive(
      customerMessage('wamid.app', '2026-11-21T11:51:00.000Z', 'Hola Ana, te ayudo yo', { direction: 'outbound', origin: 'business_app' }),
    );
    const early = await receive(customerMessage('wamid.q2', '2026-11-21T11:52:00.000Z', 'gracias!'));

    const noted = await answerConversation(person, deps);
    const again = await answerConversation(person, deps);

    expect(noted).toEqual({ outcome: 'human_active', quietUntil: '2026-11-21T12:21:00.000Z', handoff: true });
    expect(again).toMatchObject({ outcome: 'human_active', handoff: false });
    expect(await conversation()).toMatchObject({
      state: 'human',
      gsi1pk: 'ACCT#100#STATE#human',
      handoffReason: 'business_replied',
      humanQuietUntil: '2026-11-21T12:21:00.000Z',
      answeredThroughSk: 'MSG#2026-11-21T11:51:00.000Z#wamid.app',
    });
    expect(published.map((e) => e.detailType)).toEqual(['conversation.handoff_requested']);
    expect(await answerConversation(early, deps)).toEqual({ outcome: 'skipped', reason: 'not_bot' });

    // Forty minutes later the customer writes again: the bot is back and answers only that message.
    const later = await receive(customerMessage('wamid.q3', '2026-11-21T12:39:00.000Z', '¿cuánto tarda el envío?'));
    const after = { ...deps, now: () => new Date('2026-11-21T12:40:00.000Z') };
    expect(await answerConversation(later, after)).toMatchObject({ outcome: 'replied', kind: 'faq_answer' });
    const replies = await outboundItems();
    expect(replies.filter((r) => r.origin === 'agent').map((r) => r.replyToMessageIds)).toEqual([['wamid.q2', 'wamid.q3']]);
    expect(await conversation()).toMatchObject({ state: 'bot', gsi1pk: 'ACCT#100#STATE#bot' });
    expect((await conversation()).humanQuietUntil).toBeUndefined();
  });

  it('leaves a conversation a human agent took over in human hands when a person writes from the app', async () => {
    const wakeUp = await receive(customerMessage('wamid.h', '2026-11-21T11:59:00.000Z', 'agente'));
    await answerConversation(wakeUp, deps);
    const person = await receive(
      customerMessage('mid.inbox', '2026-11-21T11:59:30.000Z', 'hi', { direction: 'outbound', origin: 'business_echo', channel: 'whatsapp' }),
    );
    expect(await answerConversation(person, deps)).toMatchObject({ outcome: 'human_active', handoff: false });
    expect((await conversation()).humanQuietUntil).toBeUndefined();
  });

  it('stores the CSAT answer of a closed conversation and thanks the customer once; anything else reopens it', async () => {
    await receive(customerMessage('wamid.c0', '2026-11-21T11:50:00.000Z', 'hola'));
    await table.db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `CONV#${KEY}`, sk: 'CONV' },
        UpdateExpression: 'SET #s = :closed, csatRequestedAt = :at, #l = :es, answeredThroughSk = :through',
        ExpressionAttributeNames: { '#s': 'state', '#l': 'language' },
        ExpressionAttributeValues: { ':closed': 'closed', ':at': '2026-11-21T11:55:00.000Z', ':es': 'es', ':through': 'MSG#2026-11-21T11:50:00.000Z#wamid.c0' },
      }),
    );
    const tap = await receive(
      customerMessage('wamid.c1', '2026-11-21T11:56:00.000Z', '⭐⭐⭐⭐ 4', {
        type: 'choice',
        choice: { id: 'csat:4', title: '⭐⭐⭐⭐ 4', source: 'list' },
      }),
    );
    expect(await answerConversation(tap, deps)).toMatchObject({ outcome: 'replied', kind: 'csat_thanks' });
    expect(await answerConversation(tap, deps)).toMatchObject({ outcome: 'skipped' });
    expect(await conversation()).toMatchObject({ state: 'closed', csatScore: 4, csatMessageId: 'wamid.c1', csatAnsweredAt: '2026-11-21T11:56:00.000Z' });
    expect((await outboundItems()).map((r) => r.text)).toEqual(['¡Gracias por tu opinión!']);

    const newQuestion = await receive(customerMessage('wamid.c2', '2026-11-21T11:58:00.000Z', 'hola'));
    expect(await answerConversation(newQuestion, deps)).toMatchObject({ outcome: 'replied', kind: 'menu' });
    expect(await conversation()).toMatchObject({ state: 'bot', gsi1pk: 'ACCT#100#STATE#bot', csatScore: 4 });
  });

  it("does not take the echo of its own reply for a person, even when the echo overtook the sender's bookkeeping", async () => {
    const hello = await receive(customerMessage('wamid.o1', '2026-11-21T11:59:00.000Z', 'hola'));
    const replied = await answerConversation(hello, deps);
    if (replied.outcome !== 'replied') throw new Error('no reply');
    const reply = { pk: `CONV#${KEY}`, sk: `MSG#${replied.outboundId}` };
    const setStatus = (status: string) =>
      table.db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: reply,
          UpdateExpression: 'SET #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': status },
        }),
      );
    // The Graph API accepted the send, the echo is recorded before the sender notes the answer.
    await setStatus('sending');
    const echo = await receive(customerMessage('wamid.ours', '2026-11-21T12:00:01.000Z', 'Bienvenido', { direction: 'outbound', origin: 'business_echo' }));
    await expect(answerConversation(echo, deps)).rejects.toThrow(EchoOwnerUnknownError);

    // The sender records the send and points the provider id at its own item; the retry sees it.
    await setStatus('sent');
    await table.db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: 'PMID#wamid.ours', sk: 'PMID' },
        UpdateExpression: 'SET messageSk = :sk',
        ExpressionAttributeValues: { ':sk': reply.sk },
      }),
    );
    expect(await answerConversation(echo, deps)).toEqual({ outcome: 'skipped', reason: 'own_echo' });
    expect(await conversation()).toMatchObject({ state: 'bot' });
    expect(published.map((e) => e.detailType)).toEqual(['reply.requested']);
  });
});

describe('one reply per burst, measured from the last message stored', () => {
  it('waits while the customer is still writing, lets the newest message answer, and answers the whole burst once', async () => {
    const quietDeps = (at: string): AgentDeps => ({ ...deps, replyQuietMs: 2_500, now: () => new Date(at) });
    const lines: Array<[string, string, string]> = [
      ['wamid.q1', '2026-11-21T12:00:00.100Z', 'hey'],
      ['wamid.q2', '2026-11-21T12:00:00.500Z', 'quick question'],
      ['wamid.q3', '2026-11-21T12:00:00.900Z', 'do you take paypal?'],
    ];
    const wakeUps = [];
    for (const [id, receivedAt, text] of lines) {
      const event = customerMessage(id, '2026-11-21T12:00:00.000Z', text);
      await recordNormalizedEvent(
        event,
        { receivedAt },
        { ...dynamoConversationStores(table.db, tableName), retentionDays: 30, now: () => new Date(receivedAt) },
      );
      wakeUps.push(domainEventFor(event).detail);
    }

    // 1.1 s after the last line: the older lines leave it to the newest, which waits 1.4 s more.
    const early = [];
    for (const w of wakeUps) early.push(await answerConversation(w, quietDeps('2026-11-21T12:00:02.000Z')));
    expect(early).toEqual([
      { outcome: 'skipped', reason: 'newer_message_pending' },
      { outcome: 'skipped', reason: 'newer_message_pending' },
      { outcome: 'waiting', waitMs: 1_400 },
    ]);
    expect(await outboundItems()).toHaveLength(0);

    // The newest line's wake-up comes back after the quiet period and answers all three at once.
    const later = await answerConversation(wakeUps[2], quietDeps('2026-11-21T12:00:03.500Z'));
    expect(later).toMatchObject({ outcome: 'replied', answeredCount: 3 });
    const items = await outboundItems();
    expect(items).toHaveLength(1);
    expect(items[0]?.replyToMessageIds).toEqual(['wamid.q1', 'wamid.q2', 'wamid.q3']);
  });
});
