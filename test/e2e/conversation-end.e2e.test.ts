import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { END_WATCH_CURSOR_KEY, endWatchBucketOf, endWatchPk, endWatchShardOf } from '#lambdas/conversation-end/end-watch-keys';
import { LOCAL_WHATSAPP_PHONE_NUMBER_ID as WA } from '#lib/local-cloud/graph-simulator/accounts';
import { eventually, LocalCloudHarness } from '#test/e2e/local-cloud-harness';
import { openAllWeekLocalTenants } from '#test/helpers/open-all-week';

/**
 * The end-of-conversation sweep in the local cloud: the agent's bundle watches the conversation it
 * answered, the template's schedule runs the sweep's bundle, which ends the conversation and
 * publishes `conversation.ended` on the emulated bus. A day cannot pass in a test, so the
 * conversation's last customer message is moved 25 hours back, as the sweep would find it tomorrow.
 */
const harness = new LocalCloudHarness();
harness.reportOnFailure(beforeEach);

beforeAll(async () => {
  // Open around the clock, so the bot answers whatever the hour (out of hours it hands off).
  await harness.start({ tenants: openAllWeekLocalTenants() });
}, 300_000);
afterAll(async () => {
  await harness.stop();
}, 60_000);

describe('the end of a conversation the bot alone held, on the local cloud', () => {
  it('the schedule is run locally, and a quiet conversation ends with an outcome once', async () => {
    expect(harness.cloud.schedules.specs.map((s) => [s.logicalId, s.functionLogicalId, s.everyMs])).toContainEqual([
      'BotConversationEndSchedule',
      'BotConversationEndFunction',
      900_000,
    ]);
    const customer = '5511900000123';
    const key = `wa:${WA}:${customer}`;
    await harness.customerSays({ channel: 'whatsapp', customerId: customer, text: 'how long does shipping take?' });
    await eventually(async () => (await harness.sendsTo(customer)).length === 1, 'the bot answers');

    // The agent's bundle put the conversation in the bucket of its due time, a day from now.
    const watched = await eventually(async () => {
      const items = (await harness.conversationItems(key)).filter((i) => i.entity === 'Message' && i.direction === 'inbound');
      const dueAt = new Date(Date.parse(items[0]!.occurredAt) + 24 * 3_600_000);
      const out = await harness.db.send(
        new QueryCommand({
          TableName: harness.cloud.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': endWatchPk(endWatchBucketOf(dueAt.getTime()), endWatchShardOf(key)) },
          ConsistentRead: true,
        }),
      );
      return out.Items?.find((i) => i.conversationKey === key);
    }, 'the watch item');
    expect(watched).toMatchObject({ entity: 'EndWatch', conversationKey: key });

    // A day later: the last customer message 25 hours old, its watch item in a bucket already over.
    const before = (await harness.conversationItems(key)).find((i) => i.entity === 'Conversation')!;
    const lastInboundAt = new Date(Date.parse(before.lastInboundAt) - 25 * 3_600_000).toISOString();
    await harness.db.send(
      new UpdateCommand({
        TableName: harness.cloud.tableName,
        Key: { pk: `CONV#${key}`, sk: 'CONV' },
        UpdateExpression: 'SET lastInboundAt = :at',
        ExpressionAttributeValues: { ':at': lastInboundAt },
      }),
    );
    const bucket = endWatchBucketOf(Date.now() - 30 * 60_000);
    await harness.db.send(
      new PutCommand({
        TableName: harness.cloud.tableName,
        Item: { pk: endWatchPk(bucket, endWatchShardOf(key)), sk: key, entity: 'EndWatch', conversationKey: key, dueAt: lastInboundAt },
      }),
    );

    const summary = (await harness.cloud.schedules.runNow('BotConversationEndSchedule')) as {
      ended: Record<string, number>;
      looked: number;
      sweptThrough: string;
    };
    expect(summary).toMatchObject({ looked: 1, ended: { resolved_by_bot: 1 } });
    const ended = (await harness.conversationItems(key)).find((i) => i.entity === 'Conversation')!;
    expect(ended).toMatchObject({
      state: 'bot',
      endOutcome: 'resolved_by_bot',
      endReason: 'answered',
      outcome: 'resolved_by_bot',
      outcomeBy: 'bot',
      endedInboundAt: lastInboundAt,
    });
    // Announced: the event went out on the bus before this was written.
    expect(ended.endAnnouncedAt).toBe(ended.endedAt);
    const cursor = await harness.db.send(
      new QueryCommand({
        TableName: harness.cloud.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': END_WATCH_CURSOR_KEY.pk },
      }),
    );
    expect(cursor.Items?.[0]?.sweptThrough >= bucket).toBe(true);
    // Nothing was sent to the customer.
    expect(await harness.sendsTo(customer)).toHaveLength(1);

    // The next run finds nothing more to do.
    expect(await harness.cloud.schedules.runNow('BotConversationEndSchedule')).toMatchObject({ looked: 0, ended: {} });
  });
});
