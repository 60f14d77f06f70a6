import type { MessageAttributes } from '#lib/local-cloud/aws/sqs/message-attributes';
import type { QueueSettings } from '#lib/local-cloud/aws/sqs/queue-settings';

/** One message as the queue holds it. */
export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  attributes: MessageAttributes;
  md5OfMessageAttributes: string | undefined;
  systemAttributes: MessageAttributes;
  md5OfMessageSystemAttributes: string | undefined;
  senderId: string;
  sentTimestamp: number;
  /** Retention counts from here: the first send, or the move into a FIFO dead-letter queue. */
  retentionStart: number;
  groupId: string | undefined;
  deduplicationId: string | undefined;
  sequenceNumber: string | undefined;
  /** Delivery delay: not receivable before this instant. */
  availableAt: number;
  /** Set while received and not deleted; the message is in flight until this instant. */
  inFlightUntil: number | undefined;
  /** When the current receive happened (visibility may not extend past 12 hours from it). */
  receivedAt: number | undefined;
  receiveCount: number;
  firstReceiveTimestamp: number | undefined;
  /** Increments on each receive; a receipt handle is valid only for the receive that issued it. */
  receiveSeq: number;
  deadLetterSourceArn: string | undefined;
  /** Body plus attribute bytes, as SQS measures a message against MaximumMessageSize. */
  size: number;
}

interface DedupRecord {
  messageId: string;
  sequenceNumber: string | undefined;
  expiresAt: number;
}

/** 5 minutes: how long SQS FIFO remembers a deduplication id. */
export const DEDUP_WINDOW_MS = 5 * 60 * 1000;

/** A queue's state. The engine owns the rules; this class keeps the data and the wake-up list. */
export class SqsQueue {
  /** Insertion order is enqueue order, which is FIFO order within each message group. */
  readonly messages = new Map<string, StoredMessage>();
  private readonly dedup = new Map<string, DedupRecord>();
  private readonly waiters = new Set<() => void>();
  private sequence = 0n;
  lastPurgeAt: number | undefined;

  constructor(
    readonly name: string,
    readonly arn: string,
    public settings: QueueSettings,
    readonly createdAt: number,
    public modifiedAt: number,
  ) {}

  get fifo(): boolean {
    return this.settings.fifo;
  }

  isInFlight(m: StoredMessage, now: number): boolean {
    return m.inFlightUntil !== undefined && m.inFlightUntil > now;
  }

  /** A 20-digit, strictly increasing number, like the SequenceNumber SQS gives FIFO messages. */
  nextSequenceNumber(): string {
    this.sequence += 1n;
    return (10n ** 19n + this.sequence * 65_536n).toString();
  }

  dedupKey(groupId: string | undefined, deduplicationId: string): string {
    return this.settings.deduplicationScope === 'messageGroup' ? `${groupId ?? ''}\u0000${deduplicationId}` : deduplicationId;
  }

  findDuplicate(key: string, now: number): DedupRecord | undefined {
    const rec = this.dedup.get(key);
    return rec && rec.expiresAt > now ? rec : undefined;
  }

  rememberDedup(key: string, messageId: string, sequenceNumber: string | undefined, now: number): void {
    this.dedup.set(key, { messageId, sequenceNumber, expiresAt: now + DEDUP_WINDOW_MS });
  }

  /** Drops messages past their retention period and dedup records past their window. */
  sweep(now: number): void {
    const retentionMs = this.settings.messageRetentionPeriodSeconds * 1000;
    for (const [id, m] of this.messages) {
      if (m.retentionStart + retentionMs <= now) this.messages.delete(id);
    }
    for (const [key, rec] of this.dedup) {
      if (rec.expiresAt <= now) this.dedup.delete(key);
    }
  }

  /** The next instant at which a delayed or in-flight message becomes receivable, if any. */
  nextAvailabilityChange(now: number): number | undefined {
    let next: number | undefined;
    for (const m of this.messages.values()) {
      const at = m.inFlightUntil !== undefined && m.inFlightUntil > now ? m.inFlightUntil : m.availableAt > now ? m.availableAt : undefined;
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  addWaiter(fn: () => void): void {
    this.waiters.add(fn);
  }

  removeWaiter(fn: () => void): void {
    this.waiters.delete(fn);
  }

  /** Wakes long-polling receivers: something may have become receivable. */
  notify(): void {
    for (const fn of [...this.waiters]) fn();
  }

  counts(now: number): { visible: number; inFlight: number; delayed: number } {
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of this.messages.values()) {
      if (this.isInFlight(m, now)) inFlight++;
      else if (m.availableAt > now) delayed++;
      else visible++;
    }
    return { visible, inFlight, delayed };
  }
}
