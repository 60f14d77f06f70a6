import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { completeInterruptedSend } from '#lambdas/status/complete-interrupted-send';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { MAX_WATCH_ROUNDS, watchReply, type WatchDeps } from '#lambdas/outbound/watch-reply';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { createReplyStore } from '#lambdas/outbound/reply-store';

let table: TestTable & { newTable(): Promise<string> };
let deps: WatchDeps;
let tableName: string;
let published: DomainEvent[];

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  published = [];
  tableName = await table.newTable();
  deps = { replies: createReplyStore(table.db, tableName), publisher: { publish: async (e) => void published.push(...e) } };
});

const KEY = 'wa:100:5511999';
const request = (outboundId: string, extra: Record<string, unknown> = {}) => ({
  v: 1,
  conversationKey: KEY,
  outboundId,
  channel: 'whatsapp',
  accountId: '100',
  ...extra,
});

async function reply(outboundId: string, status: string, extra: Record<string, unknown> = {}) {
  await table.db.send(
    new PutCommand({
      TableName: tableName,
      Item: { pk: `CONV#${KEY}`, sk: `MSG#${outboundId}`, entity: 'Message', messageId: outboundId, status, direction: 'outbound', ...extra },
    }),
  );
}

async function statusOf(outboundId: string) {
  const out = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${KEY}`, sk: `MSG#${outboundId}` }, ConsistentRead: true }));
  return out.Item;
}

describe('reply watch on DynamoDB Local', () => {
  it('asks again for a pending reply, counting rounds, and gives up after the last one', async () => {
    await reply('out_p', 'pending');
    expect(await watchReply(request('out_p'), deps)).toEqual({ outcome: 'requested_again', round: 1 });
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      source: 'io.omnichannel.reply-watch',
      detailType: 'reply.requested',
      detail: { v: 1, conversationKey: KEY, outboundId: 'out_p', channel: 'whatsapp', accountId: '100', watchRound: 1 },
    });
    // The request asked again comes back to the watch with its round.
    expect(await watchReply(published[0]!.detail, deps)).toEqual({ outcome: 'requested_again', round: 2 });
    expect(await watchReply(request('out_p', { watchRound: MAX_WATCH_ROUNDS }), deps)).toEqual({ outcome: 'given_up', rounds: MAX_WATCH_ROUNDS });
    expect(published).toHaveLength(2);
  });

  it('leaves finished replies alone and reports one left sending without asking for it again', async () => {
    for (const status of ['sent', 'delivered', 'read', 'failed']) {
      await reply(`out_${status}`, status);
      expect(await watchReply(request(`out_${status}`), deps)).toEqual({ outcome: 'finished' });
    }
    // Claimed a moment ago: maybe a send in progress; looked at again later, and reported after the last round.
    await reply('out_s', 'sending', { channel: 'whatsapp', sendingAt: new Date().toISOString() });
    expect(await watchReply(request('out_s'), deps)).toEqual({ outcome: 'claim_in_progress', round: 1 });
    expect(await watchReply(request('out_s', { watchRound: MAX_WATCH_ROUNDS }), deps)).toEqual({ outcome: 'outcome_unknown' });
    expect((await statusOf('out_s'))?.status).toBe('sending');
    expect(published.map((e) => [e.detail.outboundId, e.detail.watchRound])).toEqual([['out_s', 1]]);
    published.length = 0;
    // Claimed long ago on Instagram: Meta echoes no id there, so it may have it; reported only.
    await reply('out_ig', 'sending', { channel: 'instagram', sendingAt: '2026-11-21T10:00:00.000Z' });
    expect(await watchReply(request('out_ig', { channel: 'instagram' }), deps)).toEqual({ outcome: 'outcome_unknown' });
    expect((await statusOf('out_ig'))?.status).toBe('sending');
    expect(await watchReply(request('out_none'), deps)).toEqual({ outcome: 'missing' });
    expect(await watchReply({ v: 1, conversationKey: KEY }, deps)).toMatchObject({ outcome: 'invalid' });
    expect(published).toEqual([]);
  });

  it('gives a WhatsApp claim Meta never confirmed back to pending and asks again; a late receipt still completes it', async () => {
    await reply('out_w', 'sending', { channel: 'whatsapp', sendingAt: '2026-11-21T10:00:00.000Z', attempts: 1 });
    expect(await watchReply(request('out_w'), deps)).toEqual({ outcome: 'resent_after_unknown_outcome', round: 1 });
    expect(await statusOf('out_w')).toMatchObject({ status: 'pending', attempts: 1, releasedByWatchAt: expect.any(String) });
    expect(published.map((e) => e.detail.watchRound)).toEqual([1]);

    // Meta's receipt for that first claim arrives after all, before the resend is claimed: it
    // records the send, and the sender will find it sent.
    const completed = await completeInterruptedSend(
      {
        kind: 'status',
        channel: 'whatsapp',
        conversationKey: KEY,
        accountId: '100',
        businessAccountId: '200',
        eventId: 'wa:status:wamid.LATE:sent',
        occurredAt: '2026-11-21T10:00:01.000Z',
        status: 'sent',
        providerMessageId: 'wamid.LATE',
        bizOpaqueCallbackData: 'out_w',
        customer: { id: '5511999', waId: '5511999' },
      },
      { replies: createReplyStore(table.db, tableName) },
    );
    expect(completed).toBe(true);
    expect(await statusOf('out_w')).toMatchObject({ status: 'sent', providerMessageId: 'wamid.LATE' });
  });

  it('does not release a claim that moved on after it was read', async () => {
    await reply('out_m', 'sending', { channel: 'whatsapp', sendingAt: '2026-11-21T10:00:00.000Z', providerMessageId: 'wamid.M' });
    expect(await watchReply(request('out_m'), deps)).toEqual({ outcome: 'finished' });
    expect((await statusOf('out_m'))?.status).toBe('sending');
    expect(published).toEqual([]);
  });
});
