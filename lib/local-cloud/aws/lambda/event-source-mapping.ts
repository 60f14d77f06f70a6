import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import type { CallCounter } from '#lib/local-cloud/aws/call-counter';
import type { ReceivedMessage, SqsEngine } from '#lib/local-cloud/aws/sqs/sqs-engine';

export interface EventSourceMappingOptions {
  sqs: SqsEngine;
  queueName: string;
  /** Records per invocation: 1-10 for FIFO, up to 10,000 for standard (above 10 needs a batching window). */
  batchSize?: number;
  /** How long to keep gathering records after the first one arrives, like MaximumBatchingWindowInSeconds. */
  maximumBatchingWindowMs?: number;
  /** FunctionResponseTypes: ReportBatchItemFailures. */
  reportBatchItemFailures?: boolean;
  /** Concurrent invocations (ScalingConfig.MaximumConcurrency); default 5. */
  maxConcurrency?: number;
  // biome-ignore lint/suspicious/noConfusingVoidType: typed like aws-lambda's SQSHandler, whose async handlers resolve to void
  invoke: (event: SQSEvent) => Promise<SQSBatchResponse | void> | SQSBatchResponse | void;
  /** Counts the mapping's own SQS calls under `sqs-esm.*` and invocations under `lambda.Invoke`. */
  calls?: CallCounter;
  /** Told about invocations that threw (their records come back after the visibility timeout). */
  onInvocationError?: (error: unknown, event: SQSEvent) => void;
  /** Long-poll length of each receive; Lambda's pollers use 20 seconds. */
  pollWaitSeconds?: number;
}

export interface EventSourceMappingStats {
  invocations: number;
  failedInvocations: number;
  recordsDeleted: number;
  /** Records left for redelivery: reported failures, records after them in a FIFO group, failed invocations. */
  recordsRetained: number;
  /** Deletes that SQS refused (usually an invocation that outlived the visibility timeout). */
  deleteErrors: number;
}

export interface EventSourceMapping {
  /** Stops polling, lets running invocations finish and settle their deletes. */
  stop(): Promise<void>;
  stats(): EventSourceMappingStats;
}

/**
 * Lambda's SQS poller: receives batches, invokes the function with the real `SQSEvent` shape and
 * deletes what succeeded. A throwing invocation deletes nothing, so the whole batch returns after the
 * visibility timeout. With ReportBatchItemFailures only the reported records stay; on a FIFO queue a
 * failed record also keeps every later record of its message group in the batch, so the group is
 * redelivered in order (AWS asks the function to report those itself; enforcing it here means a
 * function that forgets does not lose order locally). Concurrent invocations never share a message
 * group, because SQS does not hand out a group that has messages in flight.
 */
export function startEventSourceMapping(options: EventSourceMappingOptions): EventSourceMapping {
  const { sqs, queueName } = options;
  const fifo = sqs.isFifo(queueName);
  const batchSize = options.batchSize ?? 10;
  const windowMs = options.maximumBatchingWindowMs ?? 0;
  const concurrency = options.maxConcurrency ?? 5;
  const pollWaitSeconds = options.pollWaitSeconds ?? 20;
  const maxBatch = fifo ? 10 : 10_000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatch) {
    throw new RangeError(`batchSize must be between 1 and ${maxBatch} for this queue`);
  }
  if (batchSize > 10 && windowMs < 1000) {
    throw new RangeError('a batchSize above 10 needs maximumBatchingWindowMs of at least 1000, as Lambda requires');
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('maxConcurrency must be a positive integer');
  const queueArn = sqs.arnOf(queueName);
  const abort = new AbortController();
  const stats: EventSourceMappingStats = { invocations: 0, failedInvocations: 0, recordsDeleted: 0, recordsRetained: 0, deleteErrors: 0 };

  const receive = async (max: number, waitMs: number): Promise<ReceivedMessage[]> => {
    options.calls?.record('sqs-esm', 'ReceiveMessage');
    return sqs.receiveMessages(queueName, { maxNumberOfMessages: Math.min(10, max), waitTimeMs: waitMs, signal: abort.signal });
  };

  const collectBatch = async (): Promise<ReceivedMessage[]> => {
    const batch = await receive(batchSize, pollWaitSeconds * 1000);
    if (batch.length === 0 || windowMs <= 0) return batch;
    const deadline = sqs.clock.now() + windowMs;
    while (batch.length < batchSize && !abort.signal.aborted) {
      const left = deadline - sqs.clock.now();
      if (left <= 0) break;
      batch.push(...(await receive(batchSize - batch.length, left)));
    }
    return batch;
  };

  const settle = async (batch: ReceivedMessage[], keep: Set<string>): Promise<void> => {
    const toDelete = batch.filter((m) => !keep.has(m.messageId));
    stats.recordsRetained += batch.length - toDelete.length;
    for (let i = 0; i < toDelete.length; i += 10) {
      const chunk = toDelete.slice(i, i + 10);
      options.calls?.record('sqs-esm', 'DeleteMessageBatch');
      try {
        const out = sqs.deleteMessageBatch(
          queueName,
          chunk.map((m, idx) => ({ id: String(idx), receiptHandle: m.receiptHandle })),
        );
        stats.recordsDeleted += out.successful.length;
        stats.deleteErrors += out.failed.length;
      } catch {
        stats.deleteErrors += chunk.length;
      }
    }
  };

  const processBatch = async (batch: ReceivedMessage[]): Promise<void> => {
    const event: SQSEvent = { Records: batch.map((m) => toSqsRecord(m, queueArn, sqs.region)) };
    stats.invocations++;
    options.calls?.record('lambda', 'Invoke');
    let response: Awaited<ReturnType<EventSourceMappingOptions['invoke']>>;
    try {
      response = await options.invoke(event);
    } catch (err) {
      stats.failedInvocations++;
      stats.recordsRetained += batch.length;
      options.onInvocationError?.(err, event);
      return;
    }
    const keep = options.reportBatchItemFailures ? recordsToKeep(batch, response, fifo) : new Set<string>();
    await settle(batch, keep);
  };

  const worker = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      let batch: ReceivedMessage[];
      try {
        batch = await collectBatch();
      } catch {
        // The queue is gone or misconfigured: back off instead of spinning.
        await pause(sqs, 1000, abort.signal);
        continue;
      }
      if (batch.length > 0) await processBatch(batch);
      // Receives that find messages resolve without I/O; yield so a hot loop (a function that
      // always fails on a zero visibility timeout) cannot starve timers and sockets.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };

  const workers = Array.from({ length: concurrency }, () => worker());
  return {
    async stop() {
      abort.abort();
      await Promise.all(workers);
    },
    stats: () => ({ ...stats }),
  };
}

/**
 * Which records of the batch must come back. An unusable response (an item identifier that is
 * empty or not in the batch, or a malformed list) fails the whole batch, as Lambda treats it.
 */
export function recordsToKeep(batch: readonly ReceivedMessage[], response: unknown, fifo: boolean): Set<string> {
  const all = new Set(batch.map((m) => m.messageId));
  if (response === undefined || response === null) return new Set();
  if (typeof response !== 'object') return all;
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return all;
  const failed = new Set<string>();
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || id === '' || !all.has(id)) return all;
    failed.add(id);
  }
  if (!fifo) return failed;
  const keep = new Set<string>();
  const brokenGroups = new Set<string>();
  for (const m of batch) {
    const group = m.attributes.MessageGroupId ?? '';
    if (failed.has(m.messageId)) brokenGroups.add(group);
    if (brokenGroups.has(group)) keep.add(m.messageId);
  }
  return keep;
}

/** A received message as Lambda presents it in an SQS event record. */
export function toSqsRecord(m: ReceivedMessage, queueArn: string, region: string): SQSRecord {
  const a = m.attributes;
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
    SentTimestamp: a.SentTimestamp ?? '',
    SenderId: a.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? '',
    ...(a.SequenceNumber !== undefined ? { SequenceNumber: a.SequenceNumber } : {}),
    ...(a.MessageGroupId !== undefined ? { MessageGroupId: a.MessageGroupId } : {}),
    ...(a.MessageDeduplicationId !== undefined ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
    ...(a.AWSTraceHeader !== undefined ? { AWSTraceHeader: a.AWSTraceHeader } : {}),
    ...(a.DeadLetterQueueSourceArn !== undefined ? { DeadLetterQueueSourceArn: a.DeadLetterQueueSourceArn } : {}),
  };
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, attr] of Object.entries(m.messageAttributes)) {
    messageAttributes[name] = {
      ...(attr.stringValue !== undefined ? { stringValue: attr.stringValue } : {}),
      ...(attr.binaryValue !== undefined ? { binaryValue: attr.binaryValue.toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: attr.dataType,
    };
  }
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes,
    messageAttributes,
    md5OfBody: m.md5OfBody,
    ...(m.md5OfMessageAttributes !== undefined ? { md5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

function pause(sqs: SqsEngine, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const cancel = sqs.clock.setTimer(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    const onAbort = (): void => {
      cancel();
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
