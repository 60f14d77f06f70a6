import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphErrorFromResponse } from '#lambdas/adapters/graph-api-client';
import { sendReply, type SendReplyDeps } from '#lambdas/outbound/send-reply';
import { dynamoSendPacer, type PacingLimits } from '#lambdas/outbound/send-pacing';
import { startTestTable, type TestTable } from '#test/helpers/dynamodb-local';
import { GRAPH_API_VERSION } from '#lambdas/shared/graph-api-version';
import { dynamoSendStores } from '#lambdas/outbound/send-stores';
import { SendDeferredError } from '#lambdas/outbound/errors';

let table: TestTable & { newTable(): Promise<string> };
let tableName: string;

beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table?.stop();
});
beforeEach(async () => {
  tableName = await table.newTable();
});

const target = (recipientId: string) => ({ accountId: '100', recipientId });
const limits = (messagesPerSecond: number, pair = { intervalMs: 6_000, burst: 5 }): PacingLimits => ({ messagesPerSecond, pair });

/** The most slots any one-second sliding window holds. */
function busiestSecond(slots: number[]): number {
  const sorted = [...slots].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1_000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Pacing is decided from the clock it is given; a fixed one keeps these tests exact however slow the machine. */
const T0 = 1_800_000_000_000;

describe('number throughput pacing on DynamoDB Local', () => {
  it('gives concurrent senders distinct slots spread evenly at the number rate, starting now', async () => {
    const pacer = dynamoSendPacer({ db: table.db, tableName, headroom: 1, nowMs: () => T0 });
    const decisions = await Promise.all(Array.from({ length: 30 }, (_, i) => pacer.reserve(target(`r${i}`), limits(20), 10_000)));
    const slots = decisions.map((d) => (d.go ? d.sendAtMs : Number.NaN)).sort((a, b) => a - b);
    expect(slots).toEqual(Array.from({ length: 30 }, (_, i) => T0 + i * 50));
    expect(busiestSecond(slots)).toBe(20);
  });

  it('keeps a little headroom under the limit by default', async () => {
    const pacer = dynamoSendPacer({ db: table.db, tableName, nowMs: () => T0 });
    const decisions = await Promise.all(Array.from({ length: 80 }, (_, i) => pacer.reserve(target(`r${i}`), limits(80), 10_000)));
    const slots = decisions.map((d) => (d.go ? d.sendAtMs : Number.NaN));
    expect(busiestSecond(slots)).toBe(78);
  });

  it('splits an upgraded number over several items and still holds the limit across them', async () => {
    let pick = 0;
    const pacer = dynamoSendPacer({ db: table.db, tableName, headroom: 1, nowMs: () => T0, random: () => (pick++ % 4) / 4 });
    const decisions = await Promise.all(Array.from({ length: 120 }, (_, i) => pacer.reserve(target(`r${i}`), limits(1_000), 10_000)));
    const slots = decisions.map((d) => (d.go ? d.sendAtMs : Number.NaN));
    // Four shards at 250/s each: every shard's slots are 4 ms apart.
    expect([...new Set(slots)].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => T0 + i * 4));
    const shardItems = await Promise.all(
      [0, 1, 2, 3, 4].map((n) => table.db.send(new GetCommand({ TableName: tableName, Key: { pk: 'PACE#100', sk: `NUMBER#${n}` } }))),
    );
    expect(shardItems.map((o) => o.Item?.nextAt)).toEqual([T0 + 120, T0 + 120, T0 + 120, T0 + 120, undefined]);
  });

  it('hands back a send the schedule cannot fit within the longest wait, reserving nothing', async () => {
    const pacer = dynamoSendPacer({ db: table.db, tableName, headroom: 1, nowMs: () => T0 });
    const decisions = [];
    for (let i = 0; i < 8; i++) decisions.push(await pacer.reserve(target(`r${i}`), limits(10), 500));
    // 10/s: slots every 100 ms, so those at 0..500 ms fit.
    expect(decisions.map((d) => d.go)).toEqual([true, true, true, true, true, true, false, false]);
    expect(decisions[6]).toEqual({ go: false, limit: 'number', retryAfterMs: 100 });
  });

  it('starts an idle number again from now instead of granting a burst for the idle time', async () => {
    let now = T0;
    const pacer = dynamoSendPacer({ db: table.db, tableName, headroom: 1, nowMs: () => now });
    expect(await pacer.reserve(target('a'), limits(10), 1_000)).toEqual({ go: true, sendAtMs: now });
    now += 60_000;
    expect(await pacer.reserve(target('b'), limits(10), 1_000)).toEqual({ go: true, sendAtMs: now });
    expect(await pacer.reserve(target('c'), limits(10), 1_000)).toEqual({ go: true, sendAtMs: now + 100 });
  });
});

describe('pair rate pacing on DynamoDB Local', () => {
  it('lets a burst through, then one message per interval, waiting inside the limit or handing back', async () => {
    let now = T0;
    const slept: number[] = [];
    const pacer = dynamoSendPacer({
      db: table.db,
      tableName,
      nowMs: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    for (let i = 0; i < 5; i++) expect(await pacer.reserve(target('555'), limits(80), 2_000)).toMatchObject({ go: true });
    expect(slept).toEqual([]);
    // The sixth is due 6 s after the first: too long to wait for here.
    expect(await pacer.reserve(target('555'), limits(80), 2_000)).toEqual({ go: false, limit: 'pair', retryAfterMs: 4_000 });
    // Another recipient is not held up.
    expect(await pacer.reserve(target('556'), limits(80), 2_000)).toMatchObject({ go: true });
    now += 5_000;
    expect(await pacer.reserve(target('555'), limits(80), 2_000)).toMatchObject({ go: true });
    expect(slept).toEqual([1_000]);
  });

  it('admits exactly the burst among concurrent senders to one recipient', async () => {
    const pacer = dynamoSendPacer({ db: table.db, tableName, nowMs: () => T0 });
    const decisions = await Promise.all(Array.from({ length: 12 }, () => pacer.reserve(target('777'), limits(80), 1_000)));
    expect(decisions.filter((d) => d.go)).toHaveLength(5);
    expect(decisions.filter((d) => !d.go && d.limit === 'pair')).toHaveLength(7);
  });

  it('holds a recipient Meta refused for the pair rate until the given time, burst included', async () => {
    let now = T0;
    const pair = { intervalMs: 6_000, burst: 5 };
    const pacer = dynamoSendPacer({ db: table.db, tableName, nowMs: () => now });
    await pacer.holdRecipient(target('888'), pair, now + 16_000);
    expect(await pacer.reserve(target('888'), limits(80), 2_000)).toEqual({ go: false, limit: 'pair', retryAfterMs: 14_000 });
    // An earlier hold does not shorten a later one.
    await pacer.holdRecipient(target('888'), pair, now + 4_000);
    now += 15_000;
    expect(await pacer.reserve(target('888'), limits(80), 0)).toEqual({ go: false, limit: 'pair', retryAfterMs: 1_000 });
    now += 1_000;
    expect(await pacer.reserve(target('888'), limits(80), 0)).toEqual({ go: true, sendAtMs: now });
    // Only one: the hold spent the burst.
    expect(await pacer.reserve(target('888'), limits(80), 0)).toMatchObject({ go: false, limit: 'pair' });
  });
});

describe('sendReply with pacing and backoff on DynamoDB Local', () => {
  const KEY = 'wa:100:5511999';
  let now: number;
  let graphAnswers: Array<() => unknown>;
  let graphCalls: number;

  function deps(): SendReplyDeps {
    const clock = () => new Date(now);
    const sleep = async (ms: number) => {
      now += ms;
    };
    return {
      ...dynamoSendStores(table.db, tableName),
      publisher: { publish: async () => undefined },
      graph: {
        post: async () => {
          graphCalls++;
          const answer = graphAnswers.shift();
          if (!answer) throw new Error('no answer queued');
          return answer();
        },
      },
      accessTokenFor: async () => 'token',
      graphConfig: { baseUrl: 'http://graph.local', version: GRAPH_API_VERSION },
      now: clock,
      sleep,
      pacer: dynamoSendPacer({ db: table.db, tableName, nowMs: () => now, sleep }),
      maxWaitMs: 2_000,
    };
  }
  const ok = () => ({ messaging_product: 'whatsapp', contacts: [{ input: '5511999', wa_id: '5511999' }], messages: [{ id: `wamid.${graphCalls}` }] });
  const graphError =
    (code: number, httpStatus = 400) =>
    () => {
      throw graphErrorFromResponse(httpStatus, { error: { message: `(#${code}) limit`, code, type: 'OAuthException' } });
    };

  async function pendingMessage(outboundId: string) {
    await table.db.send(new PutCommand({ TableName: tableName, Item: { pk: `CONV#${KEY}`, sk: 'CONV', lastInboundAt: new Date(now - 60_000).toISOString() } }));
    await table.db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: `CONV#${KEY}`,
          sk: `MSG#${outboundId}`,
          messageId: outboundId,
          conversationKey: KEY,
          channel: 'whatsapp',
          accountId: '100',
          customerId: '5511999',
          recipientId: '5511999',
          direction: 'outbound',
          origin: 'agent',
          type: 'text',
          text: 'On its way.',
          status: 'pending',
        },
      }),
    );
    return { v: 1, conversationKey: KEY, outboundId, channel: 'whatsapp', accountId: '100' };
  }
  const stored = async (outboundId: string) =>
    (await table.db.send(new GetCommand({ TableName: tableName, Key: { pk: `CONV#${KEY}`, sk: `MSG#${outboundId}` }, ConsistentRead: true }))).Item;

  beforeEach(() => {
    now = T0;
    graphAnswers = [];
    graphCalls = 0;
  });

  it('after a pair-rate refusal waits 4^n seconds for that message and holds the recipient', async () => {
    const request = await pendingMessage('out_1');
    graphAnswers.push(graphError(131056));
    await expect(sendReply(request, deps())).rejects.toMatchObject({ code: 131056, classification: 'retryable' });
    expect(await stored('out_1')).toMatchObject({ status: 'pending', attempts: 1, lastErrorCode: 131056, retryNotBeforeMs: T0 + 4_000 });

    // Retried at once, it is handed back without a Graph call; so is another message to the same customer.
    await expect(sendReply(request, deps())).rejects.toMatchObject({ name: 'SendDeferredError', cause_: 'backoff', retryAfterMs: 4_000 });
    const other = await pendingMessage('out_2');
    await expect(sendReply(other, deps())).rejects.toMatchObject({ name: 'SendDeferredError', cause_: 'pair_limit' });
    expect(graphCalls).toBe(1);

    // A second refusal waits 16 s.
    now += 4_000;
    graphAnswers.push(graphError(131056));
    await expect(sendReply(request, deps())).rejects.toMatchObject({ code: 131056 });
    expect(await stored('out_1')).toMatchObject({ status: 'pending', attempts: 2, retryNotBeforeMs: now + 16_000 });

    now += 16_000;
    graphAnswers.push(ok);
    expect(await sendReply(request, deps())).toMatchObject({ outcome: 'sent' });
    expect(await stored('out_1')).toMatchObject({ status: 'sent', attempts: 3 });
  });

  it('waits out a short backoff inside the invocation after a throughput refusal or a 5xx', async () => {
    const request = await pendingMessage('out_1');
    graphAnswers.push(graphError(130429));
    await expect(sendReply(request, deps())).rejects.toMatchObject({ code: 130429 });
    expect(await stored('out_1')).toMatchObject({ retryNotBeforeMs: T0 + 1_000 });
    graphAnswers.push(() => {
      throw graphErrorFromResponse(503, undefined);
    });
    await expect(sendReply(request, deps())).rejects.toMatchObject({ httpStatus: 503, classification: 'retryable' });
    // Slept the first backoff (1 s), then failed again: the second is 2 s.
    expect(now).toBe(T0 + 1_000);
    expect(await stored('out_1')).toMatchObject({ status: 'pending', attempts: 2, retryNotBeforeMs: T0 + 3_000 });
    graphAnswers.push(ok);
    expect(await sendReply(request, deps())).toMatchObject({ outcome: 'sent' });
    expect(now).toBe(T0 + 3_000);
  });

  it('does not retry a permanent error', async () => {
    const request = await pendingMessage('out_1');
    graphAnswers.push(graphError(131026));
    expect(await sendReply(request, deps())).toEqual({ outcome: 'failed', classification: 'permanent', errorCode: 131026 });
    expect(await sendReply(request, deps())).toEqual({ outcome: 'already_done', status: 'failed' });
    expect(graphCalls).toBe(1);
  });

  it('hands a send back, unclaimed, when the recipient has used its burst', async () => {
    for (let i = 0; i < 5; i++) {
      const request = await pendingMessage(`burst_${i}`);
      graphAnswers.push(ok);
      expect(await sendReply(request, deps())).toMatchObject({ outcome: 'sent' });
    }
    const sixth = await pendingMessage('burst_5');
    await expect(sendReply(sixth, deps())).rejects.toBeInstanceOf(SendDeferredError);
    // Claimed and given back: pending again, and the hand-back is not counted as an attempt.
    expect(await stored('burst_5')).toMatchObject({ status: 'pending', attempts: 0 });
    expect(graphCalls).toBe(5);
  });
});

describe('missed slots', () => {
  it('gives up a slot that had passed when its answer came back, and takes the next one', async () => {
    let now = T0;
    let delayNextAnswer = true;
    // The first reservation's answer comes back 200 ms late, as under a write latency spike.
    const slowDb = {
      send: async (command: Parameters<typeof table.db.send>[0]) => {
        const out = await table.db.send(command as never);
        if (delayNextAnswer && (command as { input?: { Key?: { sk?: string } } }).input?.Key?.sk?.startsWith('NUMBER#')) {
          delayNextAnswer = false;
          now += 200;
        }
        return out;
      },
    } as unknown as typeof table.db;
    const pacer = dynamoSendPacer({ db: slowDb, tableName, headroom: 0.9, nowMs: () => now });
    const decision = await pacer.reserve(target('a'), limits(10), 2_000);
    // 10/s at 0.9: slots every 111.1 ms; the one at T0 had passed by 200 ms, so the next free one is taken.
    expect(decision).toEqual({ go: true, sendAtMs: T0 + 200 });
  });
});
