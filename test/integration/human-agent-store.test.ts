import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONVERSATION_SK, conversationPk, conversationsByStatePk, expiresAt, messageSk, messageTimeSk } from '#lambdas/conversation/table-keys';
import { conversationViewsStore } from '#lambdas/human-agent/conversation-views-store';
import { humanAgentStore, type HumanAgentMessage } from '#lambdas/human-agent/human-agent-store';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

/** The human agent's stores on DynamoDB Local: the writes of its actions and the operator's views. */
let table: TestTable & { newTable(): Promise<string> };
let tableName: string;
const KEY = 'wa:100:5511999';
const AT = '2026-11-21T12:00:00.000Z';
const LATER = '2026-11-21T12:05:00.000Z';

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
});

async function putConversation(state: string, extra: Record<string, unknown> = {}, key = KEY) {
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: conversationPk(key),
        sk: CONVERSATION_SK,
        entity: 'Conversation',
        conversationKey: key,
        channel: 'whatsapp',
        accountId: '100',
        customerId: '5511999',
        state,
        gsi1pk: conversationsByStatePk('100', state),
        gsi1sk: `${AT}#${key}`,
        version: 3,
        ...extra,
      },
    }),
  );
}

async function putMessage(id: string, at: string, direction: 'inbound' | 'outbound', key = KEY) {
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: { pk: conversationPk(key), sk: messageSk(id), lsi1sk: messageTimeSk(at, id), entity: 'Message', messageId: id, direction, occurredAt: at },
    }),
  );
}

const conversation = async (key = KEY) =>
  (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: conversationPk(key), sk: CONVERSATION_SK }, ConsistentRead: true }))).Item;
const message = async (id: string) =>
  (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: conversationPk(KEY), sk: messageSk(id) }, ConsistentRead: true }))).Item;

function reply(id: string, at = LATER): HumanAgentMessage {
  return {
    messageId: id,
    conversationKey: KEY,
    channel: 'whatsapp',
    accountId: '100',
    customerId: '5511999',
    recipientId: '5511999',
    direction: 'outbound',
    origin: 'human_agent',
    type: 'text',
    text: 'Hola',
    replyKind: 'human_reply',
    replyToMessageIds: [],
    status: 'pending',
    occurredAt: at,
    createdAt: at,
    agentId: 'agent-1',
  };
}

describe('human agent store', () => {
  it('records a reply with its keys and the conversation change once; a takeover moves the conversation to human', async () => {
    await putConversation('bot', { humanQuietUntil: LATER });
    const store = humanAgentStore(table.db, tableName, 30);
    const record = {
      conversationKey: KEY,
      accountId: '100',
      message: reply('out_h_1'),
      agentId: 'agent-1',
      at: LATER,
      seenState: 'bot',
      takeOverReason: 'agent_takeover',
    };
    expect(await store.recordHumanReply(record)).toBe('recorded');
    expect(await message('out_h_1')).toMatchObject({
      pk: conversationPk(KEY),
      sk: messageSk('out_h_1'),
      lsi1sk: messageTimeSk(LATER, 'out_h_1'),
      entity: 'Message',
      origin: 'human_agent',
      status: 'pending',
      agentId: 'agent-1',
      expiresAt: expiresAt(LATER, 30),
    });
    const after = await conversation();
    expect(after).toMatchObject({
      state: 'human',
      gsi1pk: conversationsByStatePk('100', 'human'),
      gsi1sk: `${LATER}#${KEY}`,
      stateChangedAt: LATER,
      assignedAgentId: 'agent-1',
      lastHumanReplyAt: LATER,
      firstHumanReplyAt: LATER,
      handoffReason: 'agent_takeover',
      handoffRequestedAt: LATER,
      version: 4,
    });
    expect(after?.humanQuietUntil).toBeUndefined();
    // The same message again: repeated, nothing changes.
    expect(await store.recordHumanReply({ ...record, seenState: 'human', takeOverReason: undefined })).toBe('repeated');
    expect((await conversation())?.version).toBe(4);
  });

  it('keeps the first reply time and refuses a reply decided on a state the conversation left', async () => {
    await putConversation('human', { firstHumanReplyAt: AT });
    const store = humanAgentStore(table.db, tableName, 30);
    const base = { conversationKey: KEY, accountId: '100', agentId: 'agent-2', at: LATER };
    expect(await store.recordHumanReply({ ...base, message: reply('out_h_2'), seenState: 'human' })).toBe('recorded');
    expect(await conversation()).toMatchObject({ state: 'human', firstHumanReplyAt: AT, lastHumanReplyAt: LATER, assignedAgentId: 'agent-2', version: 4 });
    expect(await store.recordHumanReply({ ...base, message: reply('out_h_3'), seenState: 'bot' })).toBe('changed');
    expect(await message('out_h_3')).toBeUndefined();
  });

  it('marks what was answered only forwards, and not while a bot reply is pending', async () => {
    await putConversation('human');
    const store = humanAgentStore(table.db, tableName, 30);
    const through = messageTimeSk(AT, 'in2');
    expect(await store.markAnsweredThrough(KEY, through, LATER)).toBe(true);
    expect(await conversation()).toMatchObject({ answeredThroughSk: through, answeredAt: LATER });
    expect(await store.markAnsweredThrough(KEY, through, LATER)).toBe(false);
    expect(await store.markAnsweredThrough(KEY, messageTimeSk(AT, 'in1'), LATER)).toBe(false);
    await putConversation('human', { pendingReplyId: 'r1' });
    expect(await store.markAnsweredThrough(KEY, through, LATER)).toBe(false);
    expect((await conversation())?.answeredThroughSk).toBeUndefined();
  });

  it('hands a human conversation back to the bot, and only a human one', async () => {
    await putConversation('human', { humanQuietUntil: LATER });
    const store = humanAgentStore(table.db, tableName, 30);
    expect(await store.handBackToBot(KEY, '100', 'agent-1', LATER)).toBe(true);
    const after = await conversation();
    expect(after).toMatchObject({
      state: 'bot',
      gsi1pk: conversationsByStatePk('100', 'bot'),
      handedBackAt: LATER,
      handedBackBy: 'agent-1',
      version: 4,
    });
    expect(after?.humanQuietUntil).toBeUndefined();
    expect(await store.handBackToBot(KEY, '100', 'agent-1', LATER)).toBe(false);
  });

  it('closes with the CSAT question in one transaction, on the state and version it was decided on', async () => {
    await putConversation('human', { csatScore: 5, csatAnsweredAt: AT, csatMessageId: 'm0' });
    const store = humanAgentStore(table.db, tableName, 30);
    const close = {
      conversationKey: KEY,
      accountId: '100',
      agentId: 'agent-1',
      at: LATER,
      outcome: 'resolved' as const,
      reason: 'customer_request',
      by: 'person' as const,
      seenState: 'human',
      seenVersion: 2,
      csatQuestion: { ...reply('out_csat_1'), replyKind: 'csat_question', optionsLabel: 'Rate' },
    };
    expect(await store.closeConversation(close)).toBe(false);
    expect(await message('out_csat_1')).toBeUndefined();
    expect(await store.closeConversation({ ...close, seenVersion: 3 })).toBe(true);
    const after = await conversation();
    expect(after).toMatchObject({
      state: 'closed',
      gsi1pk: conversationsByStatePk('100', 'closed'),
      closedAt: LATER,
      closedBy: 'agent-1',
      closeOutcome: 'resolved',
      closeReason: 'customer_request',
      outcome: 'resolved',
      outcomeBy: 'person',
      outcomeAt: LATER,
      csatRequestedAt: LATER,
      csatOutboundId: 'out_csat_1',
      version: 4,
    });
    expect(after?.csatScore).toBeUndefined();
    expect(after?.csatMessageId).toBeUndefined();
    expect(await message('out_csat_1')).toMatchObject({ replyKind: 'csat_question', optionsLabel: 'Rate', lsi1sk: messageTimeSk(LATER, 'out_csat_1') });
  });

  it('closes without a question', async () => {
    await putConversation('bot');
    const store = humanAgentStore(table.db, tableName, 30);
    const closed = await store.closeConversation({
      conversationKey: KEY,
      accountId: '100',
      agentId: 'agent-1',
      at: LATER,
      outcome: 'resolved',
      reason: 'no_handoff',
      by: 'person',
      seenState: 'bot',
      seenVersion: 3,
    });
    expect(closed).toBe(true);
    const after = await conversation();
    expect(after).toMatchObject({ state: 'closed', closeReason: 'no_handoff' });
    expect(after?.csatOutboundId).toBeUndefined();
    expect(after?.csatRequestedAt).toBeUndefined();
  });
});

describe('conversation views store', () => {
  it('reads a conversation, its latest messages newest first, and its latest customer message', async () => {
    await putConversation('human');
    await putMessage('in1', '2026-11-21T11:00:00.000Z', 'inbound');
    await putMessage('in2', '2026-11-21T11:01:00.000Z', 'inbound');
    await putMessage('out1', '2026-11-21T11:02:00.000Z', 'outbound');
    const views = conversationViewsStore(table.db, tableName);
    expect(await views.conversation(KEY)).toMatchObject({ conversationKey: KEY, state: 'human' });
    expect(await views.conversation('wa:100:none')).toBeUndefined();
    expect((await views.latestMessages(KEY, 2)).map((m) => m.messageId)).toEqual(['out1', 'in2']);
    expect(await views.latestCustomerMessageSk(KEY)).toBe(messageTimeSk('2026-11-21T11:01:00.000Z', 'in2'));
    expect(await views.latestCustomerMessageSk('wa:100:none')).toBeUndefined();
  });

  it('finds the latest customer message behind more than a page of the business’s own', async () => {
    await putConversation('human');
    await putMessage('in1', '2026-11-21T10:00:00.000Z', 'inbound');
    for (let i = 0; i < 30; i++) await putMessage(`out${i}`, `2026-11-21T11:${String(i).padStart(2, '0')}:00.000Z`, 'outbound');
    expect(await conversationViewsStore(table.db, tableName).latestCustomerMessageSk(KEY)).toBe(messageTimeSk('2026-11-21T10:00:00.000Z', 'in1'));
  });

  it('pages an account’s conversations in a state, oldest transition first', async () => {
    for (const [i, key] of ['wa:100:1', 'wa:100:2', 'wa:100:3'].entries()) {
      await putConversation('human', { gsi1sk: `2026-11-21T12:0${i}:00.000Z#${key}` }, key);
    }
    await putConversation('bot', {}, 'wa:100:4');
    const views = conversationViewsStore(table.db, tableName);
    const first = await views.conversationsInState('100', 'human', 2, undefined);
    expect(first.items.map((c) => c.conversationKey)).toEqual(['wa:100:1', 'wa:100:2']);
    expect(first.lastKey).toMatchObject({ gsi1pk: conversationsByStatePk('100', 'human') });
    const second = await views.conversationsInState('100', 'human', 2, first.lastKey as Record<string, string>);
    expect(second.items.map((c) => c.conversationKey)).toEqual(['wa:100:3']);
    expect(second.lastKey).toBeUndefined();
  });
});
