import { ChangeMessageVisibilityBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { processFifoBatch } from '#lambdas/ingress/process-fifo-batch';
import { returnGroupLater } from '#lambdas/ingress/return-group-later';

const sqs = mockClient(SQSClient);
const client = new SQSClient({ region: 'eu-west-1' });

function record(id: string, group: string, receiveCount = 1): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: id,
    attributes: { MessageGroupId: group, ApproximateReceiveCount: String(receiveCount) } as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:ingress.fifo',
    awsRegion: 'eu-west-1',
  };
}

beforeEach(() => {
  sqs.reset();
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
});

describe('returnGroupLater', () => {
  it('gives the failed record and the rest of its group one backoff from the failed record’s receive count', async () => {
    const group = [record('a2', 'A', 3), record('a3', 'A', 1)];
    const seconds = await returnGroupLater(group, new Error('conflict'), { sqs: client, random: () => 0 });
    // Third receive: 5 × 3² = 45 s, half fixed → 23 s with no jitter.
    expect(seconds).toBe(23);
    const calls = sqs.commandCalls(ChangeMessageVisibilityBatchCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/ingress.fifo',
      Entries: [
        { Id: '0', ReceiptHandle: 'rh-a2', VisibilityTimeout: 23 },
        { Id: '1', ReceiptHandle: 'rh-a3', VisibilityTimeout: 23 },
      ],
    });
  });

  it('honours a wait the error names and splits more than ten records into batches', async () => {
    const group = Array.from({ length: 12 }, (_, i) => record(`m${i}`, 'G'));
    const error = Object.assign(new Error('wait'), { retryAfterMs: 7_500 });
    const seconds = await returnGroupLater(group, error, { sqs: client, queueUrl: 'http://local/ingress.fifo' });
    expect(seconds).toBe(8);
    const calls = sqs.commandCalls(ChangeMessageVisibilityBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 2]);
    expect(calls.every((c) => c.args[0].input.QueueUrl === 'http://local/ingress.fifo')).toBe(true);
  });

  it('reports records whose visibility SQS refused to change', async () => {
    sqs
      .on(ChangeMessageVisibilityBatchCommand)
      .resolves({ Successful: [{ Id: '0' }], Failed: [{ Id: '1', Code: 'ReceiptHandleIsInvalid', SenderFault: true }] });
    const refused: string[] = [];
    await returnGroupLater([record('a', 'G'), record('b', 'G')], new Error('x'), {
      sqs: client,
      onRescheduleFailed: (records) => refused.push(...records.map((r) => r.messageId)),
    });
    expect(refused).toEqual(['b']);
  });

  it('is what processFifoBatch hands a failed group to, once per failed group', async () => {
    const batch = [record('a1', 'A'), record('b1', 'B'), record('a2', 'A'), record('b2', 'B')];
    const groups: string[][] = [];
    const result = await processFifoBatch(
      batch,
      async (r) => {
        if (r.messageId === 'a1' || r.messageId === 'b2') throw new Error('boom');
      },
      () => {},
      async (records) => {
        groups.push(records.map((r) => r.messageId));
      },
    );
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['a1', 'a2', 'b2']);
    expect(groups.sort()).toEqual([['a1', 'a2'], ['b2']]);
  });
});
