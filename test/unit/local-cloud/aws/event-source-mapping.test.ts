import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '#lib/local-cloud/aws/clock';
import { CallCounter } from '#lib/local-cloud/aws/call-counter';
import { startEventSourceMapping, type EventSourceMapping } from '#lib/local-cloud/aws/lambda/event-source-mapping';
import { SqsEngine } from '#lib/local-cloud/aws/sqs/sqs-engine';
import { until } from '#test/unit/local-cloud/aws/emulator-fixture';

let clock: ManualClock;
let sqs: SqsEngine;
let mapping: EventSourceMapping | undefined;

beforeEach(() => {
  clock = new ManualClock();
  sqs = new SqsEngine({ clock });
});

afterEach(async () => {
  await mapping?.stop();
  mapping = undefined;
});

function sendFifo(queue: string, group: string, body: string): void {
  sqs.sendMessage(queue, { body, messageGroupId: group, messageDeduplicationId: body });
}

const bodiesOf = (e: SQSEvent): string[] => e.Records.map((r) => r.body);
const failures = (e: SQSEvent, ...bodies: string[]): SQSBatchResponse => ({
  batchItemFailures: e.Records.filter((r) => bodies.includes(r.body)).map((r) => ({ itemIdentifier: r.messageId })),
});

describe('FIFO queue with ReportBatchItemFailures', () => {
  beforeEach(() => {
    sqs.createQueue('ingress.fifo', { FifoQueue: 'true', VisibilityTimeout: 30 });
  });

  it('redelivers the failed record and the rest of its group, in order, and leaves other groups alone', async () => {
    for (const [g, b] of [
      ['A', 'a1'],
      ['A', 'a2'],
      ['A', 'a3'],
      ['B', 'b1'],
      ['B', 'b2'],
    ] as const)
      sendFifo('ingress.fifo', g, b);
    const batches: string[][] = [];
    mapping = startEventSourceMapping({
      sqs,
      queueName: 'ingress.fifo',
      batchSize: 10,
      reportBatchItemFailures: true,
      maxConcurrency: 1,
      // Reports only a2, not a3 after it: the poller must still keep a3 for ordering.
      invoke: async (event) => {
        batches.push(bodiesOf(event));
        return batches.length === 1 ? failures(event, 'a2') : { batchItemFailures: [] };
      },
    });

    await until(() => batches.length === 1 && mapping?.stats().recordsDeleted === 3);
    expect(batches[0]).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    expect(sqs.peek('ingress.fifo').map((m) => m.body)).toEqual(['a2', 'a3']);

    // Group B keeps flowing while group A waits for its visibility timeout.
    sendFifo('ingress.fifo', 'B', 'b3');
    await until(() => batches.length === 2);
    expect(batches[1]).toEqual(['b3']);

    await clock.advance(30_000);
    await until(() => batches.length === 3);
    expect(batches[2]).toEqual(['a2', 'a3']);
    await until(() => sqs.peek('ingress.fifo').length === 0);
    expect(mapping.stats()).toMatchObject({ invocations: 3, recordsDeleted: 6, recordsRetained: 2 });
  });

  it('keeps the whole batch when an invocation throws, and delivers it again after the visibility timeout', async () => {
    for (const b of ['a1', 'a2']) sendFifo('ingress.fifo', 'A', b);
    const seen: SQSEvent[] = [];
    const errors: unknown[] = [];
    mapping = startEventSourceMapping({
      sqs,
      queueName: 'ingress.fifo',
      reportBatchItemFailures: true,
      invoke: async (event) => {
        seen.push(event);
        if (seen.length === 1) throw new Error('database unavailable');
      },
      onInvocationError: (err) => errors.push(err),
    });

    await until(() => seen.length === 1 && errors.length === 1);
    expect(sqs.peek('ingress.fifo').map((m) => [m.body, m.inFlight])).toEqual([
      ['a1', true],
      ['a2', true],
    ]);

    await clock.advance(30_000);
    await until(() => seen.length === 2);
    expect(bodiesOf(seen[1] as SQSEvent)).toEqual(['a1', 'a2']);
    expect(seen[1]?.Records.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['2', '2']);
    await until(() => sqs.peek('ingress.fifo').length === 0);
    expect(mapping.stats()).toMatchObject({ invocations: 2, failedInvocations: 1 });
  });

  it('treats an item identifier that is not in the batch as a failure of the whole batch', async () => {
    sendFifo('ingress.fifo', 'A', 'a1');
    let calls = 0;
    mapping = startEventSourceMapping({
      sqs,
      queueName: 'ingress.fifo',
      reportBatchItemFailures: true,
      invoke: async () => {
        calls++;
        return { batchItemFailures: [{ itemIdentifier: 'not-a-message-id' }] };
      },
    });

    await until(() => calls === 1 && mapping?.stats().recordsRetained === 1);
    expect(sqs.peek('ingress.fifo').map((m) => m.body)).toEqual(['a1']);
  });

  it('never runs two invocations for the same group at once, but runs different groups concurrently', async () => {
    for (const [g, b] of [
      ['A', 'a1'],
      ['A', 'a2'],
      ['B', 'b1'],
      ['B', 'b2'],
      ['C', 'c1'],
    ] as const)
      sendFifo('ingress.fifo', g, b);
    const active = new Map<string, number>();
    let maxActive = 0;
    let sameGroupOverlap = false;
    const order: string[] = [];
    mapping = startEventSourceMapping({
      sqs,
      queueName: 'ingress.fifo',
      batchSize: 1,
      maxConcurrency: 3,
      invoke: async (event) => {
        const record = event.Records[0];
        const group = record?.attributes.MessageGroupId as string;
        if ((active.get(group) ?? 0) > 0) sameGroupOverlap = true;
        active.set(group, (active.get(group) ?? 0) + 1);
        maxActive = Math.max(
          maxActive,
          [...active.values()].reduce((a, b) => a + b, 0),
        );
        await new Promise((r) => setTimeout(r, 15));
        order.push(record?.body as string);
        active.set(group, (active.get(group) ?? 1) - 1);
      },
    });

    await until(() => order.length === 5);
    expect(sameGroupOverlap).toBe(false);
    expect(maxActive).toBeGreaterThanOrEqual(2);
    expect(order.filter((b) => b.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(order.filter((b) => b.startsWith('b'))).toEqual(['b1', 'b2']);
  });
});

describe('standard queue', () => {
  beforeEach(() => {
    sqs.createQueue('events', { VisibilityTimeout: 30 });
  });

  it('deletes everything but the reported failures', async () => {
    for (const b of ['m1', 'm2', 'm3']) sqs.sendMessage('events', { body: b });
    let first: SQSEvent | undefined;
    mapping = startEventSourceMapping({
      sqs,
      queueName: 'events',
      reportBatchItemFailures: true,
      invoke: async (event) => {
        if (first) return;
        first = event;
        return failures(event, 'm2');
      },
    });

    await until(() => mapping?.stats().recordsDeleted === 2);
    expect(sqs.peek('events').map((m) => m.body)).toEqual(['m2']);
  });

  it('ignores a batch response when ReportBatchItemFailures is off', async () => {
    sqs.sendMessage('events', { body: 'm1' });
    mapping = startEventSourceMapping({
      sqs,
      queueName: 'events',
      invoke: async (event) => failures(event, 'm1'),
    });

    await until(() => mapping?.stats().recordsDeleted === 1);
    expect(sqs.peek('events')).toEqual([]);
  });

  it('builds the SQS event record exactly as Lambda does', async () => {
    sqs.sendMessage('events', {
      body: '{"hello":"world"}',
      messageAttributes: { kind: { DataType: 'String', StringValue: 'wakeup' } },
      messageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-abc' } },
    });
    const events: SQSEvent[] = [];
    mapping = startEventSourceMapping({ sqs, queueName: 'events', invoke: async (e) => void events.push(e) });

    await until(() => events.length === 1);
    const record = events[0]?.Records[0];
    expect(record).toEqual({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: '{"hello":"world"}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(clock.now()),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: String(clock.now()),
        AWSTraceHeader: 'Root=1-abc',
      },
      messageAttributes: { kind: { stringValue: 'wakeup', stringListValues: [], binaryListValues: [], dataType: 'String' } },
      md5OfBody: 'fbc24bcc7a1794758fc1327fcfebdaf6', // md5 of the body
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:events',
      awsRegion: 'us-east-1',
    });
  });

  it('gathers up to batchSize records within the batching window', async () => {
    const calls = new CallCounter();
    const batches: string[][] = [];
    mapping = startEventSourceMapping({
      sqs,
      queueName: 'events',
      batchSize: 25,
      maximumBatchingWindowMs: 2_000,
      maxConcurrency: 1,
      calls,
      invoke: async (e) => void batches.push(bodiesOf(e)),
    });
    for (let i = 0; i < 25; i++) sqs.sendMessage('events', { body: `m${i}` });

    await until(() => batches.length === 1);
    expect(batches[0]).toHaveLength(25);
    expect(calls.get('lambda', 'Invoke')).toBe(1);
    expect(calls.get('sqs-esm', 'ReceiveMessage')).toBeGreaterThanOrEqual(3);
  });

  it('rejects settings Lambda would reject', () => {
    sqs.createQueue('x.fifo', { FifoQueue: 'true' });
    expect(() => startEventSourceMapping({ sqs, queueName: 'x.fifo', batchSize: 11, maximumBatchingWindowMs: 1000, invoke: async () => {} })).toThrow(
      RangeError,
    );
    expect(() => startEventSourceMapping({ sqs, queueName: 'events', batchSize: 50, invoke: async () => {} })).toThrow(RangeError);
  });
});
