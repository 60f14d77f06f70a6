import { randomUUID, createHash } from 'node:crypto';
import { type Clock, systemClock } from '#lib/local-cloud/aws/clock';
import { AwsServiceError, isAwsServiceError } from '#lib/local-cloud/aws/aws-error';
import {
  attributesSize,
  md5Hex,
  md5OfMessageAttributes,
  parseMessageAttributes,
  type MessageAttributes,
  type WireMessageAttribute,
} from '#lib/local-cloud/aws/sqs/message-attributes';
import {
  applyQueueAttributes,
  defaultQueueSettings,
  sameSettings,
  settingsToAttributes,
  SQS_MAX_MESSAGE_BYTES,
  validateQueueName,
  type QueueAttributeInput,
} from '#lib/local-cloud/aws/sqs/queue-settings';
import { decodeReceiptHandle, encodeReceiptHandle } from '#lib/local-cloud/aws/sqs/receipt-handle';
import { sqsErrors } from '#lib/local-cloud/aws/sqs/sqs-errors';
import { DEDUP_WINDOW_MS, SqsQueue, type StoredMessage } from '#lib/local-cloud/aws/sqs/sqs-queue';

export interface SqsEngineOptions {
  clock?: Clock;
  region?: string;
  accountId?: string;
  /** Origin used in queue URLs, e.g. `http://127.0.0.1:4566`; the emulator sets it once it listens. */
  baseUrl?: string;
}

export interface SendMessageInput {
  body: string;
  delaySeconds?: number;
  messageAttributes?: Record<string, WireMessageAttribute>;
  messageSystemAttributes?: Record<string, WireMessageAttribute>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  /** Who sent it, as ReceiveMessage reports in SenderId (the caller's access key id over the wire). */
  senderId?: string;
}

export interface SendMessageResult {
  messageId: string;
  md5OfMessageBody: string;
  md5OfMessageAttributes: string | undefined;
  md5OfMessageSystemAttributes: string | undefined;
  sequenceNumber: string | undefined;
}

export interface BatchFailure {
  id: string;
  senderFault: boolean;
  code: string;
  message: string;
}

export interface ReceiveOptions {
  maxNumberOfMessages?: number;
  visibilityTimeoutSeconds?: number;
  /** Long poll: wait up to this long for a message; defaults to the queue's ReceiveMessageWaitTimeSeconds. */
  waitTimeSeconds?: number;
  /**
   * Programmatic callers (the event source mapping's batching window) may wait in milliseconds;
   * this overrides `waitTimeSeconds` and is not limited to 20 seconds.
   */
  waitTimeMs?: number;
  /** Ends a long poll early with whatever is available (nothing). */
  signal?: AbortSignal;
}

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  md5OfMessageAttributes: string | undefined;
  messageAttributes: MessageAttributes;
  /** Every system attribute of this receive (SentTimestamp, ApproximateReceiveCount, MessageGroupId...). */
  attributes: Record<string, string>;
}

/** A message as tests and tools may inspect it without receiving it. */
export interface MessageView {
  messageId: string;
  body: string;
  messageGroupId: string | undefined;
  messageDeduplicationId: string | undefined;
  receiveCount: number;
  inFlight: boolean;
  messageAttributes: MessageAttributes;
  deadLetterSourceArn: string | undefined;
}

export interface MessageMoveTask {
  taskHandle: string;
  status: 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';
  sourceArn: string;
  destinationArn: string | undefined;
  maxNumberOfMessagesPerSecond: number | undefined;
  approximateNumberOfMessagesMoved: number;
  approximateNumberOfMessagesToMove: number;
  failureReason: string | undefined;
  startedTimestamp: number;
}

const DEFAULT_SENDER_ID = 'AIDAEMULATEDSENDER000';
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const GROUP_OR_DEDUP_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
// Characters SQS accepts in a body; a lone surrogate falls outside these ranges under the `u` flag.
const INVALID_BODY_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const MAX_VISIBILITY_SECONDS = 43_200;
const PURGE_INTERVAL_MS = 60_000;
const DELETED_RECENTLY_MS = 60_000;

/** A tenant of a fair queue is "noisy" past these: more than this share of the messages in flight… */
export const FAIR_NOISY_SHARE = 0.1;
/** …and at least this many of its own in flight (Amazon SQS fair queues, "How detection works"). */
export const FAIR_NOISY_MIN_IN_FLIGHT = 30;

/**
 * Receive order of a standard queue: arrival order, except that on a fair queue (messages carrying a
 * MessageGroupId, the tenant) a tenant holding more than 10% of the messages in flight and at least
 * 30 of them is a noisy neighbour: the quiet tenants' messages (and those without a tenant) come
 * first, then the noisy tenants', the one with the fewest in flight first. Of SQS's two detection
 * measures this emulates the concurrency share, not the processing-time share.
 */
function fairOrder(q: SqsQueue, now: number): StoredMessage[] {
  const available: StoredMessage[] = [];
  const inFlightBy = new Map<string, number>();
  let inFlight = 0;
  for (const m of q.messages.values()) {
    if (q.isInFlight(m, now)) {
      inFlight++;
      if (m.groupId !== undefined) inFlightBy.set(m.groupId, (inFlightBy.get(m.groupId) ?? 0) + 1);
    } else if (m.availableAt <= now) available.push(m);
  }
  const noisy = (tenant: string | undefined): number | undefined => {
    if (tenant === undefined) return undefined;
    const own = inFlightBy.get(tenant) ?? 0;
    return own >= FAIR_NOISY_MIN_IN_FLIGHT && own > FAIR_NOISY_SHARE * inFlight ? own : undefined;
  };
  if (![...inFlightBy.keys()].some((t) => noisy(t) !== undefined)) return available;
  const quiet = available.filter((m) => noisy(m.groupId) === undefined);
  const loud = available.filter((m) => noisy(m.groupId) !== undefined);
  // Stable sort: within one noisy tenant, arrival order stays.
  loud.sort((a, b) => noisy(a.groupId)! - noisy(b.groupId)!);
  return [...quiet, ...loud];
}

/**
 * In-memory SQS with the semantics the pipeline depends on: FIFO group ordering and blocking, the
 * 5-minute deduplication window, visibility timeouts, receive counts, redrive to a dead-letter queue and
 * back. Time comes from the injected clock, so every rule can be tested without sleeping.
 */
export class SqsEngine {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  private baseUrl: string;
  private readonly queues = new Map<string, SqsQueue>();
  private readonly deletedAt = new Map<string, number>();
  private readonly moveTasks: MessageMoveTask[] = [];

  constructor(options: SqsEngineOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.baseUrl = options.baseUrl ?? `http://sqs.${this.region}.localhost`;
  }

  setBaseUrl(url: string): void {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  queueUrl(name: string): string {
    return `${this.baseUrl}/${this.accountId}/${name}`;
  }

  queueArn(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  // ---------------------------------------------------------------- queues

  /**
   * Creates a queue, or returns the existing one when its attributes are the same (CreateQueue is
   * idempotent); a different configuration under the same name is an error, as in SQS.
   */
  createQueue(name: string, attributes: QueueAttributeInput = {}): { name: string; url: string; arn: string } {
    const fifo = String(attributes.FifoQueue ?? 'false') === 'true';
    validateQueueName(name, fifo);
    const now = this.clock.now();
    const settings = applyQueueAttributes(defaultQueueSettings(fifo), attributes, true);
    this.checkRedriveTarget(settings.redrivePolicy?.deadLetterTargetArn, fifo);
    const existing = this.queues.get(name);
    if (existing) {
      if (!sameSettings(existing.settings, settings)) throw sqsErrors.queueNameExists(name);
      return this.describe(existing);
    }
    const deletedAt = this.deletedAt.get(name);
    if (deletedAt !== undefined && now - deletedAt < DELETED_RECENTLY_MS) {
      throw new AwsServiceError(
        'QueueDeletedRecently',
        'You must wait 60 seconds after deleting a queue before you can create another queue with the same name.',
        {
          queryErrorCode: 'AWS.SimpleQueueService.QueueDeletedRecently',
        },
      );
    }
    const queue = new SqsQueue(name, this.queueArn(name), settings, now, now);
    this.queues.set(name, queue);
    return this.describe(queue);
  }

  private describe(q: SqsQueue): { name: string; url: string; arn: string } {
    return { name: q.name, url: this.queueUrl(q.name), arn: q.arn };
  }

  private checkRedriveTarget(arn: string | undefined, fifo: boolean): void {
    if (arn === undefined) return;
    const dlq = this.findByArn(arn);
    if (!dlq) {
      throw sqsErrors.invalidParameterValue(`Value ${arn} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`);
    }
    if (dlq.fifo !== fifo) {
      throw sqsErrors.invalidParameterValue(
        'Value for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source.',
      );
    }
  }

  deleteQueue(ref: string): void {
    const q = this.resolve(ref);
    this.queues.delete(q.name);
    this.deletedAt.set(q.name, this.clock.now());
    q.notify();
  }

  /** Accepts a queue name, URL or ARN. Throws QueueDoesNotExist. */
  resolve(ref: string): SqsQueue {
    let name = ref;
    if (ref.startsWith('arn:')) {
      const q = this.findByArn(ref);
      if (!q) throw sqsErrors.queueDoesNotExist();
      return q;
    }
    if (ref.includes('://')) {
      let url: URL;
      try {
        url = new URL(ref);
      } catch {
        throw sqsErrors.queueDoesNotExist();
      }
      const parts = url.pathname.split('/').filter(Boolean);
      if (parts.length !== 2 || parts[0] !== this.accountId) throw sqsErrors.queueDoesNotExist();
      name = parts[1] as string;
    }
    const q = this.queues.get(name);
    if (!q) throw sqsErrors.queueDoesNotExist();
    return q;
  }

  private findByArn(arn: string): SqsQueue | undefined {
    for (const q of this.queues.values()) if (q.arn === arn) return q;
    return undefined;
  }

  getQueueUrl(name: string): string {
    return this.queueUrl(this.resolve(name).name);
  }

  listQueues(prefix = ''): string[] {
    return [...this.queues.keys()]
      .filter((n) => n.startsWith(prefix))
      .sort()
      .map((n) => this.queueUrl(n));
  }

  setQueueAttributes(ref: string, attributes: QueueAttributeInput): void {
    const q = this.resolve(ref);
    const next = applyQueueAttributes(q.settings, attributes, false);
    this.checkRedriveTarget(next.redrivePolicy?.deadLetterTargetArn, next.fifo);
    q.settings = next;
    q.modifiedAt = this.clock.now();
    q.notify();
  }

  /** Attribute names as in GetQueueAttributes; `All` or none gives everything. */
  getQueueAttributes(ref: string, names: readonly string[] = ['All']): Record<string, string> {
    const q = this.resolve(ref);
    const now = this.clock.now();
    q.sweep(now);
    const counts = q.counts(now);
    const all: Record<string, string> = {
      QueueArn: q.arn,
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(q.modifiedAt / 1000)),
      ...settingsToAttributes(q.settings),
    };
    if (names.length === 0 || names.includes('All')) return all;
    const out: Record<string, string> = {};
    for (const n of names) {
      if (all[n] !== undefined) out[n] = all[n];
      else if (
        ![
          'RedrivePolicy',
          'RedriveAllowPolicy',
          'Policy',
          'KmsMasterKeyId',
          'KmsDataKeyReusePeriodSeconds',
          'SqsManagedSseEnabled',
          'FifoQueue',
          'ContentBasedDeduplication',
          'DeduplicationScope',
          'FifoThroughputLimit',
        ].includes(n)
      ) {
        throw sqsErrors.invalidAttributeName(n);
      }
    }
    return out;
  }

  purgeQueue(ref: string): void {
    const q = this.resolve(ref);
    const now = this.clock.now();
    if (q.lastPurgeAt !== undefined && now - q.lastPurgeAt < PURGE_INTERVAL_MS) throw sqsErrors.purgeQueueInProgress(q.name);
    q.lastPurgeAt = now;
    q.messages.clear();
    q.notify();
  }

  // ---------------------------------------------------------------- sending

  sendMessage(ref: string, input: SendMessageInput): SendMessageResult {
    const q = this.resolve(ref);
    const prepared = this.prepare(q, input);
    return this.enqueue(q, prepared);
  }

  /**
   * Request-level problems (empty, over 10 entries, repeated or malformed ids, over 1 MiB in total)
   * fail the whole call; a problem with one entry fails only that entry, as SQS reports it.
   */
  sendMessageBatch(
    ref: string,
    entries: readonly (SendMessageInput & { id: string })[],
  ): { successful: (SendMessageResult & { id: string })[]; failed: BatchFailure[] } {
    const q = this.resolve(ref);
    checkBatchShape(entries.map((e) => e.id));
    let total = 0;
    for (const e of entries) {
      total += Buffer.byteLength(e.body ?? '') + safeAttributesSize(e.messageAttributes);
    }
    if (total > SQS_MAX_MESSAGE_BYTES) throw sqsErrors.batchRequestTooLong(total, SQS_MAX_MESSAGE_BYTES);
    const successful: (SendMessageResult & { id: string })[] = [];
    const failed: BatchFailure[] = [];
    for (const e of entries) {
      try {
        const prepared = this.prepare(q, e);
        successful.push({ id: e.id, ...this.enqueue(q, prepared) });
      } catch (err) {
        failed.push(toBatchFailure(e.id, err));
      }
    }
    return { successful, failed };
  }

  private prepare(q: SqsQueue, input: SendMessageInput): Omit<StoredMessage, 'messageId' | 'sequenceNumber'> & { dedupKey?: string } {
    const now = this.clock.now();
    const body = input.body;
    if (typeof body !== 'string' || body.length === 0) throw sqsErrors.missingParameter('MessageBody');
    if (INVALID_BODY_CHAR.test(body)) throw sqsErrors.invalidMessageContents();
    const attributes = parseMessageAttributes(input.messageAttributes, 'user');
    const systemAttributes = parseMessageAttributes(input.messageSystemAttributes, 'system');
    const size = Buffer.byteLength(body) + attributesSize(attributes);
    if (size > q.settings.maximumMessageSize) {
      throw sqsErrors.invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${q.settings.maximumMessageSize} bytes.`);
    }
    const { messageGroupId: groupId, messageDeduplicationId: explicitDedupId } = input;
    if (groupId !== undefined && !GROUP_OR_DEDUP_ID.test(groupId)) {
      throw sqsErrors.invalidParameterValue(
        `Value ${groupId} for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
      );
    }
    if (explicitDedupId !== undefined && !GROUP_OR_DEDUP_ID.test(explicitDedupId)) {
      throw sqsErrors.invalidParameterValue(
        `Value ${explicitDedupId} for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
      );
    }
    let dedupKey: string | undefined;
    let deduplicationId: string | undefined;
    let delaySeconds = q.settings.delaySeconds;
    if (q.fifo) {
      if (groupId === undefined) throw sqsErrors.missingParameter('MessageGroupId');
      if (input.delaySeconds !== undefined && input.delaySeconds !== 0) {
        throw sqsErrors.invalidParameterValue(
          `Value ${input.delaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
        );
      }
      deduplicationId = explicitDedupId;
      if (deduplicationId === undefined) {
        if (!q.settings.contentBasedDeduplication) {
          throw sqsErrors.invalidParameterValue('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
        }
        // Content-based deduplication hashes the body only, not the attributes.
        deduplicationId = createHash('sha256').update(body, 'utf8').digest('hex');
      }
      dedupKey = q.dedupKey(groupId, deduplicationId);
    } else {
      if (explicitDedupId !== undefined) {
        throw sqsErrors.invalidParameterValue(
          `Value ${explicitDedupId} for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.`,
        );
      }
      if (input.delaySeconds !== undefined) {
        if (!Number.isInteger(input.delaySeconds) || input.delaySeconds < 0 || input.delaySeconds > 900) {
          throw sqsErrors.invalidParameterValue(
            `Value ${input.delaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`,
          );
        }
        delaySeconds = input.delaySeconds;
      }
    }
    return {
      body,
      md5OfBody: md5Hex(body),
      attributes,
      md5OfMessageAttributes: md5OfMessageAttributes(attributes),
      systemAttributes,
      md5OfMessageSystemAttributes: md5OfMessageAttributes(systemAttributes),
      senderId: input.senderId ?? DEFAULT_SENDER_ID,
      sentTimestamp: now,
      retentionStart: now,
      groupId,
      deduplicationId,
      availableAt: now + delaySeconds * 1000,
      inFlightUntil: undefined,
      receivedAt: undefined,
      receiveCount: 0,
      firstReceiveTimestamp: undefined,
      receiveSeq: 0,
      deadLetterSourceArn: undefined,
      size,
      ...(dedupKey !== undefined ? { dedupKey } : {}),
    };
  }

  private enqueue(q: SqsQueue, prepared: ReturnType<SqsEngine['prepare']>): SendMessageResult {
    const now = this.clock.now();
    q.sweep(now);
    const { dedupKey, ...fields } = prepared;
    if (dedupKey !== undefined) {
      // A duplicate inside the window is accepted but not enqueued, and answers with the original ids.
      const dup = q.findDuplicate(dedupKey, now);
      if (dup) {
        return {
          messageId: dup.messageId,
          md5OfMessageBody: fields.md5OfBody,
          md5OfMessageAttributes: fields.md5OfMessageAttributes,
          md5OfMessageSystemAttributes: fields.md5OfMessageSystemAttributes,
          sequenceNumber: dup.sequenceNumber,
        };
      }
    }
    const message: StoredMessage = {
      ...fields,
      messageId: randomUUID(),
      sequenceNumber: q.fifo ? q.nextSequenceNumber() : undefined,
    };
    q.messages.set(message.messageId, message);
    if (dedupKey !== undefined) q.rememberDedup(dedupKey, message.messageId, message.sequenceNumber, now);
    q.notify();
    return {
      messageId: message.messageId,
      md5OfMessageBody: message.md5OfBody,
      md5OfMessageAttributes: message.md5OfMessageAttributes,
      md5OfMessageSystemAttributes: message.md5OfMessageSystemAttributes,
      sequenceNumber: message.sequenceNumber,
    };
  }

  // ---------------------------------------------------------------- receiving

  /** ReceiveMessage, long poll included: resolves as soon as something is receivable or the wait ends. */
  async receiveMessages(ref: string, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    const q = this.resolve(ref);
    const max = options.maxNumberOfMessages ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw sqsErrors.invalidParameterValue(`Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`);
    }
    const visibility = options.visibilityTimeoutSeconds ?? q.settings.visibilityTimeoutSeconds;
    if (!Number.isInteger(visibility) || visibility < 0 || visibility > MAX_VISIBILITY_SECONDS) {
      throw sqsErrors.invalidParameterValue(
        `Value ${visibility} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= ${MAX_VISIBILITY_SECONDS}, if provided.`,
      );
    }
    const wait = options.waitTimeSeconds ?? q.settings.receiveMessageWaitTimeSeconds;
    if (!Number.isInteger(wait) || wait < 0 || wait > 20) {
      throw sqsErrors.invalidParameterValue(`Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`);
    }
    const deadline = this.clock.now() + (options.waitTimeMs ?? wait * 1000);
    for (;;) {
      // The queue may have been deleted while we waited.
      if (this.queues.get(q.name) !== q) throw sqsErrors.queueDoesNotExist();
      const taken = this.take(q, max, visibility);
      const now = this.clock.now();
      if (taken.length > 0 || now >= deadline || options.signal?.aborted) return taken;
      const nextChange = q.nextAvailabilityChange(now);
      const wakeAt = nextChange === undefined ? deadline : Math.min(deadline, nextChange);
      await this.waitForChange(q, wakeAt - now, options.signal);
    }
  }

  private waitForChange(q: SqsQueue, ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      let cancelTimer: (() => void) | undefined;
      const finish = (): void => {
        q.removeWaiter(finish);
        cancelTimer?.();
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      q.addWaiter(finish);
      signal?.addEventListener('abort', finish, { once: true });
      cancelTimer = this.clock.setTimer(ms, finish);
    });
  }

  private take(q: SqsQueue, max: number, visibilitySeconds: number): ReceivedMessage[] {
    const now = this.clock.now();
    q.sweep(now);
    const candidates = q.fifo ? this.fifoCandidates(q, now) : fairOrder(q, now);
    const taken: ReceivedMessage[] = [];
    for (const m of candidates) {
      if (taken.length >= max) break;
      if (this.moveToDeadLetterIfExhausted(q, m, now)) continue;
      m.receiveCount += 1;
      m.receiveSeq += 1;
      m.firstReceiveTimestamp ??= now;
      m.receivedAt = now;
      m.inFlightUntil = now + visibilitySeconds * 1000;
      taken.push(this.toReceived(q, m));
    }
    return taken;
  }

  /**
   * FIFO delivery order: a group with any message in flight delivers nothing; otherwise its messages
   * come in order, stopping at the first one not yet receivable. Groups are filled one after another
   * (oldest first), so a batch holds as many messages of one group as possible, as SQS does.
   */
  private fifoCandidates(q: SqsQueue, now: number): StoredMessage[] {
    const stopped = new Set<string>();
    for (const m of q.messages.values()) if (q.isInFlight(m, now)) stopped.add(m.groupId ?? '');
    const runs = new Map<string, StoredMessage[]>();
    for (const m of q.messages.values()) {
      const g = m.groupId ?? '';
      if (stopped.has(g)) continue;
      if (m.availableAt > now) {
        stopped.add(g);
        continue;
      }
      const run = runs.get(g) ?? [];
      run.push(m);
      runs.set(g, run);
    }
    return [...runs.values()].flat();
  }

  /**
   * SQS moves a message to the dead-letter queue on the receive that would exceed maxReceiveCount,
   * instead of delivering it. A FIFO group's next message may then be delivered in the same receive.
   */
  private moveToDeadLetterIfExhausted(q: SqsQueue, m: StoredMessage, now: number): boolean {
    const policy = q.settings.redrivePolicy;
    if (!policy || m.receiveCount < policy.maxReceiveCount) return false;
    const dlq = this.findByArn(policy.deadLetterTargetArn);
    if (!dlq) return false;
    q.messages.delete(m.messageId);
    const moved: StoredMessage = {
      ...m,
      inFlightUntil: undefined,
      receivedAt: undefined,
      availableAt: now,
      deadLetterSourceArn: q.arn,
      // Standard queues keep the original enqueue time for retention; FIFO restarts it on the move.
      retentionStart: dlq.fifo ? now : m.retentionStart,
      sequenceNumber: dlq.fifo ? dlq.nextSequenceNumber() : m.sequenceNumber,
    };
    dlq.messages.set(moved.messageId, moved);
    dlq.notify();
    return true;
  }

  private toReceived(q: SqsQueue, m: StoredMessage): ReceivedMessage {
    const attributes: Record<string, string> = {
      SenderId: m.senderId,
      SentTimestamp: String(m.sentTimestamp),
      ApproximateReceiveCount: String(m.receiveCount),
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp ?? m.receivedAt ?? m.sentTimestamp),
    };
    if (m.groupId !== undefined) attributes.MessageGroupId = m.groupId;
    if (q.fifo) {
      if (m.deduplicationId !== undefined) attributes.MessageDeduplicationId = m.deduplicationId;
      if (m.sequenceNumber !== undefined) attributes.SequenceNumber = m.sequenceNumber;
    }
    const trace = m.systemAttributes.AWSTraceHeader?.stringValue;
    if (trace !== undefined) attributes.AWSTraceHeader = trace;
    if (m.deadLetterSourceArn !== undefined) attributes.DeadLetterQueueSourceArn = m.deadLetterSourceArn;
    return {
      messageId: m.messageId,
      receiptHandle: encodeReceiptHandle({ queueArn: q.arn, messageId: m.messageId, receiveSeq: m.receiveSeq }),
      body: m.body,
      md5OfBody: m.md5OfBody,
      md5OfMessageAttributes: m.md5OfMessageAttributes,
      messageAttributes: m.attributes,
      attributes,
    };
  }

  // ---------------------------------------------------------------- deleting and visibility

  /**
   * A handle from an earlier receive does not delete a message received again since; on a FIFO queue
   * a handle whose visibility timeout has passed is rejected as expired (standard queues accept it).
   */
  deleteMessage(ref: string, receiptHandle: string): void {
    const q = this.resolve(ref);
    const now = this.clock.now();
    const parts = decodeReceiptHandle(receiptHandle);
    if (!parts || parts.queueArn !== q.arn) throw sqsErrors.receiptHandleIsInvalid(receiptHandle);
    const m = q.messages.get(parts.messageId);
    if (!m) return;
    if (m.receiveSeq !== parts.receiveSeq) {
      if (q.fifo) throw sqsErrors.receiptHandleExpired(receiptHandle);
      return;
    }
    if (q.fifo && !q.isInFlight(m, now)) throw sqsErrors.receiptHandleExpired(receiptHandle);
    q.messages.delete(m.messageId);
    // Deleting a FIFO message can unblock its group.
    q.notify();
  }

  deleteMessageBatch(ref: string, entries: readonly { id: string; receiptHandle: string }[]): { successful: { id: string }[]; failed: BatchFailure[] } {
    this.resolve(ref);
    checkBatchShape(entries.map((e) => e.id));
    const successful: { id: string }[] = [];
    const failed: BatchFailure[] = [];
    for (const e of entries) {
      try {
        this.deleteMessage(ref, e.receiptHandle);
        successful.push({ id: e.id });
      } catch (err) {
        failed.push(toBatchFailure(e.id, err));
      }
    }
    return { successful, failed };
  }

  changeMessageVisibility(ref: string, receiptHandle: string, visibilityTimeoutSeconds: number): void {
    const q = this.resolve(ref);
    const now = this.clock.now();
    const parts = decodeReceiptHandle(receiptHandle);
    if (!parts || parts.queueArn !== q.arn) throw sqsErrors.receiptHandleIsInvalid(receiptHandle);
    if (!Number.isInteger(visibilityTimeoutSeconds) || visibilityTimeoutSeconds < 0 || visibilityTimeoutSeconds > MAX_VISIBILITY_SECONDS) {
      throw sqsErrors.invalidParameterValue(
        `Value ${visibilityTimeoutSeconds} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= ${MAX_VISIBILITY_SECONDS}.`,
      );
    }
    const m = q.messages.get(parts.messageId);
    if (!m || m.receiveSeq !== parts.receiveSeq) throw sqsErrors.notAvailableForVisibilityChange(receiptHandle);
    if (!q.isInFlight(m, now)) throw sqsErrors.messageNotInflight();
    const elapsed = now - (m.receivedAt ?? now);
    if (elapsed + visibilityTimeoutSeconds * 1000 > MAX_VISIBILITY_SECONDS * 1000) {
      throw sqsErrors.invalidParameterValue(
        `Value ${visibilityTimeoutSeconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_SECONDS} seconds]`,
      );
    }
    m.inFlightUntil = now + visibilityTimeoutSeconds * 1000;
    // Waiting receives planned their wake-up on the old time; let them plan again.
    q.notify();
  }

  changeMessageVisibilityBatch(
    ref: string,
    entries: readonly { id: string; receiptHandle: string; visibilityTimeoutSeconds: number }[],
  ): { successful: { id: string }[]; failed: BatchFailure[] } {
    this.resolve(ref);
    checkBatchShape(entries.map((e) => e.id));
    const successful: { id: string }[] = [];
    const failed: BatchFailure[] = [];
    for (const e of entries) {
      try {
        this.changeMessageVisibility(ref, e.receiptHandle, e.visibilityTimeoutSeconds);
        successful.push({ id: e.id });
      } catch (err) {
        failed.push(toBatchFailure(e.id, err));
      }
    }
    return { successful, failed };
  }

  // ---------------------------------------------------------------- dead-letter redrive

  /**
   * StartMessageMoveTask: moves the messages of a dead-letter queue back to their source queue (or to
   * `destinationArn`). Receive counts start again, FIFO group and dedup ids are kept, and the move
   * bypasses the destination's dedup window (the same ids were seen there minutes ago). The move runs to
   * completion at once; the rate limit is recorded but not applied.
   */
  startMessageMoveTask(input: { sourceArn: string; destinationArn?: string; maxNumberOfMessagesPerSecond?: number }): { taskHandle: string } {
    const source = this.findByArn(input.sourceArn);
    if (!source) throw sqsErrors.resourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.");
    const isDeadLetterQueue = [...this.queues.values()].some((q) => q.settings.redrivePolicy?.deadLetterTargetArn === source.arn);
    if (!isDeadLetterQueue) throw sqsErrors.invalidParameterValue('Source queue must be configured as a Dead Letter Queue.');
    if (this.moveTasks.some((t) => t.sourceArn === source.arn && t.status === 'RUNNING')) {
      throw sqsErrors.invalidParameterValue('There is already a task running. Only one active task is allowed for a source queue arn at a given time.');
    }
    let destination: SqsQueue | undefined;
    if (input.destinationArn !== undefined) {
      destination = this.findByArn(input.destinationArn);
      if (!destination) throw sqsErrors.resourceNotFound("The resource that you specified for the DestinationArn parameter doesn't exist.");
    }
    const now = this.clock.now();
    source.sweep(now);
    const movable = [...source.messages.values()].filter((m) => !source.isInFlight(m, now));
    const task: MessageMoveTask = {
      taskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn: source.arn })).toString('base64'),
      status: 'RUNNING',
      sourceArn: source.arn,
      destinationArn: input.destinationArn,
      maxNumberOfMessagesPerSecond: input.maxNumberOfMessagesPerSecond,
      approximateNumberOfMessagesMoved: 0,
      approximateNumberOfMessagesToMove: movable.length,
      failureReason: undefined,
      startedTimestamp: now,
    };
    this.moveTasks.unshift(task);
    for (const m of movable) {
      const target = destination ?? (m.deadLetterSourceArn ? this.findByArn(m.deadLetterSourceArn) : undefined);
      if (!target) {
        task.status = 'FAILED';
        task.failureReason = 'AWS.SimpleQueueService.NonExistentQueue';
        return { taskHandle: task.taskHandle };
      }
      if (target.fifo && m.groupId === undefined) {
        task.status = 'FAILED';
        task.failureReason = 'Messages without a MessageGroupId cannot be moved to a FIFO queue.';
        return { taskHandle: task.taskHandle };
      }
      source.messages.delete(m.messageId);
      target.messages.set(m.messageId, {
        ...m,
        sentTimestamp: now,
        retentionStart: now,
        availableAt: now,
        inFlightUntil: undefined,
        receivedAt: undefined,
        receiveCount: 0,
        firstReceiveTimestamp: undefined,
        deadLetterSourceArn: undefined,
        sequenceNumber: target.fifo ? target.nextSequenceNumber() : undefined,
      });
      task.approximateNumberOfMessagesMoved += 1;
      target.notify();
    }
    task.status = 'COMPLETED';
    return { taskHandle: task.taskHandle };
  }

  listMessageMoveTasks(sourceArn: string, maxResults = 1): MessageMoveTask[] {
    if (!this.findByArn(sourceArn)) throw sqsErrors.resourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.");
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 10) {
      throw sqsErrors.invalidParameterValue('Value for parameter MaxResults is invalid. Reason: Must be between 1 and 10.');
    }
    return this.moveTasks
      .filter((t) => t.sourceArn === sourceArn)
      .slice(0, maxResults)
      .map((t) => ({ ...t }));
  }

  cancelMessageMoveTask(taskHandle: string): { approximateNumberOfMessagesMoved: number } {
    const task = this.moveTasks.find((t) => t.taskHandle === taskHandle);
    if (!task) throw sqsErrors.resourceNotFound('Task does not exist.');
    if (task.status !== 'RUNNING') throw sqsErrors.unsupportedOperation('Only active tasks can be cancelled.');
    task.status = 'CANCELLED';
    return { approximateNumberOfMessagesMoved: task.approximateNumberOfMessagesMoved };
  }

  // ---------------------------------------------------------------- inspection (tests and tools)

  /** The queue's messages in queue order, without receiving them. */
  peek(ref: string): MessageView[] {
    const q = this.resolve(ref);
    const now = this.clock.now();
    q.sweep(now);
    return [...q.messages.values()].map((m) => ({
      messageId: m.messageId,
      body: m.body,
      messageGroupId: m.groupId,
      messageDeduplicationId: m.deduplicationId,
      receiveCount: m.receiveCount,
      inFlight: q.isInFlight(m, now),
      messageAttributes: m.attributes,
      deadLetterSourceArn: m.deadLetterSourceArn,
    }));
  }

  isFifo(ref: string): boolean {
    return this.resolve(ref).fifo;
  }

  arnOf(ref: string): string {
    return this.resolve(ref).arn;
  }

  /** The dedup window length, exported for documentation and tests. */
  static readonly deduplicationWindowMs = DEDUP_WINDOW_MS;
}

function checkBatchShape(ids: readonly string[]): void {
  if (ids.length === 0) throw sqsErrors.emptyBatchRequest();
  if (ids.length > 10) throw sqsErrors.tooManyEntriesInBatchRequest(ids.length);
  const seen = new Set<string>();
  for (const id of ids) {
    if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) throw sqsErrors.invalidBatchEntryId();
    if (seen.has(id)) throw sqsErrors.batchEntryIdsNotDistinct(id);
    seen.add(id);
  }
}

function safeAttributesSize(attrs: Record<string, WireMessageAttribute> | undefined): number {
  if (!attrs) return 0;
  let size = 0;
  for (const [name, a] of Object.entries(attrs)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(a?.DataType ?? '');
    size += a?.BinaryValue !== undefined ? Buffer.from(a.BinaryValue, 'base64').length : Buffer.byteLength(a?.StringValue ?? '');
  }
  return size;
}

function toBatchFailure(id: string, err: unknown): BatchFailure {
  if (isAwsServiceError(err)) return { id, senderFault: err.senderFault, code: err.code, message: err.message };
  return { id, senderFault: false, code: 'InternalError', message: 'An internal error occurred.' };
}
