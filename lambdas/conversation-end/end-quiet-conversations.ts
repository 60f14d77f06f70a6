import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import type { BotSettingsSource } from '#lambdas/bot-settings/account-bot-settings';
import { decideBotEnd, type BotEndSkip, type BotOutcome } from '#lambdas/conversation-end/bot-outcome';
import type { BotEndStore, QuietConversation } from '#lambdas/conversation-end/bot-end-store';
import { conversationEndedEvent } from '#lambdas/conversation-end/conversation-ended-event';
import { END_WATCH_BUCKET_MS, END_WATCH_SHARDS, endWatchBucketOf, nextEndWatchBucket } from '#lambdas/conversation-end/end-watch-keys';
import type { EndWatch } from '#lambdas/conversation-end/end-watch';
import { EndSweepIncompleteError } from '#lambdas/conversation-end/errors';

export interface EndSweepDeps {
  store: BotEndStore;
  watch: EndWatch;
  publisher: EventPublisher;
  /** The business's end hours (`conversationEndHours`); a business without settings has no bot to end for. */
  botSettings: BotSettingsSource;
  now?: () => Date;
  /** Milliseconds left in this invocation: the sweep stops between buckets when it runs short. */
  remainingMs?: () => number;
}

export type EndOneResult = 'ended' | 'announced_again' | 'rearmed' | 'changed' | 'gone' | 'no_bot' | BotEndSkip;

export interface EndSweepSummary {
  /** Buckets read to the end (and the cursor moved past). */
  buckets: number;
  sweptThrough?: string;
  looked: number;
  ended: Partial<Record<BotOutcome, number>>;
  results: Partial<Record<EndOneResult, number>>;
  failed: number;
  stoppedEarly: boolean;
}

/** A bucket is read once it ended this long ago: writers' clocks and writes in flight. */
export const SWEEP_MARGIN_MS = 2 * 60_000;
/**
 * Where a sweep without a cursor (the first after deployment) starts: the watch items are written
 * by the agent from the same deployment on, and are due no sooner than an hour after.
 */
export const FIRST_SWEEP_LOOKBACK_MS = 2 * 3_600_000;
/** Never further back than the watch items live (end-watch-keys.ts END_WATCH_TTL_DAYS). */
export const MAX_CATCH_UP_MS = 7 * 24 * 3_600_000;
/** A day of buckets per run at most; the next run goes on from the cursor. */
export const MAX_BUCKETS_PER_RUN = (24 * 3_600_000) / END_WATCH_BUCKET_MS;
/** Time kept in hand to finish the conversations started and move the cursor. */
const STOP_WHEN_LEFT_MS = 10_000;
/**
 * Conversations looked at in parallel: each is two reads and, when it ends, two writes and a
 * PutEvents, about 40 ms; ten at a time get through some 7,000 in a run of 60 s.
 */
const CONVERSATIONS_AT_ONCE = 10;

/**
 * The end-of-conversation sweep (every quarter of an hour): reads each quarter-hour bucket of due
 * conversations once it is over, ends those the bot alone held and the customer left quiet for the
 * business's end hours, writes the outcome on the Conversation item and publishes
 * `conversation.ended` once. A conversation not yet due (the customer wrote again) is watched again
 * at its new due time; one with a person in it is left alone. Sends nothing to the customer.
 *
 * Idempotent: the end is a conditional write on the customer message it was decided on, so two
 * sweeps, or a sweep and a new customer message, cannot both win; an end whose event may not have
 * gone out (a crash between the two) is announced on the bucket's next read, since the cursor moves
 * only after a whole bucket.
 */
export async function endQuietBotConversations(deps: EndSweepDeps): Promise<EndSweepSummary> {
  const now = (deps.now ?? (() => new Date()))();
  const summary: EndSweepSummary = { buckets: 0, looked: 0, ended: {}, results: {}, failed: 0, stoppedEarly: false };
  const lastComplete = endWatchBucketOf(now.getTime() - SWEEP_MARGIN_MS - END_WATCH_BUCKET_MS);
  const cursor = await deps.store.sweptThrough();
  const earliest = endWatchBucketOf(now.getTime() - MAX_CATCH_UP_MS);
  let bucket = cursor ? nextEndWatchBucket(cursor) : endWatchBucketOf(now.getTime() - FIRST_SWEEP_LOOKBACK_MS);
  if (bucket < earliest) bucket = earliest;
  const endHours = endHoursOf(deps.botSettings);
  let firstError: unknown;

  for (; bucket <= lastComplete && summary.buckets < MAX_BUCKETS_PER_RUN; bucket = nextEndWatchBucket(bucket)) {
    if (deps.remainingMs && deps.remainingMs() < STOP_WHEN_LEFT_MS) {
      summary.stoppedEarly = true;
      break;
    }
    const shards = await Promise.all(Array.from({ length: END_WATCH_SHARDS }, (_, shard) => deps.store.watched(bucket, shard)));
    const keys = [...new Set(shards.flat())];
    let failedHere = 0;
    let shortOfTime = false;
    await eachLimited(keys, CONVERSATIONS_AT_ONCE, async (key) => {
      if (shortOfTime || (deps.remainingMs && deps.remainingMs() < STOP_WHEN_LEFT_MS)) {
        shortOfTime = true;
        return;
      }
      summary.looked += 1;
      try {
        const result = await endOne(key, now, endHours, deps, summary);
        summary.results[result] = (summary.results[result] ?? 0) + 1;
      } catch (err) {
        failedHere += 1;
        firstError ??= err;
      }
    });
    if (failedHere > 0) {
      summary.failed += failedHere;
      break;
    }
    if (shortOfTime) {
      // The bucket is read again next run; what this run ended is then `already_ended`, two reads each.
      summary.stoppedEarly = true;
      break;
    }
    await deps.store.markSwept(bucket);
    summary.buckets += 1;
    summary.sweptThrough = bucket;
  }
  if (summary.failed > 0) throw new EndSweepIncompleteError(summary, firstError);
  return summary;
}

/** Looks at one conversation: ends it, watches it again, or leaves it. */
async function endOne(
  conversationKey: string,
  now: Date,
  endHours: (accountId: string) => Promise<number | undefined>,
  deps: EndSweepDeps,
  summary: EndSweepSummary,
): Promise<EndOneResult> {
  const conversation = await deps.store.conversation(conversationKey);
  if (!conversation) return 'gone';
  const hours = await endHours(conversation.accountId);
  if (hours === undefined) return 'no_bot';
  if (endedButNotAnnounced(conversation)) {
    await announce(conversation, conversation.endedAt!, conversation.endOutcome!, conversation.endReason!, conversation.endFaqId, hours, now, deps);
    return 'announced_again';
  }
  const decision = decideBotEnd(conversation, now, hours * 3_600_000);
  if (!decision.end) {
    if (!decision.lookAgainAt) return decision.skip;
    await deps.watch.watch(conversationKey, decision.lookAgainAt);
    return 'rearmed';
  }
  const at = now.toISOString();
  const end = { outcome: decision.outcome, reason: decision.reason, at, ...(decision.faqId ? { faqId: decision.faqId } : {}) };
  if (!(await deps.store.markEnded(conversation, end))) return 'changed';
  await announce(conversation, at, decision.outcome, decision.reason, decision.faqId, hours, now, deps);
  summary.ended[decision.outcome] = (summary.ended[decision.outcome] ?? 0) + 1;
  return 'ended';
}

function endedButNotAnnounced(c: QuietConversation): boolean {
  return (
    c.state === 'bot' &&
    c.endedAt !== undefined &&
    c.endAnnouncedAt === undefined &&
    c.endedInboundAt !== undefined &&
    c.endedInboundAt === c.lastInboundAt &&
    c.endOutcome !== undefined &&
    c.endReason !== undefined
  );
}

async function announce(
  c: QuietConversation,
  endedAt: string,
  outcome: BotOutcome,
  reason: NonNullable<QuietConversation['endReason']>,
  faqId: string | undefined,
  hours: number,
  now: Date,
  deps: EndSweepDeps,
): Promise<void> {
  await deps.publisher.publish([
    conversationEndedEvent({
      conversationKey: c.conversationKey,
      channel: c.channel,
      accountId: c.accountId,
      endedAt,
      outcome,
      reason,
      tags: c.tags,
      lastInboundAt: c.lastInboundAt!,
      ...(faqId ? { faqId } : {}),
      endAfterHours: hours,
    }),
  ]);
  await deps.store.markAnnounced(c.conversationKey, endedAt, now.toISOString());
}

/** The end hours per account, read once per run (the settings source has its own cache too). */
function endHoursOf(botSettings: BotSettingsSource): (accountId: string) => Promise<number | undefined> {
  const known = new Map<string, Promise<number | undefined>>();
  return (accountId) => {
    let hours = known.get(accountId);
    if (!hours) {
      hours = botSettings.forAccount(accountId).then((b) => b?.conversationEndHours);
      // A failed read is not kept: the next conversation of the account reads again.
      hours.catch(() => known.delete(accountId));
      known.set(accountId, hours);
    }
    return hours;
  };
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
