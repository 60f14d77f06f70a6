import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { MAX_WATCH_ROUNDS, watchReply, type WatchDeps } from '#lambdas/outbound/watch-reply';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';

let table: TestTable & { newTable(): Promise<string> };
let deps: WatchDeps;
let published: DomainEvent[];

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  published = [];
  deps = { db: table.db, tableName: await table.newTable(), publisher: { publish: async (e) => void published.push(...e) } };
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

async function reply(outboundId: string, status: string) {
  await table.db.send(
    new PutCommand({ TableName: deps.tableName, Item: { pk: `CONV#${KEY}`, sk: `MSG#${outboundId}`, entity: 'Message', messageId: outboundId, status } }),
  );
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
    await reply('out_s', 'sending');
    expect(await watchReply(request('out_s'), deps)).toEqual({ outcome: 'outcome_unknown' });
    expect(await watchReply(request('out_none'), deps)).toEqual({ outcome: 'missing' });
    expect(await watchReply({ v: 1, conversationKey: KEY }, deps)).toMatchObject({ outcome: 'invalid' });
    expect(published).toEqual([]);
  });
});
