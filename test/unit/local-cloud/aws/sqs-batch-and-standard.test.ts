import {
  BatchEntryIdsNotDistinct,
  ChangeMessageVisibilityCommand,
  BatchRequestTooLong,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  InvalidBatchEntryId,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueNameExists,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  TooManyEntriesInBatchRequest,
  PurgeQueueInProgress,
  type Message,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFixture, until, type EmulatorFixture } from '#test/unit/local-cloud/aws/emulator-fixture';

let f: EmulatorFixture;
let queueUrl: string;

beforeEach(async () => {
  f = await startFixture();
  queueUrl = (await f.sqs.send(new CreateQueueCommand({ QueueName: 'events-dlq', Attributes: { VisibilityTimeout: '30' } }))).QueueUrl as string;
});

afterEach(async () => {
  await f.close();
});

async function receiveAll(url = queueUrl): Promise<Message[]> {
  const out = await f.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
  );
  return out.Messages ?? [];
}

describe('SendMessageBatch', () => {
  it('reports each entry as successful or failed, with the real field names', async () => {
    const small = (await f.sqs.send(new CreateQueueCommand({ QueueName: 'small', Attributes: { MaximumMessageSize: '1024' } }))).QueueUrl as string;

    const out = await f.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: small,
        Entries: [
          { Id: 'ok', MessageBody: 'fine' },
          { Id: 'bad-chars', MessageBody: 'bell \u0007' },
          { Id: 'too-big', MessageBody: 'x'.repeat(1025) },
          { Id: 'empty', MessageBody: '' },
          { Id: 'ok2', MessageBody: 'also fine' },
        ],
      }),
    );

    expect(out.Successful?.map((s) => s.Id)).toEqual(['ok', 'ok2']);
    // fff2...186f is md5('fine').
    expect(out.Successful?.[0]).toMatchObject({ MessageId: expect.any(String), MD5OfMessageBody: 'fff25994ee3941b225ba898fd17d186f' });
    expect(out.Failed).toEqual([
      { Id: 'bad-chars', SenderFault: true, Code: 'InvalidMessageContents', Message: expect.any(String) },
      { Id: 'too-big', SenderFault: true, Code: 'InvalidParameterValue', Message: expect.stringContaining('shorter than 1024 bytes') },
      { Id: 'empty', SenderFault: true, Code: 'MissingParameter', Message: expect.any(String) },
    ]);
    expect((await receiveAll(small)).map((m) => m.Body).sort()).toEqual(['also fine', 'fine']);
  });

  it('fails only the FIFO entry that lacks a group id', async () => {
    const fifo = (await f.sqs.send(new CreateQueueCommand({ QueueName: 'in.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl as string;

    const out = await f.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: fifo,
        Entries: [
          { Id: 'a', MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'a' },
          { Id: 'b', MessageBody: 'b', MessageDeduplicationId: 'b' },
        ],
      }),
    );

    expect(out.Successful?.map((s) => s.Id)).toEqual(['a']);
    expect(out.Successful?.[0]?.SequenceNumber).toMatch(/^\d{20}$/);
    expect(out.Failed).toEqual([{ Id: 'b', SenderFault: true, Code: 'MissingParameter', Message: expect.stringContaining('MessageGroupId') }]);
  });

  it('rejects malformed batches as a whole with the named exceptions', async () => {
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));

    await expect(f.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries(11) }))).rejects.toBeInstanceOf(TooManyEntriesInBatchRequest);
    await expect(f.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [] }))).rejects.toBeInstanceOf(EmptyBatchRequest);
    await expect(
      f.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [
            { Id: 'x', MessageBody: '1' },
            { Id: 'x', MessageBody: '2' },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(BatchEntryIdsNotDistinct);
    await expect(f.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'not valid!', MessageBody: '1' }] }))).rejects.toBeInstanceOf(
      InvalidBatchEntryId,
    );
    expect(f.emulator.sqs.peek('events-dlq')).toHaveLength(0);
  });

  it('enforces the 1 MiB total for a batch, even when each message fits', async () => {
    const half = 'x'.repeat(600 * 1024);

    await expect(
      f.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [
            { Id: 'a', MessageBody: half },
            { Id: 'b', MessageBody: half },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(BatchRequestTooLong);
  });
});

describe('message size and attributes', () => {
  it('accepts a message of exactly 1 MiB (body plus attributes) and rejects one byte more', async () => {
    const attrs = { k: { DataType: 'String', StringValue: 'v' } }; // 1 + 6 + 1 = 8 bytes
    const limit = 1_048_576;

    const ok = await f.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x'.repeat(limit - 8), MessageAttributes: attrs }));
    expect(ok.MessageId).toBeTruthy();
    await expect(
      f.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x'.repeat(limit - 7), MessageAttributes: attrs })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('computes MD5OfMessageAttributes the way SQS does and returns only the attributes asked for', async () => {
    const sent = await f.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'body',
        MessageAttributes: {
          TaskName: { DataType: 'String', StringValue: 'my_task' },
        },
      }),
    );
    // Known value for this single attribute, as computed by other SQS implementations.
    expect(sent.MD5OfMessageAttributes).toBe('5346f2cd7c539a880febaf9112a86921');

    await f.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'second',
        MessageAttributes: {
          'trace.id': { DataType: 'String', StringValue: 't-1' },
          'trace.span': { DataType: 'Number', StringValue: '7' },
          other: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 255]) },
        },
      }),
    );
    const out = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['trace.*'] }));
    const second = out.Messages?.find((m) => m.Body === 'second');
    expect(Object.keys(second?.MessageAttributes ?? {}).sort()).toEqual(['trace.id', 'trace.span']);
  });

  it('round-trips binary attribute values', async () => {
    await f.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'b',
        MessageAttributes: { raw: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 255]) } },
      }),
    );
    const [m] = await receiveAll();
    expect([...(m?.MessageAttributes?.raw?.BinaryValue ?? [])]).toEqual([0, 1, 255]);
  });

  it('rejects reserved attribute names and bad numbers', async () => {
    await expect(
      f.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x', MessageAttributes: { 'AWS.thing': { DataType: 'String', StringValue: 'v' } } }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      f.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } } })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });
});

describe('standard queue behaviour', () => {
  it('holds a delayed message back until its delay has passed', async () => {
    await f.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'later', DelaySeconds: 10 }));
    const attrs = await f.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessagesDelayed'] }));
    expect(attrs.Attributes).toEqual({ ApproximateNumberOfMessagesDelayed: '1' });
    expect(await receiveAll()).toEqual([]);

    await f.clock.advance(10_000);

    expect((await receiveAll()).map((m) => m.Body)).toEqual(['later']);
  });

  it('ignores a stale receipt handle: the request succeeds but the message stays', async () => {
    await f.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'm' }));
    const [first] = await receiveAll();
    await f.clock.advance(30_000);
    const [second] = await receiveAll();

    await f.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first?.ReceiptHandle }));
    expect(f.emulator.sqs.peek('events-dlq')).toHaveLength(1);

    await f.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: second?.ReceiptHandle }));
    expect(f.emulator.sqs.peek('events-dlq')).toHaveLength(0);
  });

  it('returns system attributes only when asked, through either attribute list', async () => {
    await f.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'm' }));
    const plain = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0 }));
    const legacy = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, AttributeNames: ['All'], VisibilityTimeout: 0 }));
    const named = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));

    expect(plain.Messages?.[0]?.Attributes).toBeUndefined();
    expect(legacy.Messages?.[0]?.Attributes).toMatchObject({ ApproximateReceiveCount: '2', SentTimestamp: String(f.clock.now()) });
    expect(named.Messages?.[0]?.Attributes).toEqual({ ApproximateReceiveCount: '3' });
  });

  it('reports per-entry DeleteMessageBatch failures for invalid handles', async () => {
    await f.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'm' }));
    const [m] = await receiveAll();

    const out = await f.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'good', ReceiptHandle: m?.ReceiptHandle },
          { Id: 'junk', ReceiptHandle: 'not-a-handle' },
        ],
      }),
    );

    expect(out.Successful).toEqual([{ Id: 'good' }]);
    expect(out.Failed).toEqual([{ Id: 'junk', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: expect.any(String) }]);
  });

  it('purges a queue once a minute at most', async () => {
    await f.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'm' }));

    await f.sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));

    expect(f.emulator.sqs.peek('events-dlq')).toHaveLength(0);
    await expect(f.sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }))).rejects.toBeInstanceOf(PurgeQueueInProgress);
    await f.clock.advance(60_000);
    await f.sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  });

  it('lists queues by prefix and treats CreateQueue as idempotent only for equal attributes', async () => {
    await f.sqs.send(new CreateQueueCommand({ QueueName: 'events-other' }));
    const again = await f.sqs.send(new CreateQueueCommand({ QueueName: 'events-dlq', Attributes: { VisibilityTimeout: '30' } }));

    expect(again.QueueUrl).toBe(queueUrl);
    expect((await f.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'events-' }))).QueueUrls).toEqual([
      `${f.emulator.endpoint}/000000000000/events-dlq`,
      `${f.emulator.endpoint}/000000000000/events-other`,
    ]);
    await expect(f.sqs.send(new CreateQueueCommand({ QueueName: 'events-dlq', Attributes: { VisibilityTimeout: '60' } }))).rejects.toBeInstanceOf(
      QueueNameExists,
    );
  });

  it('counts every call per service and operation', async () => {
    f.emulator.calls.reset();
    await f.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'm' }));
    await f.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'a', MessageBody: 'a' }] }));
    await receiveAll();
    await receiveAll();

    expect(f.emulator.calls.snapshot()).toEqual({
      'sqs.ReceiveMessage': 2,
      'sqs.SendMessage': 1,
      'sqs.SendMessageBatch': 1,
    });
  });
});

describe('ChangeMessageVisibility while a receive is waiting', () => {
  it('brings the message to the waiting long poll when its new timeout ends, not at the end of the poll', async () => {
    await f.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'deferred' }));
    const [first] = await receiveAll();
    expect(first?.Body).toBe('deferred');

    let received: Message[] | undefined;
    const waiting = f.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 })).then((out) => (received = out.Messages ?? []));
    // Let the receive reach the queue and plan its wake-up around the 30-second visibility.
    await new Promise((r) => setTimeout(r, 50));
    await f.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: first?.ReceiptHandle, VisibilityTimeout: 2 }));
    await f.clock.advance(2_000);
    await until(() => received !== undefined);
    expect(received?.map((m) => m.Body)).toEqual(['deferred']);
    await waiting;
  });
});

describe('fair queues (a standard queue whose messages carry a tenant in MessageGroupId)', () => {
  async function send(url: string, tenant: string, n: number): Promise<void> {
    for (let i = 0; i < n; i += 10) {
      await f.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: Array.from({ length: Math.min(10, n - i) }, (_, k) => ({ Id: `m${k}`, MessageBody: `${tenant}-${i + k}`, MessageGroupId: tenant })),
        }),
      );
    }
  }
  async function receive(url: string, max = 10): Promise<string[]> {
    const out = await f.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: max }));
    return (out.Messages ?? []).map((m) => m.Body ?? '');
  }

  it("hands out a quiet tenant's messages before a noisy neighbour's backlog", async () => {
    const url = (await f.sqs.send(new CreateQueueCommand({ QueueName: 'fair', Attributes: { VisibilityTimeout: '30' } }))).QueueUrl as string;
    await send(url, 'bulk', 100);
    // The consumer takes 40 of the noisy tenant's messages (it now holds all of those in flight)…
    for (let i = 0; i < 4; i++) expect((await receive(url)).every((b) => b.startsWith('bulk-'))).toBe(true);
    // …then a quiet tenant writes after the backlog: its messages come first.
    await send(url, 'quiet', 3);
    expect(await receive(url)).toEqual(['quiet-0', 'quiet-1', 'quiet-2', 'bulk-40', 'bulk-41', 'bulk-42', 'bulk-43', 'bulk-44', 'bulk-45', 'bulk-46']);
  });

  it('keeps arrival order while no tenant is noisy (fewer than 30 of its own in flight)', async () => {
    const url = (await f.sqs.send(new CreateQueueCommand({ QueueName: 'fair-calm', Attributes: { VisibilityTimeout: '30' } }))).QueueUrl as string;
    await send(url, 'bulk', 30);
    expect(await receive(url)).toHaveLength(10);
    expect(await receive(url)).toHaveLength(10);
    await send(url, 'quiet', 2);
    expect(await receive(url)).toEqual(Array.from({ length: 10 }, (_, i) => `bulk-${20 + i}`));
    expect(await receive(url)).toEqual(['quiet-0', 'quiet-1']);
  });
});
