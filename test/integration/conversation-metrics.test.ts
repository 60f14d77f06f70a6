import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { domainEventFor } from '#lambdas/conversation/domain-events';
import type { MessageEvent, StatusEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { applyDeliveryStatus, type StatusDeps } from '#lambdas/status/apply-delivery-status';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';
import { dynamoStatusStores } from '#lambdas/status/status-stores';

let table: TestTable & { newTable(): Promise<string> };
let deps: StatusDeps;
let tableName: string;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
  deps = { ...dynamoStatusStores(table.db, tableName), publisher: { publish: async () => undefined } };
});

const KEY = 'wa:100:5511999';
const IG_KEY = 'ig:17841400000000001:6100000000000001';
const recordDeps = () => ({ ...dynamoConversationStores(table.db, tableName), retentionDays: 30 });

/** An inbound message (customer or imported history) stored as the normalizer stores it. */
async function inbound(key: string, id: string, occurredAt: string, origin: 'customer' | 'history' = 'customer') {
  const event: MessageEvent = {
    kind: 'message',
    channel: key.startsWith('ig:') ? 'instagram' : 'whatsapp',
    conversationKey: key,
    accountId: key.split(':')[1] ?? '100',
    businessAccountId: '200',
    occurredAt,
    eventId: `evt:${id}`,
    direction: 'inbound',
    origin,
    providerMessageId: id,
    customer: { id: key.split(':')[2] ?? '5511999' },
    type: 'text',
    text: 'hello',
  };
  await recordNormalizedEvent(event, { receivedAt: occurredAt }, recordDeps());
}

/** An outbound message that reached Meta: the item and pointer the outbound sender (or normalizer) writes. */
async function outbound(key: string, messageId: string, providerMessageId: string, sentAt: string, origin = 'agent') {
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: `CONV#${key}`,
        sk: `MSG#${messageId}`,
        lsi1sk: `MSG#${sentAt}#${messageId}`,
        entity: 'Message',
        messageId,
        direction: 'outbound',
        origin,
        type: 'text',
        status: 'sent',
        statusRank: 1,
        providerMessageId,
        occurredAt: sentAt,
        sentAt,
      },
    }),
  );
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: { pk: `PMID#${providerMessageId}`, sk: 'PMID', entity: 'ProviderMessageId', conversationKey: key, messageSk: `MSG#${messageId}` },
    }),
  );
}

async function receipt(key: string, providerMessageId: string | undefined, status: StatusEvent['status'], occurredAt: string, watermark?: string) {
  const event: StatusEvent = {
    kind: 'status',
    channel: key.startsWith('ig:') ? 'instagram' : 'whatsapp',
    conversationKey: key,
    accountId: key.split(':')[1] ?? '100',
    businessAccountId: '200',
    occurredAt,
    eventId: `status:${providerMessageId ?? watermark}:${status}`,
    status,
    ...(providerMessageId ? { providerMessageId } : {}),
    ...(watermark ? { watermark } : {}),
    customer: { id: key.split(':')[2] ?? '5511999' },
  };
  await recordNormalizedEvent(event, { receivedAt: occurredAt }, recordDeps());
  return applyDeliveryStatus(domainEventFor(event).detail, deps);
}

async function conversation(key: string) {
  const out = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${key}`, sk: 'CONV' }, ConsistentRead: true }));
  return out.Item ?? {};
}

describe('conversation metrics from delivery receipts on DynamoDB Local', () => {
  it('sets the first response once from the first customer message, and moves the last agent reply forward', async () => {
    // Months of imported history come first; they are not the customer's first message here.
    await inbound(KEY, 'wamid.old', '2026-06-01T09:00:00.000Z', 'history');
    await inbound(KEY, 'wamid.c1', '2026-11-21T10:00:00.000Z');
    await inbound(KEY, 'wamid.c2', '2026-11-21T10:00:02.000Z');
    await outbound(KEY, 'out_1', 'wamid.r1', '2026-11-21T10:00:04.500Z');
    await outbound(KEY, 'out_2', 'wamid.r2', '2026-11-21T10:01:00.000Z', 'human_agent');

    // WhatsApp's `sent` only confirms what the sender recorded; the first receipt past it counts.
    await receipt(KEY, 'wamid.r1', 'sent', '2026-11-21T10:00:05.000Z');
    expect((await conversation(KEY)).firstResponseAt).toBeUndefined();
    await receipt(KEY, 'wamid.r1', 'delivered', '2026-11-21T10:00:06.000Z');
    expect(await conversation(KEY)).toMatchObject({
      firstInboundAt: '2026-11-21T10:00:00.000Z',
      firstResponseAt: '2026-11-21T10:00:04.500Z',
      firstResponseMs: 4500,
      firstResponseMessageId: 'out_1',
      lastAgentReplyAt: '2026-11-21T10:00:04.500Z',
      lastAgentReplyMessageId: 'out_1',
    });

    for (const [id, status, at] of [
      ['wamid.r2', 'sent', '2026-11-21T10:01:01.000Z'],
      ['wamid.r1', 'delivered', '2026-11-21T10:01:02.000Z'],
      ['wamid.r1', 'sent', '2026-11-21T10:00:05.000Z'],
      ['wamid.r2', 'read', '2026-11-21T10:02:00.000Z'],
    ] as const) {
      await receipt(KEY, id, status, at);
    }
    expect(await conversation(KEY)).toMatchObject({
      firstResponseAt: '2026-11-21T10:00:04.500Z',
      firstResponseMs: 4500,
      firstResponseMessageId: 'out_1',
      lastAgentReplyAt: '2026-11-21T10:01:00.000Z',
      lastAgentReplyMessageId: 'out_2',
    });
  });

  it('ends with the true first response when the later reply is confirmed first', async () => {
    await inbound(KEY, 'wamid.c1', '2026-11-21T10:00:00.000Z');
    await outbound(KEY, 'out_1', 'wamid.r1', '2026-11-21T10:00:03.000Z');
    await outbound(KEY, 'out_2', 'wamid.r2', '2026-11-21T10:00:30.000Z');

    await receipt(KEY, 'wamid.r2', 'read', '2026-11-21T10:00:31.000Z');
    expect(await conversation(KEY)).toMatchObject({ firstResponseMs: 30_000, lastAgentReplyMessageId: 'out_2' });

    await receipt(KEY, 'wamid.r1', 'delivered', '2026-11-21T10:00:35.000Z');
    expect(await conversation(KEY)).toMatchObject({
      firstResponseAt: '2026-11-21T10:00:03.000Z',
      firstResponseMs: 3000,
      firstResponseMessageId: 'out_1',
      lastAgentReplyAt: '2026-11-21T10:00:30.000Z',
      lastAgentReplyMessageId: 'out_2',
    });
  });

  it('counts no imported history, campaign or failed message, and no reply before the customer wrote', async () => {
    await inbound(KEY, 'wamid.hist', '2026-06-01T09:00:00.000Z', 'history');
    await outbound(KEY, 'hist_reply', 'wamid.hr', '2026-06-01T09:05:00.000Z', 'history');
    await outbound(KEY, 'promo', 'wamid.p', '2026-11-21T09:00:00.000Z', 'campaign');
    await receipt(KEY, 'wamid.hr', 'read', '2026-06-01T09:06:00.000Z');
    await receipt(KEY, 'wamid.p', 'delivered', '2026-11-21T09:00:01.000Z');
    let metrics = await conversation(KEY);
    expect(metrics.lastAgentReplyAt).toBeUndefined();
    expect(metrics.firstResponseAt).toBeUndefined();

    // A person wrote first from the business app: a reply, but nothing to respond to yet.
    await outbound(KEY, 'app_1', 'wamid.a1', '2026-11-21T09:30:00.000Z', 'business_app');
    await receipt(KEY, 'wamid.a1', 'delivered', '2026-11-21T09:30:01.000Z');
    metrics = await conversation(KEY);
    expect(metrics.lastAgentReplyAt).toBe('2026-11-21T09:30:00.000Z');
    expect(metrics.firstResponseAt).toBeUndefined();

    // The customer answers; the bot's reply fails, the next one goes through.
    await inbound(KEY, 'wamid.c1', '2026-11-21T10:00:00.000Z');
    await outbound(KEY, 'out_f', 'wamid.f', '2026-11-21T10:00:02.000Z');
    await receipt(KEY, 'wamid.f', 'failed', '2026-11-21T10:00:03.000Z');
    expect((await conversation(KEY)).firstResponseAt).toBeUndefined();
    await outbound(KEY, 'out_ok', 'wamid.ok', '2026-11-21T10:00:10.000Z');
    await receipt(KEY, 'wamid.ok', 'delivered', '2026-11-21T10:00:11.000Z');
    expect(await conversation(KEY)).toMatchObject({ firstResponseMs: 10_000, firstResponseMessageId: 'out_ok', lastAgentReplyMessageId: 'out_ok' });
  });

  it('learns an Instagram reply from a read watermark, timed when Meta accepted it', async () => {
    await inbound(IG_KEY, 'm_c1', '2026-11-21T10:00:00.000Z');
    await outbound(IG_KEY, 'out_ig', 'm_r1', '2026-11-21T10:00:06.000Z');
    await receipt(IG_KEY, undefined, 'read', '2026-11-21T10:05:00.000Z', '2026-11-21T10:04:00.000Z');
    expect(await conversation(IG_KEY)).toMatchObject({
      firstResponseAt: '2026-11-21T10:00:06.000Z',
      firstResponseMs: 6000,
      lastAgentReplyAt: '2026-11-21T10:00:06.000Z',
    });
  });
});
