import { DeleteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent, EventPublisher } from '#lambdas/adapters/event-publisher';
import { answerConversation, type AgentDeps } from '#lambdas/agent/answer-conversation';
import { fixedBotSettings } from '#lambdas/bot-settings/account-bot-settings';
import { dynamoBotEndStore, dynamoEndWatch } from '#lambdas/conversation-end/bot-end-store';
import { END_WATCH_CURSOR_KEY, endWatchShardOf } from '#lambdas/conversation-end/end-watch-keys';
import { endQuietBotConversations, MAX_BUCKETS_PER_RUN, type EndSweepSummary } from '#lambdas/conversation-end/end-quiet-conversations';
import { domainEventFor } from '#lambdas/conversation/domain-events';
import type { MessageEvent } from '#lambdas/conversation/model';
import { recordNormalizedEvent } from '#lambdas/conversation/record-normalized-event';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { openAllWeek } from '#test/helpers/open-all-week';
import { dynamoConversationStores } from '#lambdas/conversation/conversation-stores';
import { EndSweepIncompleteError } from '#lambdas/conversation-end/errors';

/*
 * The end of conversations the bot alone holds, on DynamoDB Local: the agent answers real customer
 * messages (and so watches the conversation), the sweep runs at chosen times.
 */
let table: TestTable & { newTable(): Promise<string> };
let tableName: string;
let published: DomainEvent[];
let clock: Date;
let failPublishes: number;

const HOUR = 3_600_000;
const T0 = '2026-11-20T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms);
const settings = openAllWeek();

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());
beforeEach(async () => {
  tableName = await table.newTable();
  published = [];
  failPublishes = 0;
  clock = new Date(T0);
});

const publisher: EventPublisher = {
  async publish(events) {
    if (failPublishes > 0) {
      failPublishes -= 1;
      throw new Error('PutEvents failed');
    }
    published.push(...events);
  },
};

function agentDeps(): AgentDeps {
  return {
    ...dynamoConversationStores(table.db, tableName),
    publisher,
    retentionDays: 30,
    now: () => clock,
    replyQuietMs: 0,
    botSettings: fixedBotSettings(settings),
    endWatch: dynamoEndWatch({ db: table.db, tableName, now: () => clock }),
  };
}

function sweepDeps() {
  return {
    store: dynamoBotEndStore({ db: table.db, tableName }),
    watch: dynamoEndWatch({ db: table.db, tableName, now: () => clock }),
    publisher,
    botSettings: fixedBotSettings(settings),
    now: () => clock,
  };
}

/** Runs the sweep at `when` until it has caught up (a run reads a day of buckets at most). */
async function sweepAt(when: Date): Promise<EndSweepSummary> {
  clock = when;
  const total: EndSweepSummary = { buckets: 0, looked: 0, ended: {}, results: {}, failed: 0, stoppedEarly: false };
  for (;;) {
    const run = await endQuietBotConversations(sweepDeps());
    total.buckets += run.buckets;
    total.looked += run.looked;
    for (const [k, v] of Object.entries(run.results))
      total.results[k as keyof EndSweepSummary['results']] = (total.results[k as keyof EndSweepSummary['results']] ?? 0) + (v ?? 0);
    for (const [k, v] of Object.entries(run.ended))
      total.ended[k as keyof EndSweepSummary['ended']] = (total.ended[k as keyof EndSweepSummary['ended']] ?? 0) + (v ?? 0);
    if (run.sweptThrough) total.sweptThrough = run.sweptThrough;
    if (run.buckets < MAX_BUCKETS_PER_RUN) return total;
  }
}

let seq = 0;
/** A customer message recorded as the normalizer does, then answered by the agent at its own time. */
async function customerWrites(key: string, when: Date, text: string) {
  clock = when;
  const id = `wamid.${++seq}`;
  const event: MessageEvent = {
    kind: 'message',
    channel: 'whatsapp',
    conversationKey: key,
    accountId: '100',
    businessAccountId: '200',
    occurredAt: when.toISOString(),
    eventId: `wa:msg:${id}`,
    direction: 'inbound',
    origin: 'customer',
    providerMessageId: id,
    customer: { id: key.split(':')[2]!, waId: key.split(':')[2]!, name: 'Ana' },
    type: 'text',
    text,
  };
  await recordNormalizedEvent(event, { receivedAt: when.toISOString() }, { ...dynamoConversationStores(table.db, tableName), retentionDays: 30 });
  return answerConversation(domainEventFor(event).detail, agentDeps());
}

async function conversation(key: string) {
  const out = await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${key}`, sk: 'CONV' }, ConsistentRead: true }));
  return out.Item!;
}

const ended = () => published.filter((e) => e.detailType === 'conversation.ended');

describe('the end of conversations the bot alone holds (DynamoDB Local)', () => {
  it('ends a conversation the bot answered once the customer was quiet for 24 hours, once', async () => {
    const key = 'wa:100:5511000001';
    expect(await customerWrites(key, at(0), '¿cuánto tarda el envío?')).toMatchObject({ outcome: 'replied', kind: 'faq_answer' });
    published = [];

    // 23 h 59 min later nothing is due yet.
    expect(await sweepAt(at(24 * HOUR - 60_000))).toMatchObject({ looked: 0 });
    const run = await sweepAt(at(24 * HOUR + 20 * 60_000));
    expect(run).toMatchObject({ looked: 1, ended: { resolved_by_bot: 1 }, results: { ended: 1 } });
    const endedAt = at(24 * HOUR + 20 * 60_000).toISOString();
    expect(await conversation(key)).toMatchObject({
      state: 'bot',
      endedAt,
      endOutcome: 'resolved_by_bot',
      endReason: 'answered',
      endFaqId: 'shipping_time',
      endedInboundAt: T0,
      outcome: 'resolved_by_bot',
      outcomeReason: 'answered',
      outcomeAt: endedAt,
      outcomeBy: 'bot',
      endAnnouncedAt: endedAt,
      gsi1pk: 'ACCT#100#STATE#bot',
    });
    expect(ended()).toEqual([
      {
        source: 'io.omnichannel.agent',
        detailType: 'conversation.ended',
        detail: {
          v: 1,
          conversationKey: key,
          channel: 'whatsapp',
          accountId: '100',
          endedAt,
          outcome: 'resolved_by_bot',
          reason: 'answered',
          tags: [],
          lastInboundAt: T0,
          faqId: 'shipping_time',
          endAfterHours: 24,
        },
      },
    ]);
    // Nothing goes to the customer.
    expect(published.filter((e) => e.detailType === 'reply.requested')).toEqual([]);

    // A later run, and a run that lost its cursor and reads every bucket again: no second end.
    expect(await sweepAt(at(26 * HOUR))).toMatchObject({ looked: 0 });
    await table.db.send(new DeleteCommand({ TableName: tableName, Key: END_WATCH_CURSOR_KEY }));
    expect(await sweepAt(at(26 * HOUR))).toMatchObject({ looked: 1, results: { already_ended: 1 } });
    expect(ended()).toHaveLength(1);
  });

  it('does not end a conversation whose customer wrote again; it ends 24 hours after the newer message', async () => {
    const key = 'wa:100:5511000002';
    await customerWrites(key, at(0), 'hola');
    await customerWrites(key, at(20 * HOUR), '¿qué medios de pago aceptan?');

    const first = await sweepAt(at(24 * HOUR + 20 * 60_000));
    expect(first).toMatchObject({ looked: 1, results: { rearmed: 1 }, ended: {} });
    const untouched = await conversation(key);
    expect(untouched.endedAt).toBeUndefined();
    expect(untouched.outcome).toBeUndefined();
    expect(ended()).toEqual([]);

    expect(await sweepAt(at(44 * HOUR + 20 * 60_000))).toMatchObject({ ended: { resolved_by_bot: 1 } });
    expect(ended().map((e) => [e.detail.outcome, e.detail.lastInboundAt, e.detail.faqId])).toEqual([
      ['resolved_by_bot', at(20 * HOUR).toISOString(), 'payment_methods'],
    ]);
  });

  it('a customer who writes after the end goes on with the bot, and that exchange ends on its own', async () => {
    const key = 'wa:100:5511000003';
    await customerWrites(key, at(0), 'hola');
    await sweepAt(at(24 * HOUR + 20 * 60_000));
    expect(ended().map((e) => [e.detail.outcome, e.detail.reason])).toEqual([['no_response', 'no_reply_after_greeting']]);

    // Two days later the customer is back: the bot answers as in any conversation it holds.
    const back = await customerWrites(key, at(48 * HOUR), '¿cómo devuelvo un producto?');
    expect(back).toMatchObject({ outcome: 'replied', kind: 'faq_answer' });
    expect(await conversation(key)).toMatchObject({ state: 'bot', endOutcome: 'no_response' });

    await sweepAt(at(72 * HOUR + 20 * 60_000));
    expect(ended().map((e) => [e.detail.outcome, e.detail.reason, e.detail.lastInboundAt])).toEqual([
      ['no_response', 'no_reply_after_greeting', T0],
      ['resolved_by_bot', 'answered', at(48 * HOUR).toISOString()],
    ]);
    expect(await conversation(key)).toMatchObject({ endOutcome: 'resolved_by_bot', endedInboundAt: at(48 * HOUR).toISOString(), outcome: 'resolved_by_bot' });
  });

  it('ends an opt-out as opted out and leaves a conversation handed to a person alone', async () => {
    const optOut = 'wa:100:5511000004';
    const person = 'wa:100:5511000005';
    await customerWrites(optOut, at(0), 'STOP');
    expect(await customerWrites(person, at(0), 'quiero hablar con un agente')).toMatchObject({ outcome: 'replied', handoff: true });

    const run = await sweepAt(at(24 * HOUR + 20 * 60_000));
    expect(run).toMatchObject({ looked: 2, ended: { opted_out: 1 }, results: { ended: 1, not_bot: 1 } });
    expect(ended().map((e) => [e.detail.conversationKey, e.detail.outcome])).toEqual([[optOut, 'opted_out']]);
    expect((await conversation(person)).endedAt).toBeUndefined();
  });

  it('refuses an end decided before a new customer message landed', async () => {
    const key = 'wa:100:5511000006';
    await customerWrites(key, at(0), '¿cuánto tarda el envío?');
    const store = dynamoBotEndStore({ db: table.db, tableName });
    const seen = (await store.conversation(key))!;
    // The customer writes between the sweep's read and its write.
    await customerWrites(key, at(24 * HOUR + 60_000), 'y a Bogotá?');
    expect(await store.markEnded(seen, { outcome: 'resolved_by_bot', reason: 'answered', at: at(24 * HOUR + 90_000).toISOString() })).toBe(false);
    expect((await conversation(key)).endedAt).toBeUndefined();
  });

  it('announces an end whose event did not go out on the next run, and moves the cursor only past a whole bucket', async () => {
    const key = 'wa:100:5511000007';
    await customerWrites(key, at(0), '¿cuánto tarda el envío?');
    published = [];
    const when = at(24 * HOUR + 20 * 60_000);
    failPublishes = 1;
    clock = when;
    const failed = await endQuietBotConversations(sweepDeps()).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(EndSweepIncompleteError);
    const stuck = await conversation(key);
    expect(stuck).toMatchObject({ endOutcome: 'resolved_by_bot' });
    expect(stuck.endAnnouncedAt).toBeUndefined();
    const cursor = await table.db.send(new GetCommand({ TableName: tableName, Key: END_WATCH_CURSOR_KEY, ConsistentRead: true }));
    expect(cursor.Item?.sweptThrough < '2026-11-21T10:00').toBe(true);

    expect(await sweepAt(when)).toMatchObject({ results: { announced_again: 1 } });
    expect(ended()).toHaveLength(1);
    expect(ended()[0]!.detail).toMatchObject({ endedAt: stuck.endedAt, outcome: 'resolved_by_bot' });
    expect((await conversation(key)).endAnnouncedAt).toBe(when.toISOString());
  });

  it('the agent watches each conversation with one small item per quarter of an hour of due time', async () => {
    const key = 'wa:100:5511000008';
    await customerWrites(key, at(0), 'hola');
    await customerWrites(key, at(60_000), '¿cuánto tarda el envío?');
    const watched = await table.db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ENDWATCH#2026-11-21T10:00#${endWatchShardOf(key)}` },
        ConsistentRead: true,
      }),
    );
    expect(watched.Items).toEqual([
      expect.objectContaining({
        sk: key,
        entity: 'EndWatch',
        conversationKey: key,
        dueAt: at(24 * HOUR + 60_000).toISOString(),
        expiresAt: Math.floor(Date.parse(at(24 * HOUR + 60_000).toISOString()) / 1000) + 8 * 86_400,
      }),
    ]);
  });
});
