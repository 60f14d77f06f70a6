/**
 * npm run bench:outbound — does the outbound sender use a number's throughput without tripping
 * Meta's limits, and does every message end up accounted for?
 *
 * For each limit (80 msg/s, then 1,000 msg/s): 10,000 messages to 2,000 recipients through one
 * WhatsApp number of the Graph simulator, which enforces that throughput (130429) and the pair
 * rate (131056, one per 6 s after a burst of 5). Several simulated Lambda instances, each working
 * through batches of records concurrently, run the real `sendReply` with the DynamoDB pacer
 * against DynamoDB Local. A deferred send or a retryable error goes back on the queue after the
 * delay the sender asked for, as SQS would redeliver it. Prints, per limit: the achieved rate as a
 * fraction of the limit (target ≥ 0.95), the 130429/131056 errors provoked (target 0) and the
 * messages unaccounted for (target 0).
 *
 * Knobs: BENCH_MESSAGES (10000), BENCH_RECIPIENTS (2000), BENCH_LIMITS ("80,1000"),
 * BENCH_INSTANCES (10), BENCH_BATCH (10), BENCH_MAX_WAIT_MS (2000), BENCH_LEAD_MS (300: DynamoDB Local on a
 * busy machine answers far slower than DynamoDB, see the pacer's `leadMs`), BENCH_PACING (on|off), BENCH_HEADROOM (the pacer's, 0.97).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BatchWriteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { GraphApiError, createGraphApiClient } from '#lambdas/adapters/graph-api-client';
import { channelAccountLimits } from '#lambdas/outbound/channel-account-limits';
import { sendReply, type SendReplyDeps } from '#lambdas/outbound/send-reply';
import { dynamoSendPacer } from '#lambdas/outbound/send-pacing';
import { LOCAL_WHATSAPP_PHONE_NUMBER_ID, startGraphSimulator } from '#lib/local-cloud/graph-simulator/index';
import { startBenchTable } from '#test/bench/outbound-table';
import { dynamoSendStores } from '#lambdas/outbound/send-stores';
import type { DocumentClient } from '#lambdas/adapters/dynamodb';
import { SendDeferredError } from '#lambdas/outbound/errors';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 2_000);
const LIMITS = (process.env.BENCH_LIMITS ?? '80,1000').split(',').map(Number);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 10);
const BATCH = Number(process.env.BENCH_BATCH ?? 10);
const MAX_WAIT_MS = Number(process.env.BENCH_MAX_WAIT_MS ?? 2_000);
const LEAD_MS = Number(process.env.BENCH_LEAD_MS ?? 300);
/** BENCH_PACING=off sends with no pacer: the ceiling the sender reaches on this machine without it. */
const PACING = process.env.BENCH_PACING !== 'off';
const HEADROOM = process.env.BENCH_HEADROOM ? Number(process.env.BENCH_HEADROOM) : undefined;
const ACCOUNT = LOCAL_WHATSAPP_PHONE_NUMBER_ID;

interface Detail {
  v: 1;
  conversationKey: string;
  outboundId: string;
  channel: 'whatsapp';
  accountId: string;
}

/** An in-memory stand-in for the outbound queue: records become visible again after a delay. */
class BenchQueue {
  private ready: Detail[] = [];
  private delayed = 0;
  constructor(items: Detail[]) {
    this.ready = [...items].reverse();
  }
  take(n: number): Detail[] {
    return this.ready.splice(Math.max(0, this.ready.length - n), n).reverse();
  }
  later(item: Detail, ms: number): void {
    this.delayed++;
    setTimeout(
      () => {
        this.delayed--;
        this.ready.push(item);
      },
      Math.max(1, ms),
    );
  }
  get empty(): boolean {
    return this.ready.length === 0 && this.delayed === 0;
  }
}

const recipient = (i: number) => `1555${String(i).padStart(7, '0')}`;
const conversationKey = (i: number) => `wa:${ACCOUNT}:${recipient(i)}`;

async function seed(db: DocumentClient, tableName: string, limit: number): Promise<Detail[]> {
  const now = new Date().toISOString();
  await db.send(new PutCommand({ TableName: tableName, Item: { pk: `ACCT#${ACCOUNT}`, sk: 'ACCOUNT', entity: 'ChannelAccount', throughputPerSecond: limit } }));
  const items: Array<Record<string, unknown>> = [];
  for (let r = 0; r < RECIPIENTS; r++) {
    items.push({ pk: `CONV#${conversationKey(r)}`, sk: 'CONV', entity: 'Conversation', lastInboundAt: now });
  }
  const details: Detail[] = [];
  for (let m = 0; m < MESSAGES; m++) {
    // Round robin over recipients, as replies to many customers interleave.
    const r = m % RECIPIENTS;
    const outboundId = `out_${m}`;
    items.push({
      pk: `CONV#${conversationKey(r)}`,
      sk: `MSG#${outboundId}`,
      entity: 'Message',
      messageId: outboundId,
      conversationKey: conversationKey(r),
      channel: 'whatsapp',
      accountId: ACCOUNT,
      customerId: recipient(r),
      recipientId: recipient(r),
      direction: 'outbound',
      origin: 'agent',
      type: 'text',
      text: `Reply ${m}`,
      status: 'pending',
    });
    details.push({ v: 1, conversationKey: conversationKey(r), outboundId, channel: 'whatsapp', accountId: ACCOUNT });
  }
  const chunks: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < chunks.length) {
        let requests = chunks[next++]!.map((Item) => ({ PutRequest: { Item } }));
        while (requests.length > 0) {
          const out = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
          requests = (out.UnprocessedItems?.[tableName] as typeof requests | undefined) ?? [];
        }
      }
    }),
  );
  return details;
}

async function countByStatus(db: DocumentClient, tableName: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'entity = :message',
        ExpressionAttributeValues: { ':message': 'Message' },
        ProjectionExpression: '#s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) counts[String(item.status)] = (counts[String(item.status)] ?? 0) + 1;
    start = out.LastEvaluatedKey;
  } while (start);
  return counts;
}

async function run(limit: number, table: Awaited<ReturnType<typeof startBenchTable>>) {
  const tableName = await table.newTable();
  const details = await seed(table.db, tableName, limit);
  const sim = await startGraphSimulator({
    port: 0,
    limits: { messagesPerSecondPerNumber: limit, enforce24hWindow: false },
    statusDelaysMs: { read: false },
  });
  const deps: SendReplyDeps = {
    ...dynamoSendStores(table.db, tableName),
    publisher: { publish: async () => undefined },
    graph: createGraphApiClient({ timeoutMs: 30_000 }),
    accessTokenFor: async () => 'bench-token',
    graphConfig: { baseUrl: sim.url, version: 'v23.0' },
    ...(PACING ? { pacer: dynamoSendPacer({ db: table.db, tableName, leadMs: LEAD_MS, ...(HEADROOM ? { headroom: HEADROOM } : {}) }) } : {}),
    limitsFor: channelAccountLimits(table.db, tableName),
    maxWaitMs: MAX_WAIT_MS,
  };
  const queue = new BenchQueue(details);
  const outcomes: Record<string, number> = {};
  const graphErrors: Record<string, number> = {};
  const count = (into: Record<string, number>, key: string) => (into[key] = (into[key] ?? 0) + 1);
  let deferred = 0;

  // Senders and simulator share this process: a stalled event loop delays sends past their slots.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const startedAt = Date.now();
  const instance = async () => {
    while (!queue.empty) {
      const batch = queue.take(BATCH);
      if (batch.length === 0) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      await Promise.all(
        batch.map(async (detail) => {
          try {
            count(outcomes, (await sendReply(detail, deps)).outcome);
          } catch (err) {
            if (err instanceof SendDeferredError) {
              deferred++;
              queue.later(detail, err.retryAfterMs);
            } else if (err instanceof GraphApiError && err.retryable) {
              count(graphErrors, String(err.code ?? err.httpStatus ?? 'network'));
              queue.later(detail, 1_000);
            } else {
              count(outcomes, `error:${(err as Error).name}`);
            }
          }
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: INSTANCES }, instance));
  const finishedAt = Date.now();
  loopDelay.disable();

  const accepted = sim
    .outbox()
    .filter((e) => e.status === 200 && e.messageId)
    .map((e) => Date.parse(e.receivedAt))
    .sort((a, b) => a - b);
  const refusedByCode: Record<string, number> = {};
  for (const e of sim.outbox()) {
    if (e.status === 200) continue;
    const code = (e.response as { error?: { code?: number } } | undefined)?.error?.code;
    count(refusedByCode, String(code ?? e.status));
  }
  const spanS = accepted.length > 1 ? (accepted[accepted.length - 1]! - accepted[0]!) / 1000 : 0;
  // n sends spaced evenly over a span make n - 1 intervals.
  const rate = spanS > 0 ? (accepted.length - 1) / spanS : 0;
  const statuses = await countByStatus(table.db, tableName);
  const unaccounted = MESSAGES - (statuses.sent ?? 0) - (statuses.failed ?? 0);
  await sim.close();
  return {
    limit,
    sent: accepted.length,
    spanS: Number(spanS.toFixed(1)),
    wallS: Number(((finishedAt - startedAt) / 1000).toFixed(1)),
    achievedPerSecond: Number(rate.toFixed(1)),
    fractionOfLimit: Number((rate / limit).toFixed(3)),
    error130429: refusedByCode['130429'] ?? 0,
    error131056: refusedByCode['131056'] ?? 0,
    otherRefusals: Object.fromEntries(Object.entries(refusedByCode).filter(([k]) => k !== '130429' && k !== '131056')),
    unaccounted,
    statuses,
    outcomes,
    deferred,
    retriedGraphErrors: graphErrors,
    eventLoopDelayMs: { p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) },
  };
}

const table = await startBenchTable();
try {
  console.log(
    `outbound bench: ${MESSAGES} messages to ${RECIPIENTS} recipients, ${INSTANCES} instances × batches of ${BATCH}, max wait ${MAX_WAIT_MS} ms, slot lead ${LEAD_MS} ms${PACING ? '' : ', NO PACING'}`,
  );
  for (const limit of LIMITS) {
    const result = await run(limit, table);
    console.log(
      `limit ${limit} msg/s: achieved ${result.achievedPerSecond} msg/s = ${result.fractionOfLimit} of the limit (target ≥ 0.95); ` +
        `130429: ${result.error130429}, 131056: ${result.error131056} (target 0); unaccounted: ${result.unaccounted} (target 0)`,
    );
    console.log(JSON.stringify(result));
  }
} finally {
  await table.stop();
}
