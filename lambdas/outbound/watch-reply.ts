import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import type { ReplyStore } from '#lambdas/outbound/reply-store';
import { replyRequestedDetailSchema, replyRequestedEvent, type ReplyRequestedDetail } from '#lambdas/outbound/reply-requested';
import { EVENT_SOURCE } from '#lambdas/shared/event-contract';

/**
 * The reply watch: every `reply.requested` also reaches a queue that holds it for
 * REPLY_WATCH_DELAY_SECONDS (SQS's longest delivery delay), and then this looks at the reply.
 *
 * - Sent, delivered, read, played or failed: done, nothing to do.
 * - Still `pending`: either its retries are waiting out a long backoff, or nothing is sending it
 *   any more (its request lost, or consumed without a claim), so `reply.requested` is published
 *   again and watched again; the sender honours the reply's backoff and claims it only once, so a
 *   second live request is harmless. After MAX_WATCH_ROUNDS (45 minutes) the watch stops asking
 *   and reports it (metric and alarm): a reply that old needs a person.
 * - Still `sending`, claimed longer ago than `staleSendingMs` (far beyond the sender's 30 s
 *   invocation): the invocation died after claiming the send and before recording its outcome.
 *   - WhatsApp: every send carries our id as `biz_opaque_callback_data`, and a receipt for a send
 *     Meta accepted records it from that id within seconds (status/complete-interrupted-send.ts).
 *     A quarter of an hour without one means Meta did not take it: the reply goes back to
 *     `pending` (on condition that the same claim still stands) and is asked for again. Only an
 *     outage of our own webhook for that whole time could make this a second copy.
 *   - Instagram and Messenger have no such echo: Meta may have the message, so it is never sent
 *     again; it is reported for a person to look at.
 *   A more recent claim is a send in progress (the reply waited out a backoff): reported, not moved.
 *
 * A quarter of an hour is long enough for every retry of a healthy send (the outbound queue's
 * backoff schedule reaches minutes) and short enough for a customer still to be waiting.
 */
export const REPLY_WATCH_DELAY_SECONDS = 900;
export const MAX_WATCH_ROUNDS = 3;

/** A claim older than this is an interrupted send, not one in progress. */
export const DEFAULT_STALE_SENDING_MS = 5 * 60_000;
/** Seconds overriding it (tests that compress the watch's delay); unset in a deployment. */
export const STALE_SENDING_ENV = 'REPLY_WATCH_STALE_SENDING_SECONDS';

export interface WatchServices {
  publisher: EventPublisher;
  staleSendingMs?: number;
  now?: () => Date;
}

/** The watch's services and the replies' store (outbound/reply-store.ts). */
export type WatchDeps = WatchServices & { replies: Pick<ReplyStore, 'readClaim' | 'releaseStaleClaim'> };

export type WatchOutcome =
  | { outcome: 'invalid'; issues: string[] }
  | { outcome: 'missing' }
  | { outcome: 'finished' }
  | { outcome: 'requested_again'; round: number }
  /** Claimed too recently to tell: looked at again after another delay. */
  | { outcome: 'claim_in_progress'; round: number }
  /** A WhatsApp send claimed long ago that Meta never confirmed: back to pending and asked for again. */
  | { outcome: 'resent_after_unknown_outcome'; round: number }
  | { outcome: 'given_up'; rounds: number }
  | { outcome: 'outcome_unknown' };

const FINISHED = new Set(['sent', 'delivered', 'read', 'played', 'failed']);

export async function watchReply(detail: unknown, deps: WatchDeps): Promise<WatchOutcome> {
  const parsed = replyRequestedDetailSchema.safeParse(detail);
  if (!parsed.success) return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  const request = parsed.data;
  const round = typeof request.watchRound === 'number' && Number.isInteger(request.watchRound) ? request.watchRound : 0;

  const replies = deps.replies;
  const ref = { conversationKey: request.conversationKey, outboundId: request.outboundId };

  const item = await replies.readClaim(ref);
  if (!item) return { outcome: 'missing' };
  if (item.status !== undefined && FINISHED.has(item.status)) return { outcome: 'finished' };
  if (item.status === 'sending') {
    const nowMs = (deps.now ?? (() => new Date()))().getTime();
    const stale = item.sendingAt !== undefined && Date.parse(item.sendingAt) < nowMs - (deps.staleSendingMs ?? DEFAULT_STALE_SENDING_MS);
    if (round + 1 > MAX_WATCH_ROUNDS) return { outcome: 'outcome_unknown' };
    if (!stale) {
      // Claimed recently (the reply waited out a backoff first): a send in progress, or one that
      // will be interrupted. Look again after another delay; the sender, asked again, leaves a
      // claimed send alone.
      await askAgain(request, round, deps);
      return { outcome: 'claim_in_progress', round: round + 1 };
    }
    if (item.channel !== 'whatsapp') return { outcome: 'outcome_unknown' };
    // Only while the same claim stands and no provider id was recorded (outbound/reply-store.ts).
    const released = await replies.releaseStaleClaim(ref, item.sendingAt as string, new Date(nowMs).toISOString());
    // Refused: the claim moved on (recorded, or claimed again) since it was read; nothing to do.
    if (!released) return { outcome: 'finished' };
    await askAgain(request, round, deps);
    return { outcome: 'resent_after_unknown_outcome', round: round + 1 };
  }

  // Pending, perhaps waiting out a backoff of its own: asking again is harmless either way, as the
  // sender honours the backoff and claims a reply only once.
  if (round + 1 > MAX_WATCH_ROUNDS) return { outcome: 'given_up', rounds: round };
  await askAgain(request, round, deps);
  return { outcome: 'requested_again', round: round + 1 };
}

async function askAgain(request: ReplyRequestedDetail, round: number, deps: WatchServices): Promise<void> {
  const again = replyRequestedEvent(EVENT_SOURCE.replyWatch, {
    conversationKey: request.conversationKey,
    outboundId: request.outboundId,
    channel: request.channel,
    accountId: request.accountId,
  });
  await deps.publisher.publish([{ ...again, detail: { ...again.detail, watchRound: round + 1 } }]);
}
