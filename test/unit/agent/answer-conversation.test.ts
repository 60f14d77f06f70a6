import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { documentClient } from '#lambdas/adapters/dynamodb';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { answerConversation, type AgentDeps } from '#lambdas/agent/answer-conversation';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { fixedBotSettings } from '#lambdas/bot-settings/account-bot-settings';
import { ConversationBusyError } from '#lambdas/agent/errors';
import { outboundIdFor } from '#lambdas/agent/outbound-id';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';

const ddb = mockClient(DynamoDBDocumentClient);
let published: DomainEvent[];
let deps: AgentDeps;

const KEY = 'wa:100:5511999';
const NOW = new Date('2026-11-21T12:00:00.000Z');

const wakeUp = (providerMessageId = 'wamid.3', overrides: Record<string, unknown> = {}) => ({
  v: 1,
  conversationKey: KEY,
  channel: 'whatsapp',
  accountId: '100',
  eventId: `wa:msg:${providerMessageId}`,
  occurredAt: '2026-11-21T11:59:00.000Z',
  providerMessageId,
  type: 'text',
  origin: 'customer',
  direction: 'inbound',
  standby: false,
  ...overrides,
});

const conversation = (overrides: Record<string, unknown> = {}) => ({
  pk: `CONV#${KEY}`,
  sk: 'CONV',
  entity: 'Conversation',
  state: 'bot',
  channel: 'whatsapp',
  accountId: '100',
  businessAccountId: '200',
  customerId: '5511999',
  ...overrides,
});

const inbound = (id: string, at: string, text: string) => ({
  pk: `CONV#${KEY}`,
  sk: `MSG#${id}`,
  lsi1sk: `MSG#${at}#${id}`,
  entity: 'Message',
  providerMessageId: id,
  direction: 'inbound',
  origin: 'customer',
  type: 'text',
  text,
  occurredAt: at,
  customerWaId: '5511999',
});

const burst = [
  inbound('wamid.1', '2026-11-21T11:58:00.000Z', 'hola'),
  inbound('wamid.2', '2026-11-21T11:58:30.000Z', 'mi pedido no llegó'),
  inbound('wamid.3', '2026-11-21T11:59:00.000Z', 'es urgente por favor'),
];

function cancelled(...codes: string[]) {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

beforeEach(() => {
  ddb.reset();
  published = [];
  deps = {
    ...dynamoConversationStores(documentClient(new DynamoDBClient({ region: 'us-east-1' })), 'table'),
    publisher: { publish: async (events) => void published.push(...events) },
    retentionDays: 30,
    now: () => NOW,
    botSettings: fixedBotSettings(demoBotSettings()),
  };
});

describe('answerConversation', () => {
  it('answers a burst of three messages with one reply keyed by the latest', async () => {
    ddb.on(GetCommand).resolves({ Item: conversation() });
    ddb.on(QueryCommand).resolves({ Items: burst });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});

    const result = await answerConversation(wakeUp(), deps);

    const outboundId = outboundIdFor(KEY, 'wamid.3');
    expect(result).toEqual({ outcome: 'replied', outboundId, answeredCount: 3, kind: 'faq_answer' });
    const [put, claim] = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(put!.Put!.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put!.Put!.Item).toMatchObject({
      pk: `CONV#${KEY}`,
      sk: `MSG#${outboundId}`,
      lsi1sk: `MSG#2026-11-21T12:00:00.000Z#${outboundId}`,
      entity: 'Message',
      direction: 'outbound',
      origin: 'agent',
      type: 'text',
      status: 'pending',
      channel: 'whatsapp',
      accountId: '100',
      customerId: '5511999',
      recipientId: '5511999',
      language: 'es',
      replyToMessageIds: ['wamid.1', 'wamid.2', 'wamid.3'],
      expiresAt: Math.floor(NOW.getTime() / 1000) + 30 * 86_400,
    });
    expect(put!.Put!.Item!.text).toContain('enlace de seguimiento');
    expect(put!.Put!.Item!.faqId).toBe('order_tracking');
    expect(claim!.Update!.ConditionExpression).toContain('attribute_not_exists(answeredThroughSk)');
    expect(published).toEqual([
      {
        source: 'io.omnichannel.agent',
        detailType: 'reply.requested',
        detail: { v: 1, conversationKey: KEY, outboundId, channel: 'whatsapp', accountId: '100' },
      },
    ]);
    const advance = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(advance.ExpressionAttributeValues).toMatchObject({ ':through': burst[2]!.lsi1sk, ':now': NOW.toISOString() });
    expect(advance.ConditionExpression).toContain('answeredThroughSk < :through');
  });

  it('offers the menu as interactive buttons on a greeting', async () => {
    ddb.on(GetCommand).resolves({ Item: conversation() });
    ddb.on(QueryCommand).resolves({ Items: [inbound('wamid.9', '2026-11-21T11:59:00.000Z', 'Hi!')] });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});

    expect(await answerConversation(wakeUp('wamid.9'), deps)).toMatchObject({ outcome: 'replied', kind: 'menu' });
    const item = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![0]!.Put!.Item!;
    expect(item.type).toBe('interactive');
    expect(item.replyOptions).toHaveLength(3);
  });

  it('reads only the messages after the answered mark', async () => {
    const mark = burst[1]!.lsi1sk;
    ddb.on(GetCommand).resolves({ Item: conversation({ answeredThroughSk: mark }) });
    ddb.on(QueryCommand).resolves({ Items: burst.slice(1) });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});

    expect(await answerConversation(wakeUp(), deps)).toMatchObject({ outcome: 'replied', answeredCount: 1 });
    const query = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query).toMatchObject({ IndexName: 'byTime', ConsistentRead: true });
    expect(query.ExpressionAttributeValues).toMatchObject({ ':from': mark, ':to': 'MSG$' });
    const claim = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![1]!.Update!;
    expect(claim.ExpressionAttributeValues).toMatchObject({ ':seen': mark });
  });

  it.each([
    ['a human owns the conversation', conversation({ state: 'human' }), burst, 'not_bot'],
    ['a human agent owns the conversation', conversation({ state: 'human' }), burst, 'not_bot'],
    ['nothing is unanswered', conversation({ answeredThroughSk: burst[2]!.lsi1sk }), [burst[2]!], 'nothing_to_answer'],
    ['the window closed', conversation(), [inbound('wamid.old', '2026-11-20T11:59:59.000Z', 'hola')], 'window_closed'],
  ])('does not reply when %s', async (_, conv, items, reason) => {
    ddb.on(GetCommand).resolves({ Item: conv });
    ddb.on(QueryCommand).resolves({ Items: items });

    expect(await answerConversation(wakeUp(), deps)).toEqual({ outcome: 'skipped', reason });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(published).toEqual([]);
  });

  it('ignores history, standby messages and invalid events without reading the table', async () => {
    expect(await answerConversation(wakeUp('m', { origin: 'history' }), deps)).toEqual({
      outcome: 'skipped',
      reason: 'not_customer_message',
    });
    expect(await answerConversation(wakeUp('m', { standby: true }), deps)).toEqual({ outcome: 'skipped', reason: 'not_customer_message' });
    expect(await answerConversation(wakeUp('m', { standby: true, origin: 'business_echo', direction: 'outbound' }), deps)).toEqual({
      outcome: 'skipped',
      reason: 'not_customer_message',
    });
    expect(await answerConversation({ v: 1 }, deps)).toMatchObject({ outcome: 'invalid' });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('reopens a closed conversation for the bot when the customer writes something other than a score', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: conversation({ state: 'closed', csatRequestedAt: '2026-11-21T11:00:00.000Z' }) })
      .resolves({ Item: conversation() });
    ddb.on(QueryCommand).resolves({ Items: burst });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});

    expect(await answerConversation(wakeUp(), deps)).toMatchObject({ outcome: 'replied', kind: 'faq_answer' });
    const reopen = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(reopen.ConditionExpression).toContain('#state = :closed');
    expect(reopen.ExpressionAttributeValues).toMatchObject({ ':toState': 'bot', ':toGsi1pk': 'ACCT#100#STATE#bot' });
  });

  it('finishes a reply an earlier attempt wrote but may not have requested', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: conversation({ pendingReplyId: 'out_earlier', pendingReplyThroughSk: burst[2]!.lsi1sk }) })
      .resolves({ Item: conversation({ answeredThroughSk: burst[2]!.lsi1sk }) });
    ddb.on(QueryCommand).resolves({ Items: [burst[2]!] });
    ddb.on(UpdateCommand).resolves({});

    expect(await answerConversation(wakeUp(), deps)).toEqual({
      outcome: 'skipped',
      reason: 'nothing_to_answer',
      resumedOutboundId: 'out_earlier',
    });
    expect(published.map((e) => e.detail.outboundId)).toEqual(['out_earlier']);
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':id': 'out_earlier',
      ':through': burst[2]!.lsi1sk,
    });
  });

  it('continues when its reply item already exists (the same burst was answered by an attempt that died)', async () => {
    ddb.on(GetCommand).resolves({ Item: conversation() });
    ddb.on(QueryCommand).resolves({ Items: burst });
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    ddb.on(UpdateCommand).resolves({});

    const result = await answerConversation(wakeUp(), deps);

    expect(result).toMatchObject({ outcome: 'replied', outboundId: outboundIdFor(KEY, 'wamid.3') });
    expect(published.map((e) => e.detail.outboundId)).toEqual([outboundIdFor(KEY, 'wamid.3')]);
  });

  it('reads again when another wake-up claimed the conversation first, and answers only what is left', async () => {
    const other = outboundIdFor(KEY, 'wamid.2');
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: conversation() })
      .resolvesOnce({ Item: conversation({ pendingReplyId: other, pendingReplyThroughSk: burst[1]!.lsi1sk }) })
      .resolves({ Item: conversation({ answeredThroughSk: burst[1]!.lsi1sk }) });
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: burst })
      .resolves({ Items: burst.slice(2) });
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'ConditionalCheckFailed')).resolves({});
    ddb.on(UpdateCommand).resolves({});

    const result = await answerConversation(wakeUp(), deps);

    expect(result).toEqual({
      outcome: 'replied',
      outboundId: outboundIdFor(KEY, 'wamid.3'),
      answeredCount: 1,
      kind: 'fallback',
      resumedOutboundId: other,
    });
    const secondPut = ddb.commandCalls(TransactWriteCommand)[1]!.args[0].input.TransactItems![0]!.Put!.Item!;
    expect(secondPut.replyToMessageIds).toEqual(['wamid.3']);
  });

  it('gives up with a retryable error when the conversation keeps changing', async () => {
    ddb.on(GetCommand).resolves({ Item: conversation() });
    ddb.on(QueryCommand).resolves({ Items: burst });
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));

    await expect(answerConversation(wakeUp(), deps)).rejects.toBeInstanceOf(ConversationBusyError);
    expect(published).toEqual([]);
  });

  it('does not swallow a throttled transaction', async () => {
    ddb.on(GetCommand).resolves({ Item: conversation() });
    ddb.on(QueryCommand).resolves({ Items: burst });
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ThrottlingError'));

    await expect(answerConversation(wakeUp(), deps)).rejects.toMatchObject({ name: 'TransactionCanceledException' });
  });
});
