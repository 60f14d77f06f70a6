import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixture, type EmulatorFixture } from '#test/unit/local-cloud/aws/emulator-fixture';

let f: EmulatorFixture;
let queueUrl: string;

beforeEach(async () => {
  f = await startFixture();
  const out = await f.sqs.send(new CreateQueueCommand({ QueueName: 'ingress.fifo', Attributes: { FifoQueue: 'true', VisibilityTimeout: '30' } }));
  queueUrl = out.QueueUrl as string;
});

afterEach(async () => {
  await f.close();
});

async function send(group: string, body: string, dedupId = body): Promise<{ MessageId?: string; SequenceNumber?: string }> {
  return f.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: dedupId }));
}

async function receive(max = 10, url = queueUrl): Promise<Message[]> {
  const out = await f.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: max, MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 0 }),
  );
  return out.Messages ?? [];
}

const bodies = (ms: Message[]): string[] => ms.map((m) => m.Body as string);

describe('FIFO ordering and group blocking', () => {
  it('delivers each group in send order and fills a batch group by group', async () => {
    for (const [g, b] of [
      ['A', 'a1'],
      ['B', 'b1'],
      ['A', 'a2'],
      ['B', 'b2'],
      ['A', 'a3'],
    ] as const)
      await send(g, b);

    const batch = await receive(10);

    expect(bodies(batch)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    expect(batch.map((m) => m.Attributes?.MessageGroupId)).toEqual(['A', 'A', 'A', 'B', 'B']);
    const seq = batch.filter((m) => m.Attributes?.MessageGroupId === 'A').map((m) => BigInt(m.Attributes?.SequenceNumber as string));
    expect(seq).toEqual([...seq].sort((x, y) => (x < y ? -1 : 1)));
  });

  it('delivers nothing more from a group while one of its messages is in flight', async () => {
    for (const [g, b] of [
      ['A', 'a1'],
      ['A', 'a2'],
      ['B', 'b1'],
    ] as const)
      await send(g, b);

    const first = await receive(1);
    const second = await receive(1);
    const third = await receive(10);

    expect(bodies(first)).toEqual(['a1']);
    expect(bodies(second)).toEqual(['b1']);
    expect(third).toEqual([]);

    await f.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first[0]?.ReceiptHandle }));
    expect(bodies(await receive(10))).toEqual(['a2']);
  });

  it('returns an expired message and everything after it in its group, in order, with a higher receive count', async () => {
    for (const b of ['a1', 'a2']) await send('A', b);
    const first = await receive(1);
    expect(first[0]?.Attributes?.ApproximateReceiveCount).toBe('1');

    await f.clock.advance(29_999);
    expect(await receive(10)).toEqual([]);

    await f.clock.advance(1);
    const again = await receive(10);
    expect(bodies(again)).toEqual(['a1', 'a2']);
    expect(again.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(['2', '1']);
    expect(again[0]?.Attributes?.ApproximateFirstReceiveTimestamp).toBe(first[0]?.Attributes?.ApproximateFirstReceiveTimestamp);
  });

  it('rejects a receipt handle whose visibility timeout has passed, as FIFO queues do', async () => {
    await send('A', 'a1');
    const [m] = await receive(1);
    await f.clock.advance(31_000);

    await expect(f.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m?.ReceiptHandle }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('The receipt handle has expired'),
    });
  });

  it('makes a message visible at once when its visibility is changed to zero', async () => {
    await send('A', 'a1');
    const [m] = await receive(1);

    await f.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: m?.ReceiptHandle, VisibilityTimeout: 0 }));

    expect(bodies(await receive(1))).toEqual(['a1']);
  });

  it('wakes a long poll when a message arrives', async () => {
    const polling = f.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 20));
    await send('A', 'late');

    const out = await polling;

    expect(bodies(out.Messages ?? [])).toEqual(['late']);
  });

  it('ends an empty long poll when its wait time passes on the clock', async () => {
    const polling = f.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 20));

    await f.clock.advance(20_000);

    expect((await polling).Messages).toBeUndefined();
  });
});

describe('FIFO deduplication', () => {
  it('answers a duplicate within five minutes with the original ids and does not enqueue it', async () => {
    const original = await send('A', 'first body', 'event-1');
    await f.clock.advance(4 * 60_000);
    const duplicate = await send('A', 'different body', 'event-1');

    expect(duplicate.MessageId).toBe(original.MessageId);
    expect(duplicate.SequenceNumber).toBe(original.SequenceNumber);
    expect(bodies(await receive(10))).toEqual(['first body']);
  });

  it('remembers the id after the message is deleted, and forgets it after the window', async () => {
    const original = await send('A', 'x', 'event-1');
    const [m] = await receive(1);
    await f.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m?.ReceiptHandle }));

    expect((await send('A', 'x', 'event-1')).MessageId).toBe(original.MessageId);
    expect(await receive(10)).toEqual([]);

    await f.clock.advance(5 * 60_000);
    const fresh = await send('A', 'x', 'event-1');
    expect(fresh.MessageId).not.toBe(original.MessageId);
    expect(bodies(await receive(10))).toEqual(['x']);
  });

  it('deduplicates per group when DeduplicationScope is messageGroup', async () => {
    const { QueueUrl } = await f.sqs.send(
      new CreateQueueCommand({
        QueueName: 'per-group.fifo',
        Attributes: { FifoQueue: 'true', DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' },
      }),
    );
    const put = (g: string) => f.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: g, MessageGroupId: g, MessageDeduplicationId: 'same' }));

    const a = await put('A');
    const b = await put('B');
    const a2 = await put('A');

    expect(b.MessageId).not.toBe(a.MessageId);
    expect(a2.MessageId).toBe(a.MessageId);
    expect(bodies(await receive(10, QueueUrl))).toEqual(['A', 'B']);
  });

  it('uses the body hash when ContentBasedDeduplication is on, and requires an id when it is off', async () => {
    const { QueueUrl } = await f.sqs.send(
      new CreateQueueCommand({ QueueName: 'cbd.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }),
    );
    const a = await f.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'same', MessageGroupId: 'g' }));
    const b = await f.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'same', MessageGroupId: 'g' }));
    expect(b.MessageId).toBe(a.MessageId);

    await expect(f.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x', MessageGroupId: 'g' }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('requires a MessageGroupId on a FIFO queue', async () => {
    await expect(f.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x', MessageDeduplicationId: 'd' }))).rejects.toMatchObject({
      name: 'MissingParameter',
    });
  });
});

describe('dead-letter queue and redrive', () => {
  let sourceUrl: string;
  let dlqUrl: string;
  let dlqArn: string;

  beforeEach(async () => {
    dlqUrl = (await f.sqs.send(new CreateQueueCommand({ QueueName: 'work-dlq.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl as string;
    const attrs = await f.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    dlqArn = attrs.Attributes?.QueueArn as string;
    sourceUrl = (
      await f.sqs.send(
        new CreateQueueCommand({
          QueueName: 'work.fifo',
          Attributes: {
            FifoQueue: 'true',
            VisibilityTimeout: '10',
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
          },
        }),
      )
    ).QueueUrl as string;
  });

  it('moves a message to the DLQ on the receive that would exceed maxReceiveCount, then serves the next in its group', async () => {
    for (const b of ['poison', 'next']) {
      await f.sqs.send(new SendMessageCommand({ QueueUrl: sourceUrl, MessageBody: b, MessageGroupId: 'A', MessageDeduplicationId: b }));
    }
    const first = await receive(1, sourceUrl);
    await f.clock.advance(10_000);
    const second = await receive(1, sourceUrl);
    await f.clock.advance(10_000);
    const third = await receive(1, sourceUrl);

    expect(bodies(first)).toEqual(['poison']);
    expect(second[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(bodies(third)).toEqual(['next']);
    const inDlq = await receive(10, dlqUrl);
    expect(bodies(inDlq)).toEqual(['poison']);
    expect(inDlq[0]?.MessageId).toBe(first[0]?.MessageId);
    expect(inDlq[0]?.Attributes?.MessageGroupId).toBe('A');
    expect(inDlq[0]?.Attributes?.DeadLetterQueueSourceArn).toBe(f.emulator.sqs.arnOf('work.fifo'));
  });

  it('redrives dead letters back to their source with a fresh receive count', async () => {
    await f.sqs.send(new SendMessageCommand({ QueueUrl: sourceUrl, MessageBody: 'poison', MessageGroupId: 'A', MessageDeduplicationId: 'p' }));
    for (let i = 0; i < 2; i++) {
      await receive(1, sourceUrl);
      await f.clock.advance(10_000);
    }
    expect(await receive(1, sourceUrl)).toEqual([]);
    expect(f.emulator.sqs.peek('work-dlq.fifo')).toHaveLength(1);

    const task = await f.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    const tasks = await f.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));

    expect(task.TaskHandle).toBeTruthy();
    expect(tasks.Results?.[0]).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 1, SourceArn: dlqArn });
    expect(f.emulator.sqs.peek('work-dlq.fifo')).toHaveLength(0);
    const back = await receive(1, sourceUrl);
    expect(bodies(back)).toEqual(['poison']);
    expect(back[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
  });

  it('refuses to redrive from a queue that is not a dead-letter queue', async () => {
    await expect(f.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: f.emulator.sqs.arnOf('work.fifo') }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });
});

describe('queue errors and attributes', () => {
  it('raises the SDK QueueDoesNotExist exception for an unknown queue', async () => {
    const err = await f.sqs.send(new GetQueueUrlCommand({ QueueName: 'missing' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueDoesNotExist);
  });

  it('counts visible and in-flight messages', async () => {
    for (const [g, b] of [
      ['A', 'a1'],
      ['A', 'a2'],
      ['B', 'b1'],
    ] as const)
      await send(g, b);
    await receive(1);

    const out = await f.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));

    expect(out.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '2',
      ApproximateNumberOfMessagesNotVisible: '1',
      FifoQueue: 'true',
      VisibilityTimeout: '30',
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:ingress.fifo',
    });
  });
});
