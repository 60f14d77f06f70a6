import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MessageEvent, StatusEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent, type RecordDeps } from '#lambdas/conversation/record-normalized-event';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';

let table: TestTable & { newTable(): Promise<string> };
let deps: RecordDeps;
let tableName: string;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
  deps = { ...dynamoConversationStores(table.db, tableName), retentionDays: 30, now: () => new Date('2026-11-21T12:00:00Z') };
});

const KEY = 'wa:100:5511999';
function inbound(id: string, at: string, overrides: Partial<MessageEvent> = {}): MessageEvent {
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
    text: `hello ${id}`,
    ...overrides,
  };
}
const ctx = { receivedAt: '2026-11-21T12:00:00.000Z' };

async function conversation() {
  const out = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${KEY}`, sk: 'CONV' } }));
  return out.Item!;
}
async function messagesInTimeOrder() {
  const out = await table.db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'byTime',
      Select: 'ALL_ATTRIBUTES',
      KeyConditionExpression: 'pk = :pk AND begins_with(lsi1sk, :m)',
      ExpressionAttributeValues: { ':pk': `CONV#${KEY}`, ':m': 'MSG#' },
    }),
  );
  return out.Items ?? [];
}

describe('recordNormalizedEvent on DynamoDB Local', () => {
  it('stores a message once, however often it is delivered', async () => {
    const m = inbound('wamid.A', '2026-11-21T10:00:00.000Z');
    expect(await recordNormalizedEvent(m, ctx, deps)).toBe('stored');
    expect(await recordNormalizedEvent(m, ctx, deps)).toBe('duplicate');
    expect(await recordNormalizedEvent({ ...m }, ctx, deps)).toBe('duplicate');
    const conv = await conversation();
    expect(conv.inboundCount).toBe(1);
    expect(conv.version).toBe(1);
    expect(conv.state).toBe('bot');
    expect(conv.customerName).toBe('Ana');
    expect(conv.gsi1pk).toBe('ACCT#100#STATE#bot');
    const msgs = await messagesInTimeOrder();
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({ entity: 'Message', type: 'text', text: 'hello wamid.A', direction: 'inbound', channel: 'whatsapp' });
    // A customer's message needs no provider-id pointer: receipts and echoes only name business messages.
    const pointer = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: 'PMID#wamid.A', sk: 'PMID' } }));
    expect(pointer.Item).toBeUndefined();
  });

  it("points a business message's provider id at it, so that its receipts find it", async () => {
    const echo = inbound('wamid.B', '2026-11-21T10:00:00.000Z', { origin: 'business_app', direction: 'outbound' });
    expect(await recordNormalizedEvent(echo, ctx, deps)).toBe('stored');
    expect(await recordNormalizedEvent(echo, ctx, deps)).toBe('duplicate');
    const pointer = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: 'PMID#wamid.B', sk: 'PMID' } }));
    expect(pointer.Item).toMatchObject({ conversationKey: KEY, messageSk: 'MSG#wamid.B' });
    expect(await conversation()).toMatchObject({ outboundCount: 1, lastOutboundAt: '2026-11-21T10:00:00.000Z', lastOutboundMessageId: 'wamid.B' });
  });

  it('keeps the last inbound time moving only forward when messages arrive out of order', async () => {
    await recordNormalizedEvent(inbound('wamid.2', '2026-11-21T10:05:00.000Z'), ctx, deps);
    await recordNormalizedEvent(inbound('wamid.1', '2026-11-21T10:01:00.000Z'), ctx, deps);
    await recordNormalizedEvent(inbound('wamid.3', '2026-11-21T10:03:00.000Z'), ctx, deps);
    const conv = await conversation();
    expect(conv.lastInboundAt).toBe('2026-11-21T10:05:00.000Z');
    expect(conv.lastInboundMessageId).toBe('wamid.2');
    expect(conv.createdAt).toBe('2026-11-21T10:05:00.000Z');
    expect((await messagesInTimeOrder()).map((m) => m.messageId)).toEqual(['wamid.1', 'wamid.3', 'wamid.2']);
  });

  it('does not let imported history or echoes open the customer window', async () => {
    await recordNormalizedEvent(inbound('wamid.h', '2026-11-21T11:00:00.000Z', { origin: 'history' }), ctx, deps);
    await recordNormalizedEvent(inbound('wamid.e', '2026-11-21T11:30:00.000Z', { origin: 'business_app', direction: 'outbound' }), ctx, deps);
    const conv = await conversation();
    expect(conv.lastInboundAt).toBeUndefined();
    expect(conv.lastOutboundAt).toBe('2026-11-21T11:30:00.000Z');
    expect(conv.importedCount).toBe(1);
    expect(conv.outboundCount).toBe(1);
  });

  it('recognises the echo of a message the pipeline itself sent and writes nothing', async () => {
    // The pointer the outbound sender writes when Meta accepts our message.
    await table.db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'PMID#mid.ours', sk: 'PMID', entity: 'ProviderMessageId', conversationKey: KEY, messageSk: 'MSG#out_1' },
      }),
    );
    const echo = inbound('mid.ours', '2026-11-21T10:00:01.000Z', { eventId: 'ig:echo:mid.ours', direction: 'outbound', origin: 'business_echo' });
    // Same provider id, stored under a different item (our own outbound id in real life).
    const outcome = await recordNormalizedEvent({ ...echo, conversationKey: 'wa:100:other' }, ctx, deps);
    expect(outcome).toBe('known_message');
  });

  it('records each status change once and keeps pricing flat for analysts', async () => {
    const status: StatusEvent = {
      kind: 'status',
      channel: 'whatsapp',
      conversationKey: KEY,
      accountId: '100',
      businessAccountId: '200',
      occurredAt: '2026-11-21T10:00:05.000Z',
      eventId: 'wa:status:wamid.X:delivered',
      status: 'delivered',
      providerMessageId: 'wamid.X',
      customer: { id: '5511999' },
      pricing: { category: 'service', billable: false, pricingModel: 'PMP', type: 'free_customer_service' },
    };
    expect(await recordNormalizedEvent(status, ctx, deps)).toBe('stored');
    expect(await recordNormalizedEvent(status, ctx, deps)).toBe('duplicate');
    const item = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${KEY}`, sk: 'STATUS#wamid.X#delivered' } }));
    expect(item.Item).toMatchObject({ entity: 'StatusChange', pricingCategory: 'service', pricingBillable: false, pricingModel: 'PMP' });
  });

  it('quarantines with the raw payload and a reason, once', async () => {
    const q = {
      kind: 'quarantine' as const,
      channel: 'unknown' as const,
      conversationKey: 'quarantine',
      eventId: 'quarantine:abc',
      occurredAt: ctx.receivedAt,
      reason: 'invalid_json',
    };
    expect(await recordNormalizedEvent(q, { ...ctx, rawPayload: '{not json' }, deps)).toBe('stored');
    expect(await recordNormalizedEvent(q, { ...ctx, rawPayload: '{not json' }, deps)).toBe('duplicate');
    const item = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: 'QUARANTINE#quarantine:abc', sk: 'QUARANTINE' } }));
    expect(item.Item).toMatchObject({ reason: 'invalid_json', rawPayload: '{not json', gsi1pk: 'QUARANTINE#2026-11-21' });
  });

  it('applies an edit to the stored message and keeps the original text', async () => {
    await recordNormalizedEvent(inbound('mid.E', '2026-11-21T10:00:00.000Z'), ctx, deps);
    const edit = {
      kind: 'message_edited' as const,
      channel: 'whatsapp' as const,
      conversationKey: KEY,
      accountId: '100',
      businessAccountId: '200',
      occurredAt: '2026-11-21T10:01:00.000Z',
      eventId: 'x:edit:mid.E:2',
      providerMessageId: 'mid.E',
      text: 'edited',
      editCount: 2,
      origin: 'customer' as const,
    };
    await recordNormalizedEvent(edit, ctx, deps);
    await recordNormalizedEvent({ ...edit, eventId: 'x:edit:mid.E:1', editCount: 1, text: 'older edit' }, ctx, deps);
    const msg = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${KEY}`, sk: 'MSG#mid.E' } }));
    expect(msg.Item).toMatchObject({ text: 'edited', originalText: 'hello mid.E', editCount: 2 });
  });
});
