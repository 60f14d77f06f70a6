import { GetQueueAttributesCommand, paginateListQueues, type SQSClient } from '@aws-sdk/client-sqs';

/** A dead-letter queue of the stack and the queue its messages are redriven to. */
export interface DeadLetterQueue {
  /** Short name, e.g. `ingress`, `agent`, `outbound-send`, `status-tracking`. */
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly sourceUrl: string;
  readonly sourceArn: string;
  readonly fifo: boolean;
  /** Messages waiting to be seen (ApproximateNumberOfMessages). */
  readonly visible: number;
  /** Messages received but neither deleted nor back yet (someone is looking at them). */
  readonly inFlight: number;
}

interface QueueFacts {
  readonly url: string;
  readonly arn: string;
  readonly name: string;
  readonly deadLetterTargetArn: string | undefined;
  readonly visible: number;
  readonly inFlight: number;
}

export class DeadLetterQueueNotFoundError extends Error {
  override name = 'DeadLetterQueueNotFoundError';
  constructor(
    readonly wanted: string,
    readonly known: readonly string[],
  ) {
    super(`No dead-letter queue "${wanted}"; the stack has: ${known.join(', ') || 'none'}`);
  }
}

/**
 * Finds the stack's dead-letter queues from the queues themselves: every queue whose name starts
 * with `prefix` is read, and a queue another one names in its RedrivePolicy is that one's
 * dead-letter queue. Nothing is hard-coded, so a queue added to the stack shows up here.
 */
export async function listDeadLetterQueues(sqs: SQSClient, prefix: string): Promise<DeadLetterQueue[]> {
  const urls: string[] = [];
  for await (const page of paginateListQueues({ client: sqs }, { QueueNamePrefix: prefix, MaxResults: 1000 })) {
    urls.push(...(page.QueueUrls ?? []));
  }
  const queues = await Promise.all(urls.map((url) => queueFacts(sqs, url)));
  const byArn = new Map(queues.map((q) => [q.arn, q]));
  const found: DeadLetterQueue[] = [];
  for (const source of queues) {
    const dlq = source.deadLetterTargetArn ? byArn.get(source.deadLetterTargetArn) : undefined;
    if (!dlq) continue;
    found.push({
      name: shortName(source.name, prefix),
      url: dlq.url,
      arn: dlq.arn,
      sourceUrl: source.url,
      sourceArn: source.arn,
      fifo: dlq.name.endsWith('.fifo'),
      visible: dlq.visible,
      inFlight: dlq.inFlight,
    });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** The dead-letter queue called `wanted`: its short name, its queue name or its source queue's name. */
export function pickDeadLetterQueue(queues: readonly DeadLetterQueue[], wanted: string): DeadLetterQueue {
  const w = wanted.toLowerCase();
  const match = queues.find(
    (q) =>
      q.name === w ||
      q.name.replaceAll('-', '') === w.replaceAll('-', '') ||
      [q.url, q.sourceUrl].some((url) => (url.split('/').at(-1) ?? '').toLowerCase() === w),
  );
  if (!match)
    throw new DeadLetterQueueNotFoundError(
      wanted,
      queues.map((q) => q.name),
    );
  return match;
}

/** `Omnichannel-prod-outbound-send` → `outbound-send`; `Omnichannel-prod-ingress.fifo` → `ingress`. */
export function shortName(queueName: string, prefix: string): string {
  const bare = queueName.startsWith(prefix) ? queueName.slice(prefix.length) : queueName;
  return bare.replace(/\.fifo$/, '');
}

async function queueFacts(sqs: SQSClient, url: string): Promise<QueueFacts> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['QueueArn', 'RedrivePolicy', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const attributes = out.Attributes ?? {};
  const arn = attributes.QueueArn ?? '';
  let deadLetterTargetArn: string | undefined;
  if (attributes.RedrivePolicy) {
    try {
      deadLetterTargetArn = (JSON.parse(attributes.RedrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
    } catch {
      deadLetterTargetArn = undefined;
    }
  }
  return {
    url,
    arn,
    name: arn.split(':').at(-1) ?? url.split('/').at(-1) ?? url,
    deadLetterTargetArn,
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}
