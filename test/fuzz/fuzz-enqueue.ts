import type { SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { enqueueIngressEvents } from '#lambdas/ingress/enqueue-ingress-events';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';

/**
 * The webhook's enqueue step with SQS and S3 replaced by memory: the real batching, claim-check
 * and FIFO id code runs, and every batch it would send is kept for inspection.
 */
export class InMemoryIngressQueue {
  readonly batches: SendMessageBatchRequestEntry[][] = [];
  readonly claims = new Map<string, string>();
  readonly enqueuedEvents: IngressEvent[] = [];
  calls = 0;

  private readonly sqs = {
    send: async (command: { input: { Entries?: SendMessageBatchRequestEntry[] } }) => {
      const entries = command.input.Entries ?? [];
      this.batches.push(entries);
      return { Successful: entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}` })), Failed: [] };
    },
  } as unknown as SQSClient;

  readonly enqueue = async (events: IngressEvent[]): Promise<void> => {
    this.calls++;
    this.enqueuedEvents.push(...events);
    await enqueueIngressEvents(events, {
      sqs: this.sqs,
      queueUrl: 'https://sqs.local/000000000000/ingress.fifo',
      claimChecks: { bucket: 'claims', put: async (key, body) => void this.claims.set(key, body) },
      sleep: async () => {},
    });
  };

  entries(): SendMessageBatchRequestEntry[] {
    return this.batches.flat();
  }
}
