import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { registerChannelAccountIfAbsent } from '#lambdas/accounts/channel-account';
import { processIngressRecord, type ProcessDeps } from '#lambdas/ingress/process-ingress-record';
import { splitWebhookBody } from '#lambdas/ingress/split-webhook-body';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoIngressStores } from '#lambdas/ingress/ingress-stores';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

let table: TestTable & { newTable(): Promise<string> };
const published: DomainEvent[] = [];
let deps: ProcessDeps;

beforeAll(async () => {
  table = await startTestTable();
  deps = {
    ...dynamoIngressStores(table.db, table.tableName),
    retentionDays: 30,
    publisher: { publish: async (events) => void published.push(...events) },
    readClaimCheck: async () => {
      throw new Error('no claim checks here');
    },
    accounts: cachedAccountReader({ registry: dynamoAccountRegistry(table.db, table.tableName) }),
  };
  await registerChannelAccountIfAbsent(table.db, table.tableName, { accountId: '100', channel: 'whatsapp', businessId: 'b1', wabaId: '200', status: 'active' });
});
afterAll(async () => table?.stop());

function whatsappText(id: string, text: string): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '200',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '1555', phone_number_id: '100' },
              contacts: [{ profile: { name: 'Ana' }, wa_id: '5511999' }],
              messages: [{ from: '5511999', id, timestamp: '1763730000', type: 'text', text: { body: text } }],
            },
          },
        ],
      },
    ],
  });
}

function whatsappStatus(id: string, status: string, timestamp: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '200',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '1555', phone_number_id: '100' },
              statuses: [{ id, status, timestamp, recipient_id: '5511999', ...extra }],
            },
          },
        ],
      },
    ],
  });
}

async function seedSentReply(messageId: string, providerMessageId: string) {
  const key = 'wa:100:5511999';
  await table.db.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        pk: `CONV#${key}`,
        sk: `MSG#${messageId}`,
        lsi1sk: `MSG#2026-11-21T11:59:00.000Z#${messageId}`,
        entity: 'Message',
        messageId,
        direction: 'outbound',
        origin: 'agent',
        type: 'text',
        status: 'sent',
        statusRank: 1,
        providerMessageId,
        sentAt: '2026-11-21T11:59:00.000Z',
      },
    }),
  );
  await table.db.send(
    new PutCommand({ TableName: table.tableName, Item: { pk: `PMID#${providerMessageId}`, sk: 'PMID', conversationKey: key, messageSk: `MSG#${messageId}` } }),
  );
}

async function statusItems(): Promise<Array<Record<string, unknown>>> {
  const out = await table.db.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':pk': 'CONV#wa:100:5511999', ':s': 'STATUS#' },
    }),
  );
  return out.Items ?? [];
}

async function process(body: string) {
  const [event] = splitWebhookBody(body, { receivedAt: '2026-11-21T12:00:00.000Z' });
  return processIngressRecord(JSON.stringify(event), { ...deps, announce: (s) => s === 'failed' });
}

describe('delivery receipts applied by the normalizer on DynamoDB Local', () => {
  it('applies a receipt for a known reply to the message itself: no StatusChange item, nothing published', async () => {
    await seedSentReply('out_r1', 'wamid.R1');
    const before = published.length;
    const pricing = { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' };
    expect(await process(whatsappStatus('wamid.R1', 'sent', '1763726341', { pricing }))).toMatchObject({
      kind: 'status',
      outcome: 'stored',
      receipt: { handedOver: false },
    });
    expect(await process(whatsappStatus('wamid.R1', 'read', '1763726349'))).toMatchObject({ receipt: { status: { advanced: 1 } } });
    expect(await process(whatsappStatus('wamid.R1', 'delivered', '1763726342', { pricing }))).toMatchObject({ receipt: { status: { recorded: 1 } } });
    const message = await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'CONV#wa:100:5511999', sk: 'MSG#out_r1' } }));
    expect(message.Item).toMatchObject({
      status: 'read',
      sentAt: '2026-11-21T11:59:00.000Z',
      deliveredAt: new Date(1763726342_000).toISOString(),
      readAt: new Date(1763726349_000).toISOString(),
      pricingCategory: 'service',
      billable: false,
    });
    expect((await statusItems()).filter((i) => i.providerMessageId === 'wamid.R1')).toEqual([]);
    expect(published.slice(before)).toEqual([]);
  });

  it('keeps a receipt for a message not known yet and hands it to status tracking', async () => {
    const before = published.length;
    expect(await process(whatsappStatus('wamid.EARLY', 'delivered', '1763726342'))).toMatchObject({ outcome: 'stored', receipt: { handedOver: true } });
    expect((await statusItems()).filter((i) => i.providerMessageId === 'wamid.EARLY').map((i) => i.status)).toEqual(['delivered']);
    expect(published.slice(before).map((e) => [e.detailType, e.detail.providerMessageId])).toEqual([['message.status_received', 'wamid.EARLY']]);
  });

  it("completes a send whose record was lost from the receipt's callback data (our outbound id), then applies it", async () => {
    const key = 'wa:100:5511999';
    await table.db.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          pk: `CONV#${key}`,
          sk: 'MSG#out_lost1',
          lsi1sk: 'MSG#2026-11-21T11:59:30.000Z#out_lost1',
          entity: 'Message',
          messageId: 'out_lost1',
          direction: 'outbound',
          origin: 'agent',
          type: 'text',
          status: 'sending',
          attempts: 1,
          expiresAt: 1900000000,
        },
      }),
    );
    const before = published.length;
    const result = await process(whatsappStatus('wamid.LOST1', 'delivered', '1763726345', { biz_opaque_callback_data: 'out_lost1' }));
    expect(result).toMatchObject({ receipt: { handedOver: false, status: { advanced: 1 } } });
    const message = await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk: `CONV#${key}`, sk: 'MSG#out_lost1' } }));
    expect(message.Item).toMatchObject({
      status: 'delivered',
      providerMessageId: 'wamid.LOST1',
      sentAt: new Date(1763726345_000).toISOString(),
      deliveredAt: new Date(1763726345_000).toISOString(),
      sendRecordedFrom: 'receipt',
    });
    const pointer = await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'PMID#wamid.LOST1', sk: 'PMID' } }));
    expect(pointer.Item).toMatchObject({ conversationKey: key, messageSk: 'MSG#out_lost1', expiresAt: 1900000000 });
    expect(published.slice(before)).toEqual([]);
  });

  it('does not let callback data move a reply that is not waiting for its record, or one of another conversation', async () => {
    await seedSentReply('out_done1', 'wamid.DONE1');
    // Names a reply already sent under another provider id: handed over like any unknown receipt.
    expect(await process(whatsappStatus('wamid.OTHER', 'read', '1763726346', { biz_opaque_callback_data: 'out_done1' }))).toMatchObject({
      receipt: { handedOver: true },
    });
    // Names a reply of another conversation: not found under this receipt's conversation.
    await table.db.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          pk: 'CONV#wa:100:5511000',
          sk: 'MSG#out_elsewhere',
          entity: 'Message',
          messageId: 'out_elsewhere',
          direction: 'outbound',
          status: 'sending',
        },
      }),
    );
    expect(await process(whatsappStatus('wamid.ELSE', 'read', '1763726347', { biz_opaque_callback_data: 'out_elsewhere' }))).toMatchObject({
      receipt: { handedOver: true },
    });
    const elsewhere = await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'CONV#wa:100:5511000', sk: 'MSG#out_elsewhere' } }));
    expect(elsewhere.Item?.status).toBe('sending');
  });

  it('keeps a failure with its error list, marks the message failed and announces it', async () => {
    await seedSentReply('out_f1', 'wamid.F1');
    const before = published.length;
    const errors = [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable', error_data: { details: 'x' } }];
    await process(whatsappStatus('wamid.F1', 'failed', '1763726343', { errors }));
    const message = await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'CONV#wa:100:5511999', sk: 'MSG#out_f1' } }));
    expect(message.Item).toMatchObject({ status: 'failed', errorCode: 131026, errorTitle: 'Message undeliverable' });
    expect((await statusItems()).filter((i) => i.providerMessageId === 'wamid.F1').map((i) => i.status)).toEqual(['failed']);
    expect(published.slice(before).map((e) => e.detailType)).toEqual(['message.failed']);
  });
});

describe('processIngressRecord on DynamoDB Local', () => {
  it('stores a message and publishes message.received; a redelivery is a duplicate that publishes again', async () => {
    const [event] = splitWebhookBody(whatsappText('wamid.P1', 'hola'), { receivedAt: '2026-11-21T12:00:00.000Z' });
    const body = JSON.stringify(event);
    expect(await processIngressRecord(body, deps)).toEqual({ kind: 'message', channel: 'whatsapp', origin: 'customer', outcome: 'stored' });
    expect(await processIngressRecord(body, deps)).toEqual({ kind: 'message', channel: 'whatsapp', origin: 'customer', outcome: 'duplicate' });
    const received = published.filter((e) => e.detailType === 'message.received' && e.detail.providerMessageId === 'wamid.P1');
    expect(received).toHaveLength(2);
    expect(JSON.stringify(received[0]!.detail)).not.toContain('hola');
  });

  it('quarantines a record DynamoDB refuses as too large instead of retrying it forever', async () => {
    const [event] = splitWebhookBody(whatsappText('wamid.HUGE', 'x'.repeat(420 * 1024)), { receivedAt: '2026-11-21T12:00:00.000Z' });
    const result = await processIngressRecord(JSON.stringify(event), deps);
    expect(result).toEqual({ kind: 'quarantine', channel: 'whatsapp', outcome: 'stored', reason: 'store_rejected:invalid_item' });
    const item = await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'QUARANTINE#wa:msg:wamid.HUGE', sk: 'QUARANTINE' } }));
    expect(item.Item).toMatchObject({ reason: 'store_rejected:invalid_item', rawTruncated: true });
    expect(published.at(-1)).toMatchObject({ detailType: 'event.quarantined' });
  });

  it('stores a message whose customer id is too long for a DynamoDB key under its hash, keeping the raw id cut', async () => {
    const hugeFrom = '9'.repeat(5000);
    const body = whatsappText('wamid.LONGKEY', 'hola').replaceAll('5511999', hugeFrom);
    const [event] = splitWebhookBody(body, { receivedAt: '2026-11-21T12:00:00.000Z' });
    const hashed = `h:${createHash('sha256').update(hugeFrom).digest('hex')}`;
    // The splitter and the normalizer bound the same way: the queue group is this conversation's.
    expect(event!.conversationKey).toBe(`wa:100:${hashed}`);
    const before = published.length;
    const result = await processIngressRecord(JSON.stringify(event), deps);
    expect(result).toEqual({ kind: 'message', channel: 'whatsapp', origin: 'customer', outcome: 'stored' });
    const item = await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk: `CONV#wa:100:${hashed}`, sk: 'MSG#wamid.LONGKEY' } }));
    expect(item.Item).toMatchObject({ customerId: hashed, text: 'hola' });
    expect(item.Item!.rawIds['customer.id']).toBe(hugeFrom.slice(0, 4096));
    expect(published.slice(before)).toEqual([
      expect.objectContaining({ detailType: 'message.received', detail: expect.objectContaining({ conversationKey: `wa:100:${hashed}` }) }),
    ]);
    // A redelivery finds the same message.
    expect(await processIngressRecord(JSON.stringify(event), deps)).toMatchObject({ kind: 'message', outcome: 'duplicate' });
  });

  it('quarantines an SQS record that is not an ingress event at all', async () => {
    expect(await processIngressRecord('not json', deps)).toMatchObject({ kind: 'quarantine', reason: 'ingress_record_not_json' });
    expect(await processIngressRecord('{"v":2}', deps)).toMatchObject({ kind: 'quarantine', reason: 'ingress_record_schema' });
  });
});
