import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConversationStore, type ConversationStore, type ReplyClaim, type ReplyMessage } from '#lambdas/conversation/conversation-store';
import { createMessageStore, type MessageStore, type NewMessage } from '#lambdas/conversation/message-store';
import type { MessageEvent } from '#lambdas/conversation/model';
import { createRecordedEventStore } from '#lambdas/conversation/recorded-event-store';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

/** The Conversation and Message stores on DynamoDB Local: their conditions, keys and paging. */
let table: TestTable & { newTable(): Promise<string> };
let tableName: string;
let conversations: ConversationStore;
let messages: MessageStore;

const KEY = 'wa:100:5511999';
const AT = '2026-11-21T12:00:00.000Z';

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
  conversations = createConversationStore(table.db, tableName);
  messages = createMessageStore(table.db, tableName);
});

async function item(pk: string, sk: string) {
  return (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk, sk } }))).Item;
}
const conversationItem = () => item(`CONV#${KEY}`, 'CONV');

function inbound(id: string, at: string, overrides: Partial<MessageEvent> = {}): NewMessage {
  return {
    event: {
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
      customer: { id: '5511999', waId: '5511999' },
      type: 'text',
      text: `hello ${id}`,
      ...overrides,
    },
    receivedAt: at,
    storedAt: at,
    expiresAt: 1_900_000_000,
    counter: overrides.direction === 'outbound' ? 'outboundCount' : 'inboundCount',
    withPointer: overrides.direction === 'outbound',
  };
}

async function seedConversation(overrides: Record<string, unknown> = {}) {
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: `CONV#${KEY}`,
        sk: 'CONV',
        entity: 'Conversation',
        conversationKey: KEY,
        state: 'bot',
        channel: 'whatsapp',
        accountId: '100',
        customerId: '5511999',
        ...overrides,
      },
    }),
  );
}

function replyMessage(id: string): ReplyMessage {
  return {
    entity: 'Message',
    messageId: id,
    conversationKey: KEY,
    channel: 'whatsapp',
    accountId: '100',
    customerId: '5511999',
    recipientId: '5511999',
    direction: 'outbound',
    origin: 'agent',
    type: 'text',
    text: 'hi',
    language: 'en',
    replyKind: 'menu',
    replyToMessageIds: ['wamid.1'],
    status: 'pending',
    occurredAt: AT,
    createdAt: AT,
    expiresAt: 1_900_000_000,
  };
}

function claim(id: string, overrides: Partial<ReplyClaim> = {}): ReplyClaim {
  return {
    conversationKey: KEY,
    accountId: '100',
    channel: 'whatsapp',
    customerId: '5511999',
    reply: replyMessage(id),
    throughSk: 'MSG#2026-11-21T11:59:00.000Z#wamid.1',
    expectedState: 'bot',
    seenAnsweredThroughSk: undefined,
    ...overrides,
  };
}

describe('message store', () => {
  it('records a message once, counts it, and moves the last activity only when asked and behind', async () => {
    expect(await messages.recordMessage(inbound('wamid.2', '2026-11-21T10:05:00.000Z'), 'inbound')).toBe('stored');
    expect(await messages.recordMessage(inbound('wamid.2', '2026-11-21T10:05:00.000Z'), 'inbound')).toBe('duplicate');
    // Behind the conversation's last inbound: only the activity condition refuses, nothing is written.
    expect(await messages.recordMessage(inbound('wamid.1', '2026-11-21T10:01:00.000Z'), 'inbound')).toBe('activity_behind');
    expect(await item(`CONV#${KEY}`, 'MSG#wamid.1')).toBeUndefined();
    expect(await messages.recordMessage(inbound('wamid.1', '2026-11-21T10:01:00.000Z'), undefined)).toBe('stored');
    expect(await conversationItem()).toMatchObject({ inboundCount: 2, version: 2, lastInboundAt: '2026-11-21T10:05:00.000Z', state: 'bot' });
    expect(await conversations.lastActivityAt(KEY, 'inbound')).toBe('2026-11-21T10:05:00.000Z');
    expect(await conversations.lastActivityAt(KEY, 'outbound')).toBeUndefined();
  });

  it('tells the echo of our own send by its provider-id pointer', async () => {
    await table.db.send(new PutCommand({ TableName: tableName, Item: { pk: 'PMID#mid.ours', sk: 'PMID', conversationKey: KEY, messageSk: 'MSG#out_1' } }));
    const echo = inbound('mid.ours', AT, { direction: 'outbound', origin: 'business_echo' });
    expect(await messages.recordMessage(echo, undefined)).toBe('known_message');
    expect(await messages.isOwnSend('mid.ours')).toBe(true);
    // A business message's own pointer names itself: not one of our sends.
    expect(await messages.recordMessage(inbound('mid.app', AT, { direction: 'outbound', origin: 'business_app' }), 'outbound')).toBe('stored');
    expect(await messages.isOwnSend('mid.app')).toBe(false);
    expect(await messages.isOwnSend('mid.unknown')).toBe(false);
  });

  it('reads messages since a mark in time order over every page, leaving change items out', async () => {
    for (let i = 0; i < 30; i++) {
      const at = `2026-11-21T10:${String(i).padStart(2, '0')}:00.000Z`;
      await messages.recordMessage({ ...inbound(`wamid.${i}`, at), event: { ...inbound(`wamid.${i}`, at).event, text: 'x'.repeat(40_000) } }, undefined);
    }
    await messages.recordChange(
      {
        kind: 'message_deleted',
        channel: 'whatsapp',
        conversationKey: KEY,
        accountId: '100',
        businessAccountId: 'waba-1',
        origin: 'customer',
        occurredAt: AT,
        eventId: 'del:1',
        providerMessageId: 'wamid.3',
      },
      AT,
      1_900_000_000,
    );
    const all = await messages.messagesSince(KEY, 'MSG#');
    expect(all.map((m) => m.providerMessageId)).toEqual(Array.from({ length: 30 }, (_, i) => `wamid.${i}`));
    const since = await messages.messagesSince(KEY, all[27]!.lsi1sk);
    expect(since.map((m) => m.providerMessageId)).toEqual(['wamid.27', 'wamid.28', 'wamid.29']);
    expect((await messages.latestMessages(KEY, 2)).map((m) => m.providerMessageId)).toEqual(['wamid.28', 'wamid.29']);
  });

  it('applies deletions and edits to the message found by pointer or by id, never an older edit', async () => {
    await messages.recordMessage(inbound('mid.C', AT), undefined);
    await messages.recordMessage(inbound('mid.B', AT, { direction: 'outbound', origin: 'business_app', conversationKey: 'wa:100:other' }), undefined);
    const customer = await messages.findMessage('mid.C', KEY);
    expect(customer).toEqual({ conversationKey: KEY, sk: 'MSG#mid.C' });
    // The change names another conversation; the pointer knows where the business message is.
    expect(await messages.findMessage('mid.B', KEY)).toEqual({ conversationKey: 'wa:100:other', sk: 'MSG#mid.B' });

    expect(await messages.applyEdit(customer, { text: 'second', at: '2026-11-21T12:02:00.000Z', editCount: 2 })).toBe(true);
    expect(await messages.applyEdit(customer, { text: 'first', at: '2026-11-21T12:01:00.000Z', editCount: 1 })).toBe(false);
    expect(await messages.markDeleted(customer, '2026-11-21T12:03:00.000Z')).toBe(true);
    expect(await messages.markDeleted(customer, '2026-11-21T12:04:00.000Z')).toBe(true);
    expect(await item(`CONV#${KEY}`, 'MSG#mid.C')).toMatchObject({
      text: 'second',
      originalText: 'hello mid.C',
      editCount: 2,
      deletedAt: '2026-11-21T12:03:00.000Z',
    });
    expect(await messages.markDeleted({ conversationKey: KEY, sk: 'MSG#missing' }, AT)).toBe(false);
    expect(await item(`CONV#${KEY}`, 'MSG#missing')).toBeUndefined();
  });

  it('keeps a change item once per event', async () => {
    const change = {
      kind: 'message_edited' as const,
      channel: 'whatsapp' as const,
      conversationKey: KEY,
      accountId: '100',
      businessAccountId: 'waba-1',
      origin: 'customer' as const,
      occurredAt: AT,
      eventId: 'edit:1',
      providerMessageId: 'mid.C',
      text: 'new',
      editCount: 1,
    };
    expect(await messages.recordChange(change, AT, 1_900_000_000)).toBe(true);
    expect(await messages.recordChange(change, AT, 1_900_000_000)).toBe(false);
    expect(await item(`CONV#${KEY}`, 'CHANGE#edit:1')).toMatchObject({ entity: 'MessageChange', change: 'edited', lsi1sk: `CHANGE#${AT}` });
  });

  it('sees a send of ours in flight among the latest messages', async () => {
    expect(await messages.hasSendInFlight(KEY)).toBe(false);
    await table.db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `CONV#${KEY}`, sk: 'MSG#out_1', lsi1sk: `MSG#${AT}#out_1`, entity: 'Message', direction: 'outbound', status: 'sending' },
      }),
    );
    expect(await messages.hasSendInFlight(KEY)).toBe(true);
  });
});

describe('conversation store: the reply claim', () => {
  it('writes the reply and claims the conversation once; a second claim on the same read is refused', async () => {
    await seedConversation();
    expect(await conversations.claimReply(claim('out_1'))).toBe('claimed');
    expect(await item(`CONV#${KEY}`, 'MSG#out_1')).toMatchObject({ lsi1sk: `MSG#${AT}#out_1`, status: 'pending', entity: 'Message' });
    expect(await conversationItem()).toMatchObject({ pendingReplyId: 'out_1', pendingReplyThroughSk: claim('out_1').throughSk, language: 'en' });
    // Same reply again: the conversation refuses first (its claim is taken).
    expect(await conversations.claimReply(claim('out_1'))).toBe('conversation_changed');
    expect(await conversations.claimReply(claim('out_2'))).toBe('conversation_changed');
  });

  it('tells a reply that already exists from a conversation that changed', async () => {
    await seedConversation();
    await conversations.claimReply(claim('out_1'));
    await conversations.finishReply(KEY, 'out_1', claim('out_1').throughSk, AT);
    const seen = claim('out_1').throughSk;
    expect(await conversations.claimReply(claim('out_1', { seenAnsweredThroughSk: seen }))).toBe('reply_exists');
    expect(await conversations.claimReply(claim('out_3', { seenAnsweredThroughSk: 'MSG#older' }))).toBe('conversation_changed');
    expect(await conversations.claimReply(claim('out_3', { seenAnsweredThroughSk: seen, expectedState: 'closed' }))).toBe('conversation_changed');
  });

  it('writes consent, handoff, memory and score with the claim', async () => {
    await seedConversation({ state: 'closed', awaitingField: 'order_id', lastFaqId: 'old' });
    const at = '2026-11-21T11:59:00.000Z';
    expect(
      await conversations.claimReply(
        claim('out_1', {
          expectedState: 'closed',
          consent: {
            status: 'opted_out',
            changedAt: at,
            evidenceMessageId: 'wamid.1',
            evidenceKind: 'keyword',
            evidenceText: 'STOP',
            scope: 'promotional',
            recordedAt: AT,
          },
          handoff: { reason: 'customer_request', summary: 'Reason: customer_request.', priority: true, at: AT },
          memory: { lastReplyKind: 'handoff_ack', languageAsked: true, capturedOrderId: '12345' },
          csat: { score: 5, answeredAt: at, messageId: 'wamid.1' },
        }),
      ),
    ).toBe('claimed');
    const conv = await conversationItem();
    expect(conv).toMatchObject({
      state: 'human',
      gsi1pk: 'ACCT#100#STATE#human',
      version: 1,
      consentStatus: 'opted_out',
      consentChangedAt: at,
      consentOutboundId: 'out_1',
      handoffOutboundId: 'out_1',
      handoffReason: 'customer_request',
      handoffPriority: true,
      lastReplyKind: 'handoff_ack',
      languageAsked: true,
      capturedOrderId: '12345',
      csatScore: 5,
      csatMessageId: 'wamid.1',
    });
    expect(conv).not.toHaveProperty('awaitingField');
    expect(conv).not.toHaveProperty('lastFaqId');
    const consent = await item(`CONV#${KEY}`, `CONSENT#${at}#wamid.1`);
    expect(consent).toMatchObject({ entity: 'ConsentChange', consent: 'opted_out', evidenceText: 'STOP', scope: 'promotional' });
    expect(consent).not.toHaveProperty('expiresAt');
  });

  it('finishes a reply: moves the mark and releases the claim, or only releases it when the mark is past', async () => {
    await seedConversation({ answeredAt: '2026-11-21T11:00:00.000Z' });
    await conversations.claimReply(claim('out_1'));
    await conversations.finishReply(KEY, 'out_1', claim('out_1').throughSk, AT);
    const conv = await conversationItem();
    expect(conv).toMatchObject({ answeredThroughSk: claim('out_1').throughSk, lastAgentReplyAt: AT });
    expect(conv).not.toHaveProperty('pendingReplyId');
    expect(conv).not.toHaveProperty('answeredAt');

    await seedConversation({ answeredThroughSk: 'MSG#9999', pendingReplyId: 'out_2', pendingReplyThroughSk: 'MSG#0001' });
    await conversations.finishReply(KEY, 'out_2', 'MSG#0001', AT);
    expect(await conversationItem()).toMatchObject({ answeredThroughSk: 'MSG#9999' });
    expect(await conversationItem()).not.toHaveProperty('pendingReplyId');
  });

  it('marks a burst answered silently only on the conditions of a claim', async () => {
    await seedConversation({ answeredThroughSk: 'MSG#a' });
    expect(await conversations.markAnsweredSilently(KEY, 'MSG#other', 'MSG#b', { lastReplyKind: 'none', language: 'es' })).toBe(false);
    expect(await conversations.markAnsweredSilently(KEY, 'MSG#a', 'MSG#b', { lastReplyKind: 'small_talk', language: 'es' })).toBe(true);
    expect(await conversationItem()).toMatchObject({ answeredThroughSk: 'MSG#b', lastReplyKind: 'small_talk', language: 'es' });
    await seedConversation({ state: 'human' });
    expect(await conversations.markAnsweredSilently(KEY, undefined, 'MSG#b', { lastReplyKind: 'none', language: 'es' })).toBe(false);
  });
});

describe('conversation store: state transitions', () => {
  it('reopens a closed conversation for the bot unless a reply is being finished', async () => {
    await seedConversation({ state: 'closed', pendingReplyId: 'out_1' });
    expect(await conversations.reopenForBot(KEY, '100', AT)).toBe(false);
    await seedConversation({ state: 'closed' });
    expect(await conversations.reopenForBot(KEY, '100', AT)).toBe(true);
    expect(await conversationItem()).toMatchObject({ state: 'bot', gsi1pk: 'ACCT#100#STATE#bot', reopenedAt: AT, stateChangedAt: AT, version: 1 });
    expect(await conversations.reopenForBot(KEY, '100', AT)).toBe(false);
  });

  it('keeps the bot quiet for a person, never shortening the quiet, and ends the quiet only as it was seen', async () => {
    expect(
      await conversations.quietForPerson({
        conversationKey: KEY,
        accountId: '100',
        quietUntil: '2026-11-21T12:30:00.000Z',
        activityAt: AT,
        startHandoff: true,
        reason: 'business_replied',
        at: AT,
      }),
    ).toBe(false);
    await seedConversation();
    const activity = {
      conversationKey: KEY,
      accountId: '100',
      quietUntil: '2026-11-21T12:30:00.000Z',
      activityAt: AT,
      startHandoff: true,
      reason: 'business_replied',
      at: AT,
    };
    expect(await conversations.quietForPerson(activity)).toBe(true);
    expect(await conversationItem()).toMatchObject({
      state: 'human',
      humanQuietUntil: '2026-11-21T12:30:00.000Z',
      handoffReason: 'business_replied',
      lastHumanActivityAt: AT,
      version: 1,
    });
    expect(await conversations.quietForPerson(activity)).toBe(false);
    expect(await conversations.quietForPerson({ ...activity, startHandoff: false, quietUntil: '2026-11-21T12:20:00.000Z' })).toBe(false);
    expect(await conversations.quietForPerson({ ...activity, startHandoff: false, quietUntil: '2026-11-21T12:40:00.000Z' })).toBe(true);

    expect(await conversations.endQuietPeriod(KEY, '100', '2026-11-21T12:30:00.000Z', AT)).toBe(false);
    expect(await conversations.endQuietPeriod(KEY, '100', '2026-11-21T12:40:00.000Z', AT)).toBe(true);
    const conv = await conversationItem();
    expect(conv).toMatchObject({ state: 'bot', gsi1pk: 'ACCT#100#STATE#bot' });
    expect(conv).not.toHaveProperty('humanQuietUntil');
  });

  it("moves the answered mark to a person's message only forward and never over a reply being finished", async () => {
    await seedConversation({ pendingReplyId: 'out_1' });
    expect(await conversations.markAnsweredByPerson(KEY, AT, 'wamid.p')).toBe(false);
    await seedConversation({ answeredThroughSk: 'MSG#2026-11-21T11:00:00.000Z#x' });
    expect(await conversations.markAnsweredByPerson(KEY, AT, 'wamid.p')).toBe(true);
    expect(await conversationItem()).toMatchObject({ answeredThroughSk: `MSG#${AT}#wamid.p` });
    expect(await conversations.markAnsweredByPerson(KEY, '2026-11-21T11:30:00.000Z', 'wamid.q')).toBe(false);
  });

  it('hands a conversation to people without a bot while it is as read', async () => {
    const handover = {
      conversationKey: KEY,
      accountId: '100',
      seenState: 'closed',
      reason: 'no_bot_configured',
      summary: 'Reason: no_bot_configured.',
      at: AT,
    };
    await seedConversation();
    expect(await conversations.handOverWithoutBot(handover)).toBe(false);
    await seedConversation({ state: 'closed' });
    expect(await conversations.handOverWithoutBot(handover)).toBe(true);
    expect(await conversationItem()).toMatchObject({
      state: 'human',
      handoffReason: 'no_bot_configured',
      handoffSummary: 'Reason: no_bot_configured.',
      reopenedAt: AT,
      version: 1,
    });
  });

  it('advances the last activity only forward and only on an existing conversation', async () => {
    expect(await conversations.advanceLastActivity(KEY, 'inbound', AT, 'wamid.1')).toBe(false);
    expect(await conversationItem()).toBeUndefined();
    await seedConversation();
    expect(await conversations.advanceLastActivity(KEY, 'inbound', AT, 'wamid.1')).toBe(true);
    expect(await conversations.advanceLastActivity(KEY, 'inbound', '2026-11-21T11:00:00.000Z', 'wamid.0')).toBe(false);
    expect(await conversationItem()).toMatchObject({ lastInboundAt: AT, lastInboundMessageId: 'wamid.1' });
    expect((await conversations.conversation(KEY))?.lastInboundMessageId).toBe('wamid.1');
  });
});

describe('recorded event store', () => {
  it('keeps a quarantined event once, keyed by its day', async () => {
    const store = createRecordedEventStore(table.db, tableName);
    const entry = {
      eventId: 'quarantine:abc',
      channel: 'unknown',
      conversationKey: 'quarantine',
      reason: 'invalid_json',
      receivedAt: AT,
      rawPayload: '{not json',
      rawTruncated: false,
      rawBytes: 9,
      expiresAt: 1_900_000_000,
    };
    expect(await store.recordQuarantine(entry)).toBe('stored');
    expect(await store.recordQuarantine(entry)).toBe('duplicate');
    expect(await item('QUARANTINE#quarantine:abc', 'QUARANTINE')).toMatchObject({
      entity: 'QuarantinedEvent',
      gsi1pk: 'QUARANTINE#2026-11-21',
      gsi1sk: `${AT}#quarantine:abc`,
      rawPayload: '{not json',
    });
  });
});
