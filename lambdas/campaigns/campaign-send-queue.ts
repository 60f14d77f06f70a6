import { randomUUID } from 'node:crypto';
import { SendMessageBatchCommand, SendMessageCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { CampaignSendQueue, ListBuilds, ReleaseTicks } from '#lambdas/campaigns/campaign-ports';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { EnqueueFailedError } from '#lambdas/campaigns/errors';

/** Environment of the functions that enqueue campaign sends and release ticks. */
export const CAMPAIGN_QUEUE_ENV = {
  /** The campaign sender's standard queue (campaign traffic, off the conversational outbound queue). */
  sendQueueUrl: 'CAMPAIGN_SEND_QUEUE_URL',
  /** The release loop's tick queue. */
  ticksQueueUrl: 'CAMPAIGN_TICKS_QUEUE_URL',
} as const;

const MAX_BATCH = 10;
const ATTEMPTS = 4;
/** SendMessageBatch calls in flight at once for one enqueue. */
const CONCURRENT_BATCHES = 8;

/**
 * Each campaign send as the envelope EventBridge would have delivered for `reply.requested`, so
 * the campaign sender reads it with the outbound consumer's own parsing (the detail is the same
 * ids-only `reply.requested` detail; the sender reads the message from the table).
 */
export function campaignSendEnvelope(send: { conversationKey: string; outboundId: string; accountId: string }, at: Date): string {
  return JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': DETAIL_TYPE.replyRequested,
    source: EVENT_SOURCE.campaigns,
    account: '',
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: '',
    resources: [],
    detail: { v: 1, conversationKey: send.conversationKey, outboundId: send.outboundId, channel: 'whatsapp', accountId: send.accountId },
  });
}

async function sendBatches(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  entries: SendMessageBatchRequestEntry[],
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const batches: SendMessageBatchRequestEntry[][] = [];
  for (let i = 0; i < entries.length; i += MAX_BATCH) batches.push(entries.slice(i, i + MAX_BATCH));
  const sendOne = async (batch: SendMessageBatchRequestEntry[]) => {
    let pending = batch;
    let lastCode = '';
    for (let attempt = 1; attempt <= ATTEMPTS && pending.length > 0; attempt++) {
      if (attempt > 1) await sleep(25 * 2 ** attempt);
      try {
        const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        lastCode = out.Failed?.[0]?.Code ?? '';
        pending = pending.filter((e) => failed.has(e.Id));
      } catch (err) {
        lastCode = (err as Error).name;
      }
    }
    if (pending.length > 0) throw new EnqueueFailedError(`${pending.length} campaign message(s) not enqueued (${lastCode})`);
  };
  for (let i = 0; i < batches.length; i += CONCURRENT_BATCHES) await Promise.all(batches.slice(i, i + CONCURRENT_BATCHES).map(sendOne));
}

/** The campaign sender's queue on SQS; a failure to enqueue throws (the tick is retried, which enqueues again harmlessly). */
export function sqsCampaignSendQueue(deps: {
  sqs: Pick<SQSClient, 'send'>;
  queueUrl: string;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}): CampaignSendQueue {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return {
    async enqueue(sends) {
      const at = now();
      const entries = sends.map((send, i) => ({
        Id: String(i),
        MessageBody: campaignSendEnvelope(send, at),
        // A fair queue: each number is a tenant, so one number's backlog does not hold back the others'.
        MessageGroupId: send.accountId,
        DelaySeconds: Math.max(0, Math.min(900, Math.floor(send.delaySeconds))),
      }));
      await sendBatches(deps.sqs, deps.queueUrl, entries, sleep);
    },
  };
}

/** The body of a release tick on the ticks queue. Ids are ours, but the body is read as hostile all the same. */
export const releaseTickSchema = z.strictObject({
  businessId: z.string().min(1).max(320),
  campaignId: z.string().min(1).max(320),
  tick: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});
export type ReleaseTick = z.infer<typeof releaseTickSchema>;

/** Release ticks as delayed messages on the ticks queue: the wait is held by SQS, so a crash loses no tick. */
export function sqsReleaseTicks(deps: { sqs: Pick<SQSClient, 'send'>; queueUrl: string }): ReleaseTicks {
  return {
    async schedule(tick, delaySeconds) {
      const body: ReleaseTick = { businessId: tick.businessId, campaignId: tick.campaignId, tick: tick.tick };
      await deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.queueUrl,
          MessageBody: JSON.stringify(body),
          DelaySeconds: Math.max(0, Math.min(900, Math.ceil(delaySeconds))),
        }),
      );
    },
  };
}

/** Release checks (campaign-release-check.ts) as delayed messages on the same ticks queue. */
export function sqsReleaseChecks(deps: { sqs: Pick<SQSClient, 'send'>; queueUrl: string }) {
  return async (
    check: { businessId: string; campaignId: string; check: { fromSeq: number; toSeq: number; round: number } },
    delaySeconds: number,
  ): Promise<void> => {
    await deps.sqs.send(
      new SendMessageCommand({
        QueueUrl: deps.queueUrl,
        MessageBody: JSON.stringify(check),
        DelaySeconds: Math.max(0, Math.min(900, Math.ceil(delaySeconds))),
      }),
    );
  };
}

/** List build steps (campaign-list-build.ts) as messages on the same ticks queue, told apart by `kind: 'build'`. */
export function sqsListBuilds(deps: { sqs: Pick<SQSClient, 'send'>; queueUrl: string }): ListBuilds {
  return {
    async schedule(build, delaySeconds) {
      const body = {
        kind: 'build',
        businessId: build.businessId,
        campaignId: build.campaignId,
        chunk: build.chunk,
        ...(build.step !== undefined ? { step: build.step } : {}),
      };
      await deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.queueUrl,
          MessageBody: JSON.stringify(body),
          DelaySeconds: Math.max(0, Math.min(900, Math.ceil(delaySeconds))),
        }),
      );
    },
  };
}
