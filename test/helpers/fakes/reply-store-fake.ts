import type { ProviderIdPointer, ReplyRef, ReplyStore } from '#lambdas/outbound/reply-store';
import { STATUS_RANK } from '#lambdas/status/status-rank';

/**
 * The replies' send state in memory, with the same conditional transitions as the DynamoDB store
 * (lambdas/outbound/reply-store.ts, tested against DynamoDB Local in
 * test/integration/reply-store.test.ts). `calls` lists the transitions asked for, in order.
 */
export interface FakeReplyStore extends ReplyStore {
  /** The Message items by `<conversationKey>|<outboundId>` (tests put and read them directly). */
  items: Map<string, Record<string, unknown>>;
  pointers: Map<string, ProviderIdPointer>;
  calls: string[];
  put(ref: ReplyRef, item: Record<string, unknown>): void;
  get(ref: ReplyRef): Record<string, unknown> | undefined;
}

class ConditionFailed extends Error {
  override name = 'ConditionalCheckFailedException';
}

export function fakeReplyStore(): FakeReplyStore {
  const items = new Map<string, Record<string, unknown>>();
  const pointers = new Map<string, ProviderIdPointer>();
  const calls: string[] = [];
  const keyOf = (ref: ReplyRef) => `${ref.conversationKey}|${ref.outboundId}`;
  const copy = <T>(v: T): T => (v === undefined ? v : structuredClone(v));
  /** Applies `change` when the item exists and `when` holds; false otherwise (as a refused condition). */
  const transition = (ref: ReplyRef, when: (item: Record<string, unknown>) => boolean, change: (item: Record<string, unknown>) => void): boolean => {
    const item = items.get(keyOf(ref));
    if (!item || !when(item)) return false;
    change(item);
    return true;
  };
  /** The same, throwing as DynamoDB does when a write that is not expected to be refused is. */
  const mustTransition = (ref: ReplyRef, when: (item: Record<string, unknown>) => boolean, change: (item: Record<string, unknown>) => void): void => {
    if (!transition(ref, when, change)) throw new ConditionFailed('The conditional request failed');
  };
  const is = (status: string) => (item: Record<string, unknown>) => item.status === status;

  return {
    items,
    pointers,
    calls,
    put(ref, item) {
      items.set(keyOf(ref), copy(item));
    },
    get(ref) {
      return copy(items.get(keyOf(ref)));
    },

    async loadReply(ref) {
      calls.push('loadReply');
      return copy(items.get(keyOf(ref)));
    },
    async claimReply(ref, at) {
      calls.push('claimReply');
      return transition(ref, is('pending'), (item) => {
        item.status = 'sending';
        item.sendingAt = at;
        item.attempts = Number(item.attempts ?? 0) + 1;
      });
    },
    async unclaimReply(ref) {
      calls.push('unclaimReply');
      mustTransition(ref, is('sending'), (item) => {
        item.status = 'pending';
        item.attempts = Number(item.attempts ?? 0) - 1;
      });
    },
    async releaseForRetry(ref, error) {
      calls.push('releaseForRetry');
      mustTransition(ref, is('sending'), (item) => {
        Object.assign(item, { status: 'pending', lastErrorAt: error.at, lastErrorCode: error.code, retryNotBeforeMs: error.notBeforeMs });
      });
    },
    async refuseReply(ref, refusal) {
      calls.push('refuseReply');
      return transition(ref, is('pending'), (item) => {
        Object.assign(item, {
          status: 'failed',
          statusRank: STATUS_RANK.failed,
          failedAt: refusal.at,
          statusUpdatedAt: refusal.at,
          failureReason: refusal.reason,
          errorClassification: 'rule',
        });
      });
    },
    async markFailed(ref, failure) {
      calls.push('markFailed');
      mustTransition(ref, is('sending'), (item) => {
        Object.assign(item, {
          status: 'failed',
          statusRank: STATUS_RANK.failed,
          failedAt: failure.at,
          statusUpdatedAt: failure.at,
          errorCode: failure.code,
          errorTitle: failure.title,
          errorClassification: failure.classification,
          ...(failure.details ? { errorDetails: failure.details } : {}),
        });
      });
    },
    async markFailureAnnounced(ref, at) {
      calls.push('markFailureAnnounced');
      const item = items.get(keyOf(ref)) ?? {};
      item.failureAnnouncedAt = at;
      items.set(keyOf(ref), item);
    },
    async noteOutcomeUnknown(ref, at) {
      calls.push('noteOutcomeUnknown');
      mustTransition(ref, is('sending'), (item) => {
        item.sendOutcomeUnknownAt = at;
      });
    },
    async pointProviderId(pointer) {
      calls.push('pointProviderId');
      pointers.set(pointer.providerMessageId, copy(pointer));
    },
    async recordSent(ref, sent) {
      calls.push('recordSent');
      return transition(ref, is('sending'), (item) => {
        Object.assign(item, {
          status: 'sent',
          statusRank: STATUS_RANK.sent,
          providerMessageId: sent.providerMessageId,
          sentAt: item.sentAt ?? sent.at,
          statusUpdatedAt: sent.at,
          ...(sent.recipientWaId ? { recipientWaId: sent.recipientWaId } : {}),
        });
      });
    },
    async readClaim(ref) {
      calls.push('readClaim');
      const item = items.get(keyOf(ref));
      if (!item) return undefined;
      const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const [status, channel, sendingAt] = [text(item.status), text(item.channel), text(item.sendingAt)];
      return { ...(status ? { status } : {}), ...(channel ? { channel } : {}), ...(sendingAt ? { sendingAt } : {}) };
    },
    async releaseStaleClaim(ref, claimedAt, at) {
      calls.push('releaseStaleClaim');
      return transition(
        ref,
        (item) => item.status === 'sending' && item.sendingAt === claimedAt && item.providerMessageId === undefined,
        (item) => Object.assign(item, { status: 'pending', sendOutcomeUnknownAt: at, releasedByWatchAt: at }),
      );
    },
    async readSendRecord(ref) {
      calls.push('readSendRecord');
      const item = items.get(keyOf(ref));
      if (!item) return undefined;
      const { direction, status, providerMessageId, expiresAt, releasedByWatchAt } = item as Record<string, never>;
      return copy({
        ...(direction !== undefined ? { direction } : {}),
        ...(status !== undefined ? { status } : {}),
        ...(providerMessageId !== undefined ? { providerMessageId } : {}),
        ...(expiresAt !== undefined ? { expiresAt } : {}),
        ...(releasedByWatchAt !== undefined ? { releasedByWatchAt } : {}),
      });
    },
    async pointProviderIdOnce(pointer) {
      calls.push('pointProviderIdOnce');
      if (pointers.has(pointer.providerMessageId)) return false;
      pointers.set(pointer.providerMessageId, copy(pointer));
      return true;
    },
    async recordSentFromReceipt(ref, sent) {
      calls.push('recordSentFromReceipt');
      return transition(
        ref,
        (item) => (item.status === 'sending' || (item.status === 'pending' && item.releasedByWatchAt !== undefined)) && item.providerMessageId === undefined,
        (item) =>
          Object.assign(item, {
            status: 'sent',
            statusRank: STATUS_RANK.sent,
            providerMessageId: sent.providerMessageId,
            sentAt: item.sentAt ?? sent.at,
            statusUpdatedAt: sent.at,
            sendRecordedFrom: 'receipt',
          }),
      );
    },
  };
}
