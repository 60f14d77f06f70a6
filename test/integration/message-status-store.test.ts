import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMessageStatusStore, type MessageStatusStore } from '#lambdas/status/message-status-store';
import { fakeMessageStatusStore } from '#test/helpers/fakes/message-status-store-fake';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

let table: TestTable & { newTable(): Promise<string> };
let tableName: string;
let store: MessageStatusStore;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
  store = createMessageStatusStore(table.db, tableName);
});

const KEY = 'wa:100:5511999';
const REF = { conversationKey: KEY, messageSk: 'MSG#out_1' };
const AT = '2026-11-21T10:00:05.000Z';
const LATER = '2026-11-21T10:00:09.000Z';

async function put(item: Record<string, unknown>) {
  await table.db.send(new PutCommand({ TableName: tableName, Item: item }));
}
async function message(sk = 'MSG#out_1', conversationKey = KEY) {
  return (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${conversationKey}`, sk }, ConsistentRead: true }))).Item;
}
const sentMessage = (extra: Record<string, unknown> = {}) =>
  put({ pk: `CONV#${KEY}`, sk: 'MSG#out_1', direction: 'outbound', providerMessageId: 'wamid.A', status: 'sent', statusRank: 1, ...extra });

describe('message status store on DynamoDB Local', () => {
  it('finds a message through its provider-id pointer, and nothing without one', async () => {
    await put({ pk: 'PMID#wamid.A', sk: 'PMID', conversationKey: KEY, messageSk: 'MSG#out_1' });
    expect(await store.findByProviderId('wamid.A')).toEqual(REF);
    expect(await store.findByProviderId('wamid.NONE')).toBeUndefined();
  });

  it('advances only a message with its provider id that is behind the status, stamping the time once and the first details', async () => {
    await put({ pk: `CONV#${KEY}`, sk: 'MSG#out_1', direction: 'outbound', status: 'sending' });
    // No provider id yet: the receipt waits.
    expect(await store.advanceStatus(REF, { status: 'delivered', at: AT, eventId: 'e1' })).toBeUndefined();

    await sentMessage();
    const change = { status: 'delivered' as const, at: AT, eventId: 'e1', pricingCategory: 'service', billable: false };
    expect(await store.advanceStatus(REF, change)).toMatchObject({
      status: 'delivered',
      statusRank: 2,
      deliveredAt: AT,
      statusUpdatedAt: AT,
      statusEventId: 'e1',
      pricingCategory: 'service',
      billable: false,
    });
    // At the status already: refused.
    expect(await store.advanceStatus(REF, { ...change, at: LATER, eventId: 'e2' })).toBeUndefined();
    expect(await store.advanceStatus(REF, { status: 'failed', at: LATER, eventId: 'e3', errorCode: 131047, errorTitle: 'Title' })).toMatchObject({
      status: 'failed',
      statusRank: 5,
      failedAt: LATER,
      errorCode: 131047,
      errorTitle: 'Title',
      deliveredAt: AT,
    });
  });

  it('stamps a time only on a message at or past the status, once, without moving it', async () => {
    await sentMessage();
    expect(await store.stampStatusTime(REF, { status: 'read', at: AT, eventId: 'e-read' })).toBeUndefined();
    await sentMessage({ status: 'read', statusRank: 3, statusEventId: 'e-read' });
    expect(await store.stampStatusTime(REF, { status: 'delivered', at: AT, eventId: 'e-del', pricingCategory: 'utility' })).toMatchObject({
      status: 'read',
      statusRank: 3,
      statusEventId: 'e-read',
      deliveredAt: AT,
      pricingCategory: 'utility',
    });
    expect(await store.stampStatusTime(REF, { status: 'delivered', at: LATER, eventId: 'e-del', pricingCategory: 'other' })).toMatchObject({
      deliveredAt: AT,
      pricingCategory: 'utility',
    });
  });

  it("reads a `sent` receipt's view of the message: its send and a campaign message's fields", async () => {
    await sentMessage({ statusEventId: 'the-sender', text: 'not read', campaignId: 'cmp1' });
    const item = await store.readSendState(REF);
    expect(item).toMatchObject({ providerMessageId: 'wamid.A', statusRank: 1, statusEventId: 'the-sender', campaignId: 'cmp1' });
    expect(item?.text).toBeUndefined();
  });

  it('lists the business messages up to a watermark that reached Meta and lack the status', async () => {
    const conversationKey = 'fb:1:2';
    const msg = (id: string, occurredAt: string, extra: Record<string, unknown>) =>
      put({ pk: `CONV#${conversationKey}`, sk: `MSG#${id}`, lsi1sk: `MSG#${occurredAt}#${id}`, occurredAt, ...extra });
    await msg('m_1', '2026-11-21T09:59:00.000Z', { direction: 'outbound', providerMessageId: 'mid.1', status: 'sent' });
    // At the watermark's very instant: included.
    await msg('m_2', '2026-11-21T10:00:00.000Z', { direction: 'outbound', providerMessageId: 'mid.2', status: 'delivered' });
    await msg('m_3', '2026-11-21T10:00:00.001Z', { direction: 'outbound', providerMessageId: 'mid.3', status: 'sent' });
    await msg('m_4', '2026-11-21T09:58:00.000Z', { direction: 'outbound', providerMessageId: 'mid.4', readAt: '2026-11-21T09:59:00.000Z' });
    await msg('m_5', '2026-11-21T09:58:30.000Z', {
      direction: 'outbound',
      providerMessageId: 'mid.5',
      readAt: '2026-11-21T09:59:00.000Z',
      statusEventId: 'fb:read:1',
    });
    await msg('m_6', '2026-11-21T09:57:00.000Z', { direction: 'outbound', status: 'pending' });
    await msg('m_7', '2026-11-21T09:56:00.000Z', { direction: 'inbound', providerMessageId: 'mid.7' });
    const refs = await store.messagesUpToWatermark(conversationKey, '2026-11-21T10:00:00.000Z', 'read', 'fb:read:1');
    expect(refs).toEqual([
      { conversationKey, messageSk: 'MSG#m_5' },
      { conversationKey, messageSk: 'MSG#m_1' },
      { conversationKey, messageSk: 'MSG#m_2' },
    ]);
  });

  it('reads the StatusChange item the normalizer kept', async () => {
    await put({ pk: `CONV#${KEY}`, sk: 'STATUS#wamid.A#failed', errorTitle: 'Re-engagement message' });
    expect(await store.readStatusChange(KEY, 'wamid.A', 'failed')).toMatchObject({ errorTitle: 'Re-engagement message' });
    expect(await store.readStatusChange(KEY, 'wamid.A', 'delivered')).toBeUndefined();
  });

  it('prices a message once, all attributes together, and takes back only its own price', async () => {
    const price = {
      metaPricingModel: 'PMP',
      metaCategory: 'utility',
      metaPricingType: 'regular',
      metaBillable: true,
      rateCardDate: '2026-07-01',
      metaPricedAt: AT,
      recipientCountry: 'BR',
      rateMarket: 'BR',
      metaChargeUsd: 0.008,
    };
    await put({ pk: `CONV#${KEY}`, sk: 'MSG#out_1', status: 'sending' });
    expect(await store.priceMessage(REF, price, true)).toBeUndefined();
    await sentMessage({ accountId: '100' });
    expect(await store.priceMessage(REF, price, true)).toMatchObject({ ...price, accountId: '100' });
    expect(await store.priceMessage(REF, { ...price, metaPricedAt: LATER, metaCategory: 'marketing' }, false)).toBeUndefined();
    await store.unpriceMessage(REF, LATER);
    expect(await message()).toMatchObject(price);
    await store.unpriceMessage(REF, AT);
    const after = await message();
    for (const name of Object.keys(price)) expect(after?.[name], name).toBeUndefined();
    // Without the item asked for, the write answers nothing of it.
    expect(await store.priceMessage(REF, price, false)).toEqual({});
  });

  it('the in-memory fake moves a message as the table does', async () => {
    const fake = fakeMessageStatusStore();
    await sentMessage();
    fake.putMessage(REF, { direction: 'outbound', providerMessageId: 'wamid.A', status: 'sent', statusRank: 1 }, 'wamid.A');
    for (const s of [store, fake]) {
      expect(await s.advanceStatus(REF, { status: 'read', at: AT, eventId: 'e-read' })).toBeDefined();
      expect(await s.advanceStatus(REF, { status: 'delivered', at: AT, eventId: 'e-del' })).toBeUndefined();
      expect(await s.stampStatusTime(REF, { status: 'delivered', at: LATER, eventId: 'e-del' })).toBeDefined();
      expect(await s.stampStatusTime(REF, { status: 'failed', at: LATER, eventId: 'e-f' })).toBeUndefined();
    }
    expect(await message()).toMatchObject({ ...fake.message(REF), sk: 'MSG#out_1' });
  });
});
