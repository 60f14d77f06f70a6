import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { domainEventFor } from '#lambdas/conversation/domain-events';
import type { MessageEvent, StatusEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { applyDeliveryStatus, type StatusDeps } from '#lambdas/status/apply-delivery-status';
import { MessageNotYetKnownError } from '#lambdas/status/errors';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';
import { dynamoStatusStores } from '#lambdas/status/status-stores';

let table: TestTable & { newTable(): Promise<string> };
let deps: StatusDeps;
let tableName: string;
let published: DomainEvent[];

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  published = [];
  tableName = await table.newTable();
  deps = { ...dynamoStatusStores(table.db, tableName), publisher: { publish: async (e) => void published.push(...e) } };
});

const WA_KEY = 'wa:100:5511999';
const ctx = { receivedAt: '2026-11-21T12:00:00.000Z' };
const recordDeps = () => ({ ...dynamoConversationStores(table.db, tableName), retentionDays: 30 });

/** A business message that reached Meta: the item and pointer the outbound sender writes. */
async function seedSentMessage(key: string, messageId: string, providerMessageId: string, occurredAt: string) {
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: `CONV#${key}`,
        sk: `MSG#${messageId}`,
        lsi1sk: `MSG#${occurredAt}#${messageId}`,
        entity: 'Message',
        messageId,
        direction: 'outbound',
        origin: 'agent',
        type: 'text',
        status: 'sent',
        statusRank: 1,
        providerMessageId,
        occurredAt,
        sentAt: occurredAt,
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

function waStatus(providerMessageId: string, status: StatusEvent['status'], occurredAt: string, extra: Partial<StatusEvent> = {}): StatusEvent {
  return {
    kind: 'status',
    channel: 'whatsapp',
    conversationKey: WA_KEY,
    accountId: '100',
    businessAccountId: '200',
    occurredAt,
    eventId: `wa:status:${providerMessageId}:${status}`,
    status,
    providerMessageId,
    customer: { id: '5511999', waId: '5511999' },
    ...extra,
  };
}

/** The normalizer's half (record + build the published detail), then status tracking. */
async function deliver(event: StatusEvent, receiveCount = 1) {
  await recordNormalizedEvent(event, ctx, recordDeps());
  return applyDeliveryStatus(domainEventFor(event).detail, deps, { receiveCount });
}

async function message(key: string, messageId: string) {
  const out = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${key}`, sk: `MSG#${messageId}` } }));
  return out.Item!;
}

describe('status tracking on DynamoDB Local', () => {
  it('ends at the highest status with every timestamp, whatever the order and however many duplicates', async () => {
    await seedSentMessage(WA_KEY, 'out_a', 'wamid.A', '2026-11-21T10:00:00.000Z');
    const sent = waStatus('wamid.A', 'sent', '2026-11-21T10:00:01.000Z');
    const delivered = waStatus('wamid.A', 'delivered', '2026-11-21T10:00:02.000Z');
    const read = waStatus('wamid.A', 'read', '2026-11-21T10:00:09.000Z');

    for (const event of [read, delivered, sent, read, delivered, delivered]) await deliver(event);

    expect(await message(WA_KEY, 'out_a')).toMatchObject({
      status: 'read',
      statusRank: 3,
      // The sender's own send time stays; the receipts' times fill the rest.
      sentAt: '2026-11-21T10:00:00.000Z',
      deliveredAt: '2026-11-21T10:00:02.000Z',
      readAt: '2026-11-21T10:00:09.000Z',
    });
    // Only `read` ever moved the status forward; `delivered` arrived after it. The redelivered
    // `read` is announced again (at least once, never marked, as wake-ups are idempotent).
    expect(published.map((e) => e.detailType)).toEqual(['message.read', 'message.read']);
    expect(published[0]!.detail).toMatchObject({ messageId: 'out_a', providerMessageId: 'wamid.A', status: 'read' });
  });

  it('announces each step once when receipts arrive in order, and moves on to played', async () => {
    await seedSentMessage(WA_KEY, 'out_v', 'wamid.V', '2026-11-21T10:00:00.000Z');
    for (const status of ['delivered', 'read', 'played', 'read'] as const) {
      await deliver(waStatus('wamid.V', status, `2026-11-21T10:0${['delivered', 'read', 'played'].indexOf(status) + 1}:00.000Z`));
    }
    expect(await message(WA_KEY, 'out_v')).toMatchObject({ status: 'played', statusRank: 4, playedAt: '2026-11-21T10:03:00.000Z' });
    expect(published.map((e) => e.detailType)).toEqual(['message.delivered', 'message.read']);
  });

  it("records a failure with Meta's code and title; nothing moves a failed message", async () => {
    await seedSentMessage(WA_KEY, 'out_f', 'wamid.F', '2026-11-21T10:00:00.000Z');
    await deliver(
      waStatus('wamid.F', 'failed', '2026-11-21T10:00:03.000Z', {
        errors: [{ code: 131026, title: 'Message undeliverable' }],
      }),
    );
    await deliver(waStatus('wamid.F', 'read', '2026-11-21T10:00:04.000Z'));

    expect(await message(WA_KEY, 'out_f')).toMatchObject({
      status: 'failed',
      statusRank: 5,
      failedAt: '2026-11-21T10:00:03.000Z',
      readAt: '2026-11-21T10:00:04.000Z',
      errorCode: 131026,
      errorTitle: 'Message undeliverable',
    });
    expect(published.map((e) => [e.detailType, e.detail.errorCode])).toEqual([['message.failed', 131026]]);
  });

  it('stores the pricing category and billable flag Meta reports, whichever receipt brings them first', async () => {
    await seedSentMessage(WA_KEY, 'out_p', 'wamid.P', '2026-11-21T10:00:00.000Z');
    const pricing = { category: 'service', billable: false, pricingModel: 'PMP', type: 'free_customer_service' };
    await deliver(waStatus('wamid.P', 'read', '2026-11-21T10:00:05.000Z'));
    await deliver(waStatus('wamid.P', 'delivered', '2026-11-21T10:00:02.000Z', { pricing }));
    await deliver(waStatus('wamid.P', 'sent', '2026-11-21T10:00:01.000Z', { pricing: { ...pricing, category: 'marketing', billable: true } }));

    expect(await message(WA_KEY, 'out_p')).toMatchObject({ status: 'read', pricingCategory: 'service', billable: false });
  });

  it("retries a receipt that beat the send's own write, then applies it once the message exists", async () => {
    const early = waStatus('wamid.LATE', 'delivered', '2026-11-21T10:00:02.000Z');
    await expect(deliver(early, 1)).rejects.toBeInstanceOf(MessageNotYetKnownError);

    await seedSentMessage(WA_KEY, 'out_late', 'wamid.LATE', '2026-11-21T10:00:00.000Z');
    expect(await deliver(early, 2)).toMatchObject({ outcome: 'applied', advanced: 1 });
    expect(await message(WA_KEY, 'out_late')).toMatchObject({ status: 'delivered', deliveredAt: '2026-11-21T10:00:02.000Z' });
  });

  it('waits while the sender has pointed the provider id at a message it has not yet recorded as sent', async () => {
    const key = { pk: `CONV#${WA_KEY}`, sk: 'MSG#out_mid' };
    await table.db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...key,
          lsi1sk: 'MSG#2026-11-21T10:00:00.000Z#out_mid',
          entity: 'Message',
          messageId: 'out_mid',
          direction: 'outbound',
          origin: 'agent',
          status: 'sending',
        },
      }),
    );
    await table.db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: 'PMID#wamid.MID', sk: 'PMID', entity: 'ProviderMessageId', conversationKey: WA_KEY, messageSk: 'MSG#out_mid' },
      }),
    );
    const delivered = waStatus('wamid.MID', 'delivered', '2026-11-21T10:00:02.000Z');
    await expect(deliver(delivered, 1)).rejects.toBeInstanceOf(MessageNotYetKnownError);
    expect(await message(WA_KEY, 'out_mid')).toEqual({
      ...key,
      lsi1sk: 'MSG#2026-11-21T10:00:00.000Z#out_mid',
      entity: 'Message',
      messageId: 'out_mid',
      direction: 'outbound',
      origin: 'agent',
      status: 'sending',
    });

    // The sender records the send; the retried receipt then moves the message on.
    await table.db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET #status = :sent, statusRank = :one, providerMessageId = :pmid, sentAt = :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':one': 1, ':pmid': 'wamid.MID', ':at': '2026-11-21T10:00:01.000Z' },
      }),
    );
    expect(await deliver(delivered, 2)).toMatchObject({ outcome: 'applied', advanced: 1 });
    expect(await message(WA_KEY, 'out_mid')).toMatchObject({
      status: 'delivered',
      sentAt: '2026-11-21T10:00:01.000Z',
      deliveredAt: '2026-11-21T10:00:02.000Z',
    });
  });

  it('gives up on a receipt for a message it never learns about', async () => {
    const stray = waStatus('wamid.NEVER', 'read', '2026-11-21T10:00:02.000Z');
    for (const receive of [1, 2, 3]) await expect(deliver(stray, receive)).rejects.toBeInstanceOf(MessageNotYetKnownError);
    expect(await deliver(stray, 4)).toEqual({ outcome: 'applied', advanced: 0, recorded: 0, unknownMessageIds: ['wamid.NEVER'] });
  });

  it('applies a Messenger read watermark to the business messages sent before it, and only those', async () => {
    const key = 'fb:PAGE:PSID';
    await seedSentMessage(key, 'out_1', 'mid.1', '2026-11-21T10:00:00.000Z');
    await seedSentMessage(key, 'out_2', 'mid.2', '2026-11-21T10:05:00.000Z');
    await seedSentMessage(key, 'out_3', 'mid.3', '2026-11-21T10:10:00.000Z');
    const inbound: MessageEvent = {
      kind: 'message',
      channel: 'messenger',
      conversationKey: key,
      accountId: 'PAGE',
      businessAccountId: 'PAGE',
      occurredAt: '2026-11-21T10:01:00.000Z',
      eventId: 'fb:msg:mid.in',
      direction: 'inbound',
      origin: 'customer',
      providerMessageId: 'mid.in',
      customer: { id: 'PSID' },
      type: 'text',
      text: 'hello',
    };
    await recordNormalizedEvent(inbound, ctx, recordDeps());

    const read: StatusEvent = {
      kind: 'status',
      channel: 'messenger',
      conversationKey: key,
      accountId: 'PAGE',
      businessAccountId: 'PAGE',
      occurredAt: '2026-11-21T10:06:00.000Z',
      eventId: 'fb:read:PSID:1763719500000',
      status: 'read',
      watermark: '2026-11-21T10:05:00.000Z',
      customer: { id: 'PSID' },
    };
    await deliver(read);
    await deliver(read);

    expect(await message(key, 'out_1')).toMatchObject({ status: 'read', readAt: '2026-11-21T10:06:00.000Z' });
    expect(await message(key, 'out_2')).toMatchObject({ status: 'read', readAt: '2026-11-21T10:06:00.000Z' });
    expect(await message(key, 'out_3')).toMatchObject({ status: 'sent' });
    expect((await message(key, 'mid.in')).readAt).toBeUndefined();
    // The redelivered watermark announces the same two messages again, and never out_3.
    expect(published.map((e) => e.detail.messageId).sort()).toEqual(['out_1', 'out_1', 'out_2', 'out_2']);
  });
});
