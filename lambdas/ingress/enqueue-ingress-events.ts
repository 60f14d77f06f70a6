import type { SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { IngressEvent } from '#lambdas/ingress/ingress-event';
import { deduplicationIdFor, messageGroupIdFor } from '#lambdas/ingress/sqs-fifo-ids';
import { boundedId } from '#lambdas/shared/bounded-id';
import { sha256Hex } from '#lambdas/shared/hash';
import { EnqueueError } from '#lambdas/ingress/errors';

/**
 * SQS now accepts messages up to 1 MiB, but we stay under the long-standing 256 KiB limit for a
 * message and for a whole batch, so the same code is safe on every SQS endpoint (and local
 * emulations). Events bigger than CLAIM_CHECK_THRESHOLD go to S3 and travel as a reference.
 */
export const MAX_BATCH_BYTES = 256 * 1024;
export const CLAIM_CHECK_THRESHOLD = 200 * 1024;
const MAX_BATCH_ENTRIES = 10;
const MAX_REFERENCE_ID_BYTES = 1024;
const ATTEMPTS = 4;
/** Batches in flight at once for one webhook body. */
export const MAX_CONCURRENT_BATCHES = 8;

export interface ClaimCheckStore {
  bucket: string;
  put(key: string, body: string): Promise<void>;
}

export interface EnqueueDeps {
  sqs: SQSClient;
  queueUrl: string;
  claimChecks?: ClaimCheckStore;
  /** Waits between retries; injectable so tests do not sleep. */
  sleep?: (ms: number) => Promise<void>;
}

interface Prepared {
  entry: SendMessageBatchRequestEntry;
  bytes: number;
  eventId: string;
}

/**
 * Enqueues every event or throws. The webhook answers 200 only after this resolves, so an SQS
 * outage turns into a 5xx and Meta redelivers: nothing is acknowledged that was not stored.
 * Only failed entries are retried; a retry after a timeout cannot duplicate work because the
 * FIFO queue deduplicates by event id for five minutes and the normalizer's writes are conditional.
 */
export async function enqueueIngressEvents(events: IngressEvent[], deps: EnqueueDeps): Promise<void> {
  const prepared = await Promise.all(events.map((e, i) => prepare(e, i, deps)));
  await sendConcurrently([...chunk(prepared)], deps);
}

/**
 * A large body becomes many batches; sending them one after another would keep Meta waiting for
 * dozens of round trips. Batches go out concurrently, except that a batch waits for every earlier
 * batch that shares a message group with it: SQS orders a group by arrival, so two batches of the
 * same conversation in flight together could swap its messages.
 */
async function sendConcurrently(batches: Prepared[][], deps: EnqueueDeps): Promise<void> {
  const lastForGroup = new Map<string, Promise<void>>();
  let running = 0;
  const waiting: Array<() => void> = [];
  const slot = async () => {
    if (running >= MAX_CONCURRENT_BATCHES) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
  };
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  const sends = batches.map((batch) => {
    const groups = [...new Set(batch.map((p) => p.entry.MessageGroupId!))];
    const before = groups.map((g) => lastForGroup.get(g)).filter((p): p is Promise<void> => p !== undefined);
    const sent = Promise.all(before).then(async () => {
      await slot();
      try {
        await sendWithRetries(batch, deps);
      } finally {
        release();
      }
    });
    for (const g of groups) lastForGroup.set(g, sent);
    return sent;
  });
  // Wait for every batch, then report the first failure: one failed batch fails the request.
  const results = await Promise.allSettled(sends);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function prepare(event: IngressEvent, index: number, deps: EnqueueDeps): Promise<Prepared> {
  let body = JSON.stringify(event);
  if (Buffer.byteLength(body) > CLAIM_CHECK_THRESHOLD) {
    if (!deps.claimChecks) throw new EnqueueError('event too large and no claim-check store configured', [event.eventId]);
    const key = `claims/${event.receivedAt.slice(0, 10)}/${sha256Hex(event.eventId)}.json`;
    await deps.claimChecks.put(key, body);
    body = JSON.stringify(claimCheckReference(event, { bucket: deps.claimChecks.bucket, key }));
  }
  return {
    eventId: event.eventId,
    bytes: Buffer.byteLength(body),
    entry: {
      Id: String(index),
      MessageBody: body,
      MessageGroupId: messageGroupIdFor(event.conversationKey),
      MessageDeduplicationId: deduplicationIdFor(event.eventId),
    },
  };
}

/**
 * What travels on the queue in place of a parked event: only the envelope the normalizer checks
 * before it reads the stored copy. Any other field may be as large as the payload (an `object` or
 * id of hundreds of kilobytes in a hostile body), and ids that long are replaced by their hash.
 */
function claimCheckReference(event: IngressEvent, claimCheck: { bucket: string; key: string }): IngressEvent {
  const short = (id: string) => boundedId(id, MAX_REFERENCE_ID_BYTES);
  return {
    v: event.v,
    kind: event.kind,
    channel: event.channel,
    conversationKey: short(event.conversationKey),
    eventId: short(event.eventId),
    receivedAt: event.receivedAt,
    payload: null,
    claimCheck,
  };
}

function* chunk(items: Prepared[]): Generator<Prepared[]> {
  let current: Prepared[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length === MAX_BATCH_ENTRIES || (current.length > 0 && bytes + item.bytes > MAX_BATCH_BYTES)) {
      yield current;
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length > 0) yield current;
}

async function sendWithRetries(batch: Prepared[], deps: EnqueueDeps): Promise<void> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let pending = batch;
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS && pending.length > 0; attempt++) {
    if (attempt > 1) await sleep(25 * 2 ** attempt);
    try {
      const out = await deps.sqs.send(new SendMessageBatchCommand({ QueueUrl: deps.queueUrl, Entries: pending.map((p) => p.entry) }));
      const failedIds = new Set((out.Failed ?? []).map((f) => f.Id));
      lastError = out.Failed?.[0] ? new Error(`${out.Failed[0].Code}: ${out.Failed[0].Message}`) : undefined;
      pending = pending.filter((p) => failedIds.has(p.entry.Id));
    } catch (err) {
      lastError = err;
    }
  }
  if (pending.length > 0) {
    throw new EnqueueError(
      `could not enqueue ${pending.length} event(s) after ${ATTEMPTS} attempts`,
      pending.map((p) => p.eventId),
      { cause: lastError },
    );
  }
}
