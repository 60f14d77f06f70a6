import type { StoredMessage } from '#lambdas/agent/unanswered-messages';

/**
 * One reply per burst. Customers write in bursts ("hey" / "quick question" / "do you take
 * paypal?"); answering each line costs the business a message and reads like a robot. The agent
 * answers a burst once the conversation has been quiet for a short while, measured from the newest
 * unanswered message in the table (our clock: when the normalizer stored it, `storedAt`, else when
 * the webhook brought it, `receivedAt`), whatever the queue's batching did: under load the batching
 * window fills early and used to split bursts. The store time, not the receive time, is what keeps
 * a burst whole when ingress runs behind: the messages of one conversation leave the FIFO ingress
 * queue in order and close together, so a lagging pipeline does not look like a quiet customer.
 *
 * - A wake-up for a message that is not the newest unanswered one does nothing: the newest
 *   message's own wake-up answers the whole burst.
 * - The newest message's wake-up waits until the quiet period has passed (its queue record comes
 *   back after the remaining time), then answers everything unanswered.
 *
 * Two seconds: with the agent queue's 2-second batching window a quiet customer is usually
 * answered on the first wake-up, and one still writing is waited for (docs/agent.md, bursts).
 *
 * A message still in the ingress queue when the agent answers is not seen; it arrives more than a
 * quiet period after the one before it only when ingress is that far behind, and is answered on
 * its own wake-up.
 */
export const DEFAULT_REPLY_QUIET_MS = 2_000;

/** A burst that keeps going for this long is answered anyway, so a chatty customer still hears back. */
export const MAX_BURST_WAIT_MS = 20_000;

/**
 * When the pipeline runs behind (the newest message was stored long after the customer sent it:
 * Meta's delivery, the webhook or ingress queueing), the next line of the burst can be held up as
 * long: the quiet period grows to the lag, up to this. In AWS the lag is a second or two and the
 * 2 s stand.
 */
export const MAX_QUIET_MS = 10_000;

export type QuietDecision =
  | { kind: 'answer' }
  /** The wake-up's own message has newer unanswered messages after it; their wake-up answers. */
  | { kind: 'newer_message_pending' }
  /** Too soon after the newest message: come back after `waitMs`. */
  | { kind: 'wait'; waitMs: number };

type Timed = Pick<StoredMessage, 'providerMessageId' | 'storedAt' | 'receivedAt' | 'occurredAt'>;

const timeOf = (m: Timed): number => {
  for (const t of [m.storedAt, m.receivedAt, m.occurredAt]) {
    const ms = Date.parse(t ?? '');
    if (Number.isFinite(ms)) return ms;
  }
  return Number.NaN;
};

/**
 * What to do with the unanswered messages (oldest first) on a wake-up for `wokenBy` (a provider
 * message id; undefined for a wake-up not tied to a message).
 */
export function quietPeriodDecision(
  unanswered: readonly Timed[],
  wokenBy: string | undefined,
  now: Date,
  quietMs: number = DEFAULT_REPLY_QUIET_MS,
): QuietDecision {
  if (unanswered.length === 0 || quietMs <= 0) return { kind: 'answer' };
  const newest = unanswered.reduce((a, b) => (timeOf(b) >= timeOf(a) ? b : a));
  const own = wokenBy === undefined ? undefined : unanswered.find((m) => m.providerMessageId === wokenBy);
  if (own && own !== newest && own.providerMessageId !== newest.providerMessageId) return { kind: 'newer_message_pending' };
  const newestAt = timeOf(newest);
  const oldestAt = Math.min(...unanswered.map(timeOf));
  if (!Number.isFinite(newestAt)) return { kind: 'answer' };
  // How far behind the customer the pipeline is: from when the customer sent the newest line (Meta's
  // time, to the second) or, failing that, when the webhook got it, to when it was stored.
  const sentAt = Math.min(...[newest.occurredAt, newest.receivedAt].map((t) => Date.parse(t ?? '')).filter(Number.isFinite));
  const lag = Date.parse(newest.storedAt ?? '') - sentAt;
  const quiet = Number.isFinite(lag) && lag > quietMs ? Math.min(MAX_QUIET_MS, lag) : quietMs;
  const quietFor = now.getTime() - newestAt;
  if (quietFor >= quiet) return { kind: 'answer' };
  // A burst that has gone on for long enough is answered now rather than waiting for silence.
  if (Number.isFinite(oldestAt) && now.getTime() - oldestAt >= MAX_BURST_WAIT_MS) return { kind: 'answer' };
  return { kind: 'wait', waitMs: Math.max(1, quiet - Math.max(0, quietFor)) };
}
