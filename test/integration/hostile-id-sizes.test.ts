import { createHash, createHmac } from 'node:crypto';
import type { SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { cachedAccountReader } from '#lambdas/accounts/cached-account-reader';
import { registerChannelAccountIfAbsent } from '#lambdas/accounts/channel-account';
import { eventEntryBytes } from '#lambdas/conversation/domain-events';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { enqueueIngressEvents } from '#lambdas/ingress/enqueue-ingress-events';
import { processIngressRecord, type ProcessDeps, type ProcessResult } from '#lambdas/ingress/process-ingress-record';
import { receiveWebhook } from '#lambdas/ingress/receive-webhook';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { dynamoIngressStores } from '#lambdas/ingress/ingress-stores';
import { dynamoAccountRegistry } from '#lambdas/accounts/account-registry';

/**
 * Hostile id sizes through the real ingress path: a signed body is verified, split and enqueued
 * (large events parked as claim checks), and each queued record is normalized and recorded on
 * DynamoDB Local. Every record must be settled on its first attempt: a throw would be a retry,
 * and retries of a record that can never be written hold the customer's conversation (its FIFO
 * group) until the record is dead-lettered.
 */
const APP_SECRET = 'hostile-ids-secret';
const EVENT_LIMIT = 256 * 1024;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

let table: TestTable & { newTable(): Promise<string> };
let deps: ProcessDeps;
const published: DomainEvent[] = [];
const claimChecks = new Map<string, string>();

beforeAll(async () => {
  table = await startTestTable();
  deps = {
    ...dynamoIngressStores(table.db, table.tableName),
    retentionDays: 30,
    publisher: { publish: async (events) => void published.push(...events) },
    readClaimCheck: async ({ key }) => {
      const body = claimChecks.get(key);
      if (body === undefined) throw new Error('claim check not found');
      return body;
    },
    accounts: cachedAccountReader({ registry: dynamoAccountRegistry(table.db, table.tableName) }),
  };
  await registerChannelAccountIfAbsent(table.db, table.tableName, { accountId: '100', channel: 'whatsapp', businessId: 'b1', wabaId: '200', status: 'active' });
  await registerChannelAccountIfAbsent(table.db, table.tableName, { accountId: '300', channel: 'messenger', businessId: 'b1', status: 'active' });
});
afterAll(async () => table?.stop());

function whatsappText(messageId: string, from: string, text: string, timestamp = '1763730000'): string {
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
              contacts: [{ profile: { name: 'Ana' }, wa_id: from }],
              messages: [{ from, id: messageId, timestamp, type: 'text', text: { body: text } }],
            },
          },
        ],
      },
    ],
  });
}

/** Signs and posts a body to the webhook; returns the queue entries it sent, in order. */
async function post(body: string): Promise<SendMessageBatchRequestEntry[]> {
  const sent: SendMessageBatchRequestEntry[] = [];
  const sqs = {
    send: async (command: { input: { Entries?: SendMessageBatchRequestEntry[] } }) => {
      const entries = command.input.Entries ?? [];
      sent.push(...entries);
      return { Successful: entries.map((e) => ({ Id: e.Id, MessageId: e.Id })), Failed: [] };
    },
  } as unknown as SQSClient;
  const rawBody = Buffer.from(body);
  const signature = `sha256=${createHmac('sha256', APP_SECRET).update(rawBody).digest('hex')}`;
  const result = await receiveWebhook(
    { method: 'POST', rawBody, headers: { 'x-hub-signature-256': signature }, query: {} },
    { appSecret: APP_SECRET, verifyToken: 'v' },
    (events) =>
      enqueueIngressEvents(events, {
        sqs,
        queueUrl: 'https://sqs.local/ingress.fifo',
        claimChecks: { bucket: 'claims', put: async (key, stored) => void claimChecks.set(key, stored) },
        sleep: async () => {},
      }),
    () => new Date('2026-11-21T12:00:00.000Z'),
  );
  expect(result).toMatchObject({ statusCode: 200, outcome: 'accepted', quarantined: 0 });
  for (const entry of sent) {
    expect(entry.MessageGroupId!.length).toBeLessThanOrEqual(128);
    expect(entry.MessageDeduplicationId!.length).toBeLessThanOrEqual(128);
    expect(Buffer.byteLength(entry.MessageBody!)).toBeLessThanOrEqual(256 * 1024);
  }
  return sent;
}

/** One attempt per queued record, as the normalizer makes it: a throw fails the test. */
async function normalizeAll(entries: SendMessageBatchRequestEntry[]): Promise<ProcessResult[]> {
  const results: ProcessResult[] = [];
  for (const entry of entries) results.push(await processIngressRecord(entry.MessageBody!, deps));
  return results;
}

async function get(pk: string, sk: string) {
  return (await table.db.send(new GetCommand({ TableName: table.tableName, Key: { pk, sk } }))).Item;
}

function expectPublishedSmall(events: DomainEvent[]) {
  expect(events.length).toBeGreaterThan(0);
  for (const e of events) {
    expect(eventEntryBytes(e)).toBeLessThan(EVENT_LIMIT);
    // Ids only: far below the limit, whatever the payload's ids were.
    expect(Buffer.byteLength(JSON.stringify(e.detail))).toBeLessThan(2_048);
  }
}

describe('hostile id sizes on the ingress path (DynamoDB Local)', () => {
  it('records a message with a 1,100-character id on its first attempt, and the next message of that customer right after', async () => {
    const longId = `wamid.${'A'.repeat(1_094)}`;
    expect(longId).toHaveLength(1_100);
    const before = published.length;
    const entries = await post(whatsappText(longId, '5511777', 'first'));
    expect(entries).toHaveLength(1);
    expect(entries[0]!.MessageGroupId).toBe('wa:100:5511777');
    expect(await normalizeAll(entries)).toEqual([{ kind: 'message', channel: 'whatsapp', origin: 'customer', outcome: 'stored' }]);

    const hashed = `h:${sha(longId)}`;
    const item = await get('CONV#wa:100:5511777', `MSG#${hashed}`);
    expect(item).toMatchObject({ entity: 'Message', providerMessageId: hashed, text: 'first', eventId: `wa:msg:${hashed}` });
    expect(item!.rawIds).toEqual({ providerMessageId: longId });
    expect(Buffer.byteLength(item!.lsi1sk as string)).toBeLessThan(1_024);
    // A redelivery lands on the same item.
    expect(await normalizeAll(entries)).toEqual([expect.objectContaining({ kind: 'message', outcome: 'duplicate' })]);

    const next = await post(whatsappText('wamid.NEXT1', '5511777', 'second', '1763730060'));
    expect(next[0]!.MessageGroupId).toBe(entries[0]!.MessageGroupId);
    expect(await normalizeAll(next)).toEqual([{ kind: 'message', channel: 'whatsapp', origin: 'customer', outcome: 'stored' }]);
    const history = await table.db.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: 'byTime',
        Select: 'ALL_ATTRIBUTES',
        KeyConditionExpression: 'pk = :pk AND begins_with(lsi1sk, :m)',
        ExpressionAttributeValues: { ':pk': 'CONV#wa:100:5511777', ':m': 'MSG#' },
      }),
    );
    expect(history.Items?.map((i) => i.text)).toEqual(['first', 'second']);
    expect(await get('CONV#wa:100:5511777', 'CONV')).toMatchObject({ inboundCount: 2, lastInboundMessageId: 'wamid.NEXT1' });

    const mine = published.slice(before);
    expect(mine.map((e) => e.detailType)).toEqual(['message.received', 'message.received', 'message.received']);
    expect(mine[0]!.detail).toMatchObject({ providerMessageId: hashed, conversationKey: 'wa:100:5511777' });
    expectPublishedSmall(mine);
  });

  it("records a message from a 300 KB customer id (parked as a claim check) on its first attempt, and that customer's next message", async () => {
    const hugeFrom = `55${'1'.repeat(300 * 1024)}`;
    const hashed = `h:${sha(hugeFrom)}`;
    const key = `wa:100:${hashed}`;
    const before = published.length;
    const entries = await post(whatsappText('wamid.HUGEFROM1', hugeFrom, 'hola'));
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0]!.MessageBody!)).toMatchObject({ claimCheck: { bucket: 'claims' }, conversationKey: key });
    expect(await normalizeAll(entries)).toEqual([{ kind: 'message', channel: 'whatsapp', origin: 'customer', outcome: 'stored' }]);

    const item = await get(`CONV#${key}`, 'MSG#wamid.HUGEFROM1');
    expect(item).toMatchObject({ customerId: hashed, customerWaId: hashed, conversationKey: key, text: 'hola' });
    expect((item!.rawIds as Record<string, string>)['customer.id']).toBe(hugeFrom.slice(0, 4_096));
    expect(await get(`CONV#${key}`, 'CONV')).toMatchObject({ customerId: hashed, inboundCount: 1 });

    const next = await post(whatsappText('wamid.HUGEFROM2', hugeFrom, 'otra vez', '1763730060'));
    expect(next[0]!.MessageGroupId).toBe(entries[0]!.MessageGroupId);
    expect(await normalizeAll(next)).toEqual([{ kind: 'message', channel: 'whatsapp', origin: 'customer', outcome: 'stored' }]);
    expect(await get(`CONV#${key}`, 'CONV')).toMatchObject({ inboundCount: 2, lastInboundMessageId: 'wamid.HUGEFROM2' });

    const mine = published.slice(before);
    expect(mine.map((e) => e.detailType)).toEqual(['message.received', 'message.received']);
    expect(mine[0]!.detail).toMatchObject({ conversationKey: key });
    expectPublishedSmall(mine);
  });

  it('quarantines at once an event the bus could never carry (a receipt naming thousands of messages)', async () => {
    const mids = Array.from({ length: 5_000 }, (_, i) => `m_${String(i).padStart(6, '0')}${'x'.repeat(60)}`);
    const body = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: '300',
          time: 1763730000000,
          messaging: [
            {
              sender: { id: '7000000000000001' },
              recipient: { id: '300' },
              timestamp: 1763730000000,
              delivery: { mids, watermark: 1763730000000 },
            },
          ],
        },
      ],
    });
    const before = published.length;
    const entries = await post(body);
    const results = await normalizeAll(entries);
    expect(results).toEqual([{ kind: 'quarantine', channel: 'messenger', outcome: 'stored', reason: 'event_too_large' }]);
    expectPublishedSmall(published.slice(before));
    expect(published.slice(before).map((e) => e.detailType)).toEqual(['event.quarantined']);
  });

  it('stores a quarantine item whatever its ids, reason, detail and raw payload weigh', async () => {
    const eventId = `wa:msg:${'Z'.repeat(5_000)}`;
    const outcome = await recordNormalizedEvent(
      {
        kind: 'quarantine',
        channel: 'whatsapp',
        conversationKey: `wa:100:${'9'.repeat(300 * 1024)}`,
        eventId,
        occurredAt: '2026-11-21T12:00:00.000Z',
        reason: `schema:whatsapp.${'f'.repeat(10_000)}`,
        detail: 'value.x: invalid_type; '.repeat(5_000),
      },
      // 350,000 two-byte characters: 700 KB of raw payload.
      { receivedAt: '2026-11-21T12:00:00.000Z', rawPayload: 'é'.repeat(350_000), claimCheck: { bucket: 'claims', key: 'claims/2026-11-21/abc.json' } },
      deps,
    );
    expect(outcome).toBe('stored');
    const item = await get(`QUARANTINE#h:${sha(eventId)}`, 'QUARANTINE');
    expect(item).toMatchObject({ entity: 'QuarantinedEvent', rawTruncated: true, rawBytes: 700_000, claimCheckKey: 'claims/2026-11-21/abc.json' });
    expect(Buffer.byteLength(item!.rawPayload as string)).toBeLessThanOrEqual(300_000);
    expect((item!.rawIds as Record<string, string>).eventId).toBe(eventId.slice(0, 4_096));
  });
});
