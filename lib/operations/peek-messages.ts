import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { maskPersonalData, printableBody } from '#lib/operations/mask-personal-data';

/** One message as an operator sees it: ids, counts, times and attributes, the body masked. */
export interface PeekedMessage {
  readonly messageId: string;
  readonly receiveCount: number;
  readonly sentAt: string | undefined;
  readonly firstReceivedAt: string | undefined;
  readonly groupId: string | undefined;
  /** The queue the message failed in (SQS writes it when it moves a message to its DLQ). */
  readonly deadLetterSourceArn: string | undefined;
  /** Message attributes, e.g. EventBridge's ERROR_CODE / ERROR_MESSAGE / RULE_ARN on a failed delivery. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface PeekOptions {
  /** At most this many messages (default 10). */
  readonly max?: number;
  /** How long the messages stay hidden while being read; they are made visible again at the end. */
  readonly holdSeconds?: number;
  readonly bodyChars?: number;
}

/**
 * Looks at messages without consuming them: receives with a short visibility timeout (so repeated
 * receives return new messages), then sets the visibility of every received message back to 0 so
 * they are immediately available again, in a `finally` so an error does not leave them hidden.
 * Each look adds one to a message's receive count; dead-letter queues have no redrive policy of
 * their own, so that moves nothing.
 */
export async function peekMessages(sqs: SQSClient, queueUrl: string, options: PeekOptions = {}): Promise<PeekedMessage[]> {
  const max = Math.max(1, Math.min(options.max ?? 10, 100));
  const seen = new Map<string, Message>();
  try {
    for (let round = 0; seen.size < max && round < Math.ceil(max / 10) + 2; round++) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, max - seen.size),
          VisibilityTimeout: options.holdSeconds ?? 30,
          // Long polling asks every server, so a short queue is not reported empty by chance.
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const fresh = (out.Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const m of fresh) seen.set(m.MessageId as string, m);
    }
  } finally {
    await makeVisibleAgain(sqs, queueUrl, [...seen.values()]);
  }
  return [...seen.values()].map((m) => describeMessage(m, options.bodyChars)).sort((a, b) => (a.sentAt ?? '').localeCompare(b.sentAt ?? ''));
}

export function describeMessage(m: Message, bodyChars?: number): PeekedMessage {
  const system = m.Attributes ?? {};
  const time = (ms: string | undefined) => (ms && Number.isFinite(Number(ms)) ? new Date(Number(ms)).toISOString() : undefined);
  const attributes = Object.fromEntries(
    Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
      k,
      String(maskPersonalData(v.StringValue ?? (v.BinaryValue ? `«${v.BinaryValue.length} bytes»` : ''))),
    ]),
  );
  return {
    messageId: m.MessageId ?? '',
    receiveCount: Number(system.ApproximateReceiveCount ?? 0),
    sentAt: time(system.SentTimestamp),
    firstReceivedAt: time(system.ApproximateFirstReceiveTimestamp),
    groupId: system.MessageGroupId,
    deadLetterSourceArn: system.DeadLetterQueueSourceArn,
    attributes,
    body: printableBody(m.Body ?? '', bodyChars),
  };
}

async function makeVisibleAgain(sqs: SQSClient, queueUrl: string, messages: Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((m, j) => ({ Id: String(i + j), ReceiptHandle: m.ReceiptHandle as string, VisibilityTimeout: 0 })),
      }),
    );
  }
}
