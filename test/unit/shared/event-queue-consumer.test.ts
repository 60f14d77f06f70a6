import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { eventDetailOf, eventQueueConsumer, queueUrlFromArn } from '#lambdas/shared/event-queue-consumer';
import { DEFAULT_RETRY_POLICY, retryDelaySeconds, visibilityForWait } from '#lambdas/shared/record-retry';

const sqs = mockClient(SQSClient);
const client = new SQSClient({ region: 'us-east-1' });
const context = { functionName: 'f', awsRequestId: 'r' } as Context;

function record(id: string, detail: unknown, receiveCount = 1): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: typeof detail === 'string' ? detail : JSON.stringify({ 'detail-type': 'x', detail }),
    attributes: { ApproximateReceiveCount: String(receiveCount) } as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:agent-queue',
    awsRegion: 'eu-west-1',
  };
}

class Later extends Error {
  constructor(readonly retryAfterMs: number) {
    super('later');
  }
}

beforeEach(() => {
  sqs.reset();
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
});

describe('record retry delays', () => {
  it('grow with each receive up to the cap, half fixed and half random', () => {
    const lowest = (n: number) => retryDelaySeconds(n, DEFAULT_RETRY_POLICY, () => 0);
    const highest = (n: number) => retryDelaySeconds(n, DEFAULT_RETRY_POLICY, () => 1);
    expect([1, 2, 3, 4, 5, 6, 9].map(highest)).toEqual([5, 15, 45, 135, 300, 300, 300]);
    expect([1, 2, 3, 4, 5].map(lowest)).toEqual([3, 8, 23, 68, 150]);
  });

  it('turn a named wait into a whole number of seconds SQS accepts', () => {
    expect(visibilityForWait(0)).toBe(1);
    expect(visibilityForWait(12_300)).toBe(13);
    expect(visibilityForWait(100 * 3_600_000)).toBe(43_200);
  });
});

describe('event queue consumer', () => {
  it('hands each record its detail and reports only the failed ones, each brought back after its own backoff', async () => {
    const seen: unknown[] = [];
    const consume = eventQueueConsumer({
      sqs: client,
      queueUrl: 'http://127.0.0.1:4566/000000000000/agent-queue',
      random: () => 1,
      handleDetail: async (detail) => {
        seen.push(detail);
        const d = detail as { fail?: string } | undefined;
        if (d?.fail === 'plain') throw new Error('conflict');
        if (d?.fail === 'named') throw new Later(12_300);
      },
    });
    const out = await consume(
      { Records: [record('ok', { n: 1 }), record('plain', { fail: 'plain' }, 3), record('named', { fail: 'named' }), record('garbled', '{not json')] },
      context,
    );
    expect(seen).toEqual([{ n: 1 }, { fail: 'plain' }, { fail: 'named' }, undefined]);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'plain' }, { itemIdentifier: 'named' }]);
    const changes = sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input);
    expect(changes).toEqual([
      { QueueUrl: 'http://127.0.0.1:4566/000000000000/agent-queue', ReceiptHandle: 'rh-plain', VisibilityTimeout: 45 },
      { QueueUrl: 'http://127.0.0.1:4566/000000000000/agent-queue', ReceiptHandle: 'rh-named', VisibilityTimeout: 13 },
    ]);
  });

  it('still reports the failure when the visibility cannot be changed, and says so', async () => {
    sqs.on(ChangeMessageVisibilityCommand).rejects(Object.assign(new Error('gone'), { name: 'ReceiptHandleIsInvalid' }));
    const told: string[] = [];
    const consume = eventQueueConsumer({
      sqs: client,
      random: () => 0,
      handleDetail: async () => {
        throw new Error('boom');
      },
      onRecordFailed: (r, _e, seconds) => told.push(`${r.messageId} in ${seconds}s`),
      onRescheduleFailed: (r, e) => told.push(`${r.messageId}:${(e as Error).name}`),
    });
    const out = await consume({ Records: [record('a', {})] }, context);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
    expect(told).toEqual(['a in 3s', 'a:ReceiptHandleIsInvalid']);
    // Without a configured URL the record's ARN names the queue.
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/agent-queue');
  });

  it('reads the envelope defensively', () => {
    expect(eventDetailOf(JSON.stringify({ detail: { a: 1 } }))).toEqual({ a: 1 });
    expect(eventDetailOf('null')).toBeUndefined();
    expect(eventDetailOf('')).toBeUndefined();
    expect(queueUrlFromArn('arn:aws:sns:eu-west-1:1:t')).toBeUndefined();
  });
});
