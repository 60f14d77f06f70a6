import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { RetryableError } from '#lambdas/shared/domain-error';

export interface DomainEvent {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  time?: Date;
}

export interface EventPublisher {
  publish(events: DomainEvent[]): Promise<void>;
}

export class PublishError extends RetryableError {
  override name = 'PublishError';
}

const MAX_ENTRIES = 10;
const ATTEMPTS = 4;

/**
 * PutEvents answers HTTP 200 even when some entries failed: success is `FailedEntryCount === 0`.
 * Only the failed entries are sent again; after the last attempt the caller gets an error and its
 * SQS record is retried (consumers are idempotent, so a second delivery is harmless).
 */
export function eventBridgePublisher(
  client: EventBridgeClient,
  busName: string,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): EventPublisher {
  return {
    async publish(events) {
      for (let i = 0; i < events.length; i += MAX_ENTRIES) {
        let pending: PutEventsRequestEntry[] = events.slice(i, i + MAX_ENTRIES).map((e) => ({
          EventBusName: busName,
          Source: e.source,
          DetailType: e.detailType,
          Detail: JSON.stringify(e.detail),
          ...(e.time ? { Time: e.time } : {}),
        }));
        let lastCode = '';
        for (let attempt = 1; attempt <= ATTEMPTS && pending.length > 0; attempt++) {
          if (attempt > 1) await sleep(20 * 2 ** attempt);
          try {
            const out = await client.send(new PutEventsCommand({ Entries: pending }));
            if (!out.FailedEntryCount) {
              pending = [];
              break;
            }
            const results = out.Entries ?? [];
            const failed = pending.filter((_, idx) => results[idx]?.ErrorCode || !results[idx]?.EventId);
            lastCode = results.find((r) => r.ErrorCode)?.ErrorCode ?? 'Unknown';
            pending = failed;
          } catch (err) {
            lastCode = (err as Error).name;
          }
        }
        if (pending.length > 0) throw new PublishError(`${pending.length} event(s) not published (${lastCode})`);
      }
    },
  };
}
