import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReplyStore, type ReplyStore } from '#lambdas/outbound/reply-store';
import { fakeReplyStore } from '#test/helpers/fakes/reply-store-fake';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

let table: TestTable & { newTable(): Promise<string> };
let tableName: string;
let store: ReplyStore;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
  store = createReplyStore(table.db, tableName);
});

const KEY = 'wa:100:5511999';
const ref = (outboundId: string) => ({ conversationKey: KEY, outboundId });
const AT = '2026-11-21T12:00:00.000Z';
const LATER = '2026-11-21T12:00:05.000Z';

async function reply(outboundId: string, status: string, extra: Record<string, unknown> = {}) {
  const item = { pk: `CONV#${KEY}`, sk: `MSG#${outboundId}`, entity: 'Message', messageId: outboundId, direction: 'outbound', status, ...extra };
  await table.db.send(new PutCommand({ TableName: tableName, Item: item }));
}
async function itemOf(outboundId: string) {
  return (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${KEY}`, sk: `MSG#${outboundId}` }, ConsistentRead: true }))).Item;
}
async function pointerOf(providerMessageId: string) {
  return (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `PMID#${providerMessageId}`, sk: 'PMID' }, ConsistentRead: true }))).Item;
}

describe('reply store on DynamoDB Local', () => {
  it('claims a pending reply once, counting the attempt; a second claim is refused', async () => {
    await reply('out_1', 'pending');
    expect(await store.claimReply(ref('out_1'), AT)).toBe(true);
    expect(await itemOf('out_1')).toMatchObject({ status: 'sending', sendingAt: AT, attempts: 1 });
    expect(await store.claimReply(ref('out_1'), LATER)).toBe(false);
    expect(await itemOf('out_1')).toMatchObject({ status: 'sending', sendingAt: AT, attempts: 1 });
    // Nothing to claim where there is no reply, and nothing created.
    expect(await store.claimReply(ref('out_none'), AT)).toBe(false);
    expect(await itemOf('out_none')).toBeUndefined();
  });

  it('hands a claim back without counting it, and releases for retry only from sending', async () => {
    await reply('out_1', 'pending');
    await store.claimReply(ref('out_1'), AT);
    await store.unclaimReply(ref('out_1'));
    expect(await itemOf('out_1')).toMatchObject({ status: 'pending', attempts: 0 });
    await expect(store.unclaimReply(ref('out_1'))).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });

    await store.claimReply(ref('out_1'), AT);
    await store.releaseForRetry(ref('out_1'), { at: LATER, code: 130429, notBeforeMs: 1_800_000_000_000 });
    expect(await itemOf('out_1')).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastErrorAt: LATER,
      lastErrorCode: 130429,
      retryNotBeforeMs: 1_800_000_000_000,
    });
    await expect(store.releaseForRetry(ref('out_1'), { at: LATER, code: null, notBeforeMs: 0 })).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
  });

  it('writes the pointer, then records the send from sending only, keeping the first send time', async () => {
    await reply('out_1', 'sending', { sentAt: '2026-11-21T11:59:59.000Z' });
    await store.pointProviderId({ providerMessageId: 'wamid.A', conversationKey: KEY, messageSk: 'MSG#out_1', expiresAt: 1_900_000_000 });
    expect(await pointerOf('wamid.A')).toEqual({
      pk: 'PMID#wamid.A',
      sk: 'PMID',
      entity: 'ProviderMessageId',
      conversationKey: KEY,
      messageSk: 'MSG#out_1',
      expiresAt: 1_900_000_000,
    });
    expect(await store.recordSent(ref('out_1'), { providerMessageId: 'wamid.A', recipientWaId: '48XXXXXXXXX', at: AT })).toBe(true);
    expect(await itemOf('out_1')).toMatchObject({
      status: 'sent',
      statusRank: 1,
      providerMessageId: 'wamid.A',
      sentAt: '2026-11-21T11:59:59.000Z',
      statusUpdatedAt: AT,
      recipientWaId: '48XXXXXXXXX',
    });
    // Refused once it is no longer sending (a receipt recorded it first).
    expect(await store.recordSent(ref('out_1'), { providerMessageId: 'wamid.A', at: LATER })).toBe(false);
    // The sender's pointer is written whatever is there.
    await store.pointProviderId({ providerMessageId: 'wamid.A', conversationKey: KEY, messageSk: 'MSG#out_2' });
    expect(await pointerOf('wamid.A')).toMatchObject({ messageSk: 'MSG#out_2' });
    expect((await pointerOf('wamid.A'))?.expiresAt).toBeUndefined();
  });

  it('refuses by the send rules only from pending, and marks a failure only from sending', async () => {
    await reply('out_r', 'pending');
    expect(await store.refuseReply(ref('out_r'), { at: AT, reason: 'marketing_opted_out' })).toBe(true);
    expect(await itemOf('out_r')).toMatchObject({
      status: 'failed',
      statusRank: 5,
      failedAt: AT,
      statusUpdatedAt: AT,
      failureReason: 'marketing_opted_out',
      errorClassification: 'rule',
    });
    expect(await store.refuseReply(ref('out_r'), { at: LATER, reason: 'other' })).toBe(false);

    await reply('out_f', 'sending');
    await store.markFailed(ref('out_f'), { at: AT, code: 131047, title: 'Re-engagement message', classification: 'permanent', details: 'outside window' });
    expect(await itemOf('out_f')).toMatchObject({
      status: 'failed',
      statusRank: 5,
      failedAt: AT,
      statusUpdatedAt: AT,
      errorCode: 131047,
      errorTitle: 'Re-engagement message',
      errorClassification: 'permanent',
      errorDetails: 'outside window',
    });
    await expect(store.markFailed(ref('out_f'), { at: AT, code: null, title: 'x', classification: 'auth' })).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    await store.markFailureAnnounced(ref('out_f'), LATER);
    expect((await itemOf('out_f'))?.failureAnnouncedAt).toBe(LATER);
  });

  it('notes an unknown outcome only on a reply still sending', async () => {
    await reply('out_u', 'sending');
    await store.noteOutcomeUnknown(ref('out_u'), AT);
    expect(await itemOf('out_u')).toMatchObject({ status: 'sending', sendOutcomeUnknownAt: AT });
    await reply('out_p', 'pending');
    await expect(store.noteOutcomeUnknown(ref('out_p'), AT)).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  it('lets the watch release only the same claim, without a provider id', async () => {
    await reply('out_w', 'sending', { channel: 'whatsapp', sendingAt: AT, body: 'not read by the watch' });
    expect(await store.readClaim(ref('out_w'))).toEqual({ status: 'sending', channel: 'whatsapp', sendingAt: AT });
    expect(await store.releaseStaleClaim(ref('out_w'), LATER, LATER)).toBe(false);
    expect(await store.releaseStaleClaim(ref('out_w'), AT, LATER)).toBe(true);
    expect(await itemOf('out_w')).toMatchObject({ status: 'pending', sendOutcomeUnknownAt: LATER, releasedByWatchAt: LATER });
    await reply('out_m', 'sending', { sendingAt: AT, providerMessageId: 'wamid.M' });
    expect(await store.releaseStaleClaim(ref('out_m'), AT, LATER)).toBe(false);
    expect(await store.readClaim(ref('out_none'))).toBeUndefined();
  });

  it('completes an interrupted send from a receipt: the pointer once, the send only without a provider id', async () => {
    await reply('out_i', 'pending', { releasedByWatchAt: AT, expiresAt: 1_900_000_000, text: 'not read' });
    expect(await store.readSendRecord(ref('out_i'))).toEqual({ direction: 'outbound', status: 'pending', expiresAt: 1_900_000_000, releasedByWatchAt: AT });
    const pointer = { providerMessageId: 'wamid.I', conversationKey: KEY, messageSk: 'MSG#out_i' };
    expect(await store.pointProviderIdOnce(pointer)).toBe(true);
    expect(await store.pointProviderIdOnce({ ...pointer, messageSk: 'MSG#other' })).toBe(false);
    expect(await pointerOf('wamid.I')).toMatchObject({ messageSk: 'MSG#out_i' });
    expect(await store.recordSentFromReceipt(ref('out_i'), { providerMessageId: 'wamid.I', at: AT })).toBe(true);
    expect(await itemOf('out_i')).toMatchObject({ status: 'sent', statusRank: 1, providerMessageId: 'wamid.I', sentAt: AT, sendRecordedFrom: 'receipt' });
    expect(await store.recordSentFromReceipt(ref('out_i'), { providerMessageId: 'wamid.I', at: LATER })).toBe(false);
    // A plain pending reply (never claimed) is not completed by a receipt.
    await reply('out_p', 'pending');
    expect(await store.recordSentFromReceipt(ref('out_p'), { providerMessageId: 'wamid.P', at: AT })).toBe(false);
  });

  it('the in-memory fake answers the same transitions as the table', async () => {
    const fake = fakeReplyStore();
    for (const [s, name] of [
      [store, 'table'],
      [fake, 'fake'],
    ] as const) {
      if (name === 'fake') fake.put(ref('out_c'), { direction: 'outbound', status: 'pending' });
      else await reply('out_c', 'pending');
      const answers = [
        await s.claimReply(ref('out_c'), AT),
        await s.claimReply(ref('out_c'), AT),
        await s.releaseStaleClaim(ref('out_c'), AT, LATER),
        await s.recordSentFromReceipt(ref('out_c'), { providerMessageId: 'wamid.C', at: AT }),
        await s.recordSent(ref('out_c'), { providerMessageId: 'wamid.C', at: AT }),
        await s.refuseReply(ref('out_c'), { at: AT, reason: 'x' }),
      ];
      expect(answers, name).toEqual([true, false, true, true, false, false]);
    }
    expect(await itemOf('out_c')).toMatchObject(fake.get(ref('out_c'))!);
  });
});
