import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { listBuildSchema } from '#lambdas/campaigns/campaign-list-build';
import { campaignSendEnvelope, sqsCampaignSendQueue, sqsListBuilds, sqsReleaseChecks, sqsReleaseTicks } from '#lambdas/campaigns/campaign-send-queue';
import { replyRequestedDetailSchema } from '#lambdas/outbound/reply-requested';
import { eventDetailOf } from '#lambdas/shared/event-queue-consumer';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { EnqueueFailedError } from '#lambdas/campaigns/errors';

const sqs = mockClient(SQSClient);
const client = new SQSClient({ region: 'us-east-1' });
const send = (i: number) => ({ conversationKey: `wa:1001:55119000000${i}`, outboundId: `cmp.cmp_X.55119000000${i}`, accountId: '1001', delaySeconds: i % 12 });

beforeEach(() => sqs.reset());

describe('the campaign send queue', () => {
  it('carries each send as the reply.requested envelope the outbound consumer parses', () => {
    const body = campaignSendEnvelope(send(1), new Date('2026-11-21T12:00:00.123Z'));
    const envelope = JSON.parse(body) as Record<string, unknown>;
    expect(envelope).toMatchObject({ source: EVENT_SOURCE.campaigns, 'detail-type': DETAIL_TYPE.replyRequested, time: '2026-11-21T12:00:00Z' });
    expect(replyRequestedDetailSchema.parse(eventDetailOf(body))).toEqual({
      v: 1,
      conversationKey: 'wa:1001:551190000001',
      outboundId: 'cmp.cmp_X.551190000001',
      channel: 'whatsapp',
      accountId: '1001',
    });
  });

  it("sends batches of ten with each send's delay (0–900 s), and again only the entries SQS refused", async () => {
    let calls = 0;
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: Array<{ Id: string }> }) => {
      calls++;
      // The first call refuses its second entry once.
      return calls === 1
        ? { Successful: [], Failed: [{ Id: input.Entries[1]!.Id, Code: 'InternalError', SenderFault: false }] }
        : { Successful: [], Failed: [] };
    });
    await sqsCampaignSendQueue({ sqs: client, queueUrl: 'q', sleep: async () => undefined }).enqueue([
      ...Array.from({ length: 23 }, (_, i) => send(i)),
      { ...send(99), delaySeconds: 5_000 },
    ]);
    const batches = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 4, 1]);
    expect(batches[3]![0]!.Id).toBe(batches[0]![1]!.Id);
    expect(batches[0]!.map((e) => e.DelaySeconds)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batches[2]!.at(-1)!.DelaySeconds).toBe(900);
    // A fair queue: each send names its number as the tenant.
    for (const e of batches.flat()) expect(e.MessageGroupId).toBe(replyRequestedDetailSchema.parse(eventDetailOf(e.MessageBody!)).accountId);
  });

  it('throws when SQS keeps refusing, so the tick is retried', async () => {
    sqs.on(SendMessageBatchCommand).rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    await expect(sqsCampaignSendQueue({ sqs: client, queueUrl: 'q', sleep: async () => undefined }).enqueue([send(1)])).rejects.toBeInstanceOf(
      EnqueueFailedError,
    );
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(4);
  });
});

describe('ticks and checks', () => {
  it('are delayed messages on the ticks queue, at most 15 minutes away', async () => {
    sqs.on(SendMessageCommand).resolves({});
    await sqsReleaseTicks({ sqs: client, queueUrl: 'ticks' }).schedule({ businessId: 'shop', campaignId: 'cmp_X', tick: 3 }, 10);
    await sqsReleaseChecks({ sqs: client, queueUrl: 'ticks' })({ businessId: 'shop', campaignId: 'cmp_X', check: { fromSeq: 0, toSeq: 640, round: 1 } }, 5_000);
    const [tick, check] = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(tick).toEqual({ QueueUrl: 'ticks', MessageBody: '{"businessId":"shop","campaignId":"cmp_X","tick":3}', DelaySeconds: 10 });
    expect(check).toMatchObject({ QueueUrl: 'ticks', DelaySeconds: 900 });
    expect(JSON.parse(check!.MessageBody!)).toEqual({ businessId: 'shop', campaignId: 'cmp_X', check: { fromSeq: 0, toSeq: 640, round: 1 } });
  });

  it("carry a list build's chunk, and its deciding step while the audience is decided, as the build step parses them", async () => {
    sqs.on(SendMessageCommand).resolves({});
    const builds = sqsListBuilds({ sqs: client, queueUrl: 'ticks' });
    await builds.schedule({ businessId: 'shop', campaignId: 'cmp_X', chunk: 0, step: 4 }, 0);
    await builds.schedule({ businessId: 'shop', campaignId: 'cmp_X', chunk: 7 }, 0);
    const bodies = sqs.commandCalls(SendMessageCommand).map((c) => JSON.parse(c.args[0].input.MessageBody!) as unknown);
    expect(bodies).toEqual([
      { kind: 'build', businessId: 'shop', campaignId: 'cmp_X', chunk: 0, step: 4 },
      { kind: 'build', businessId: 'shop', campaignId: 'cmp_X', chunk: 7 },
    ]);
    for (const body of bodies) expect(listBuildSchema.safeParse(body).success).toBe(true);
  });
});
