import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import type { CampaignCounter } from '#lambdas/campaigns/campaign-counts';
import { campaignChangedEvent } from '#lambdas/campaigns/campaign-events';
import type { Campaign, CampaignRecipient, PauseReason } from '#lambdas/campaigns/campaign-model';
import type { CampaignSendQueue, CampaignStore, ReleaseCursor, ReleaseTicks } from '#lambdas/campaigns/campaign-ports';
import {
  campaignRatePerSecond,
  decideState,
  LIMIT_WAIT_SECONDS,
  messagingLimitOf,
  releaseSize,
  spreadDelays,
  tickPlan,
} from '#lambdas/campaigns/campaign-release-decision';
import { currentPauseCause, type ReleaseSources } from '#lambdas/campaigns/campaign-release-sources';
import type { CampaignOutbox, PreparedSend } from '#lambdas/campaigns/campaign-send-items';
import { releaseTickSchema } from '#lambdas/campaigns/campaign-send-queue';
import { RELEASE_CHECK_DELAY_SECONDS, type ReleaseCheck } from '#lambdas/campaigns/campaign-release-check';
import type { OutboundTemplate } from '#lambdas/outbound/outbound-message';
import type { BudgetGate } from '#lambdas/pricing/budget-ports';

export interface ReleaseDeps {
  store: CampaignStore;
  sources: ReleaseSources;
  budget: BudgetGate;
  outbox: CampaignOutbox;
  sendQueue: CampaignSendQueue;
  ticks: ReleaseTicks;
  counts: CampaignCounter;
  publisher: EventPublisher;
  now?: () => Date;
  /** Milliseconds left in the invocation (Lambda's getRemainingTimeInMillis); no deadline when absent. */
  remainingMs?: () => number;
  /** Longest tick (default 10 s). */
  tickSeconds?: number;
  /** Recipients one tick hands out at most (default 2,000). */
  maxPerTick?: number;
  /** Recipients prepared at once (default 16). */
  parallelism?: number;
  /** Schedules the release check of a tick's positions a quarter of an hour later (campaign-release-check.ts). */
  scheduleCheck?: (check: ReleaseCheck, delaySeconds: number) => Promise<void>;
  /** Seconds before that check (default RELEASE_CHECK_DELAY_SECONDS; tests compress it). */
  checkDelaySeconds?: number;
}

export type ReleaseOutcome =
  | { outcome: 'invalid'; issues: string[] }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'stopped'; state: Campaign['state'] }
  | { outcome: 'waiting_for_start'; delaySeconds: number }
  | { outcome: 'paused'; reason: PauseReason }
  | { outcome: 'waiting_for_limit'; reached: number; limit: number }
  /** Another tick moved the cursor first: what this one prepared and enqueued repeats that tick's work (sent once). */
  | { outcome: 'overtaken'; prepared: number }
  | { outcome: 'released'; released: number; failed: number; nextTickSeconds: number; completed: boolean };

/** Time kept at the end of an invocation for moving the cursor, scheduling the next tick and rolling the counts up. */
const FINISHING_MARGIN_MS = 10_000;
const DEFAULT_PARALLELISM = 16;

const CATEGORIES: Record<string, OutboundTemplate['category']> = { MARKETING: 'marketing', UTILITY: 'utility', AUTHENTICATION: 'authentication' };

/**
 * One tick of one campaign's release loop. A tick is an SQS message `{ businessId, campaignId,
 * tick }`; the campaign's release cursor names the tick it expects, so exactly one chain of ticks
 * moves a campaign however many copies of a tick arrive (a repeat, a kick from the watchdog racing
 * the loop): the copies that find another tick number do nothing, and copies of the same tick
 * processed at once write the same items (the message id is fixed per campaign and customer, the
 * writes conditional) and the sender sends each message once. Only the copy whose cursor move wins
 * schedules the next tick.
 *
 * A tick: start a scheduled campaign that is due; stop a paused or ended one; pause it by itself
 * on a cause (pauseCauseOf); otherwise hand the next recipients to the campaign sender, spread
 * over the tick, as many as the number's pace and the business's messaging limit allow; complete
 * the campaign when the list is done.
 *
 * Crash-safe in every step: the Message items and conversations are written before the sends are
 * enqueued and the cursor moves last, so a tick cut off anywhere is delivered again and repeats its
 * work: it finds the same items, enqueues the same sends again (the sender's claim lets one
 * through), and moves the cursor once.
 */
export async function releaseTick(body: unknown, deps: ReleaseDeps): Promise<ReleaseOutcome> {
  const parsed = releaseTickSchema.safeParse(body);
  if (!parsed.success) return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  const tick = parsed.data;
  const clock = deps.now ?? (() => new Date());
  const startedAt = clock();
  const at = startedAt.toISOString();

  let campaign = await deps.store.get(tick.businessId, tick.campaignId);
  const cursor = await deps.store.getRelease(tick.businessId, tick.campaignId);
  const decision = decideState(campaign, cursor, tick.tick, startedAt);
  switch (decision.action) {
    case 'ignore':
      return { outcome: 'ignored', reason: decision.reason };
    case 'stop_paused':
    case 'stop_ended':
      // The campaign stays on the watchdog's list: it rolls up counts that keep moving after the
      // end, and kicks a paused campaign again once a person resumes it.
      return { outcome: 'stopped', state: campaign!.state };
    case 'wait_for_start':
      await deps.ticks.schedule(tick, decision.delaySeconds);
      return { outcome: 'waiting_for_start', delaySeconds: decision.delaySeconds };
    case 'start': {
      const moved = await deps.store.transition(tick.businessId, tick.campaignId, ['scheduled'], 'running', at);
      if (moved.ok) {
        campaign = moved.value;
        await deps.publisher.publish([
          campaignChangedEvent({
            businessId: campaign.businessId,
            campaignId: campaign.campaignId,
            state: 'running',
            previousState: 'scheduled',
            version: campaign.version,
            at,
          }),
        ]);
      } else {
        // Someone else moved it (a copy of this tick started it, a person cancelled it): read again.
        campaign = await deps.store.get(tick.businessId, tick.campaignId);
        if (campaign?.state !== 'running') return { outcome: 'ignored', reason: `not_started_${campaign?.state ?? 'missing'}` };
      }
      await deps.store.markRunning(tick.businessId, tick.campaignId);
      break;
    }
    case 'release':
      break;
  }
  const running = campaign!;
  const release = cursor!;

  const { cause, account, template } = await currentPauseCause(running, { sources: deps.sources, budget: deps.budget, now: startedAt });
  if (cause) {
    const paused = await deps.store.transition(running.businessId, running.campaignId, ['running'], 'paused', at, { pauseReason: cause });
    if (paused.ok) {
      await deps.publisher.publish([
        campaignChangedEvent({
          businessId: running.businessId,
          campaignId: running.campaignId,
          state: 'paused',
          previousState: 'running',
          reason: cause,
          version: paused.value.version,
          at,
        }),
      ]);
    }
    await deps.counts.rollUp(running.businessId, running.campaignId, release.nextSeq);
    return { outcome: 'paused', reason: cause };
  }

  const plan = tickPlan(campaignRatePerSecond(running, account), { tickSeconds: deps.tickSeconds, maxPerTick: deps.maxPerTick });
  const limit = messagingLimitOf(account);
  const reached = Number.isFinite(limit) ? await deps.store.reachInLast24h(running.businessId, startedAt) : 0;
  const size = releaseSize({ plan, cursor: release, messagingLimit: limit, reachedInLast24h: reached });

  if (release.nextSeq >= release.total) return complete(running, release, tick.tick, at, deps, 0, 0);
  if (size === 0) {
    // The business reached its messaging limit: nothing goes until Meta's moving window frees room.
    if (!(await deps.store.advanceRelease(running.businessId, running.campaignId, tick.tick, { nextSeq: release.nextSeq, at })))
      return { outcome: 'overtaken', prepared: 0 };
    await deps.ticks.schedule({ ...tick, tick: tick.tick + 1 }, LIMIT_WAIT_SECONDS);
    await deps.counts.rollUp(running.businessId, running.campaignId, release.nextSeq);
    return { outcome: 'waiting_for_limit', reached, limit };
  }

  const recipients = await recipientsToRelease(deps.store, running, release.nextSeq, size);
  // Nothing left on the list before the cursor's total (a list rebuilt shorter): it is done.
  if (recipients.length === 0) return complete(running, { ...release, nextSeq: release.total }, tick.tick, at, deps, 0, 0);
  const category = running.template.category ?? CATEGORIES[(template?.category ?? 'UTILITY').toUpperCase()] ?? 'utility';
  const delays = spreadDelays(recipients.length, plan.tickSeconds);
  const parallelism = Math.max(1, deps.parallelism ?? DEFAULT_PARALLELISM);
  const elapsedSeconds = () => (clock().getTime() - startedAt.getTime()) / 1000;
  let enqueued = 0;
  let reach = 0;
  let failed = 0;
  let done = 0;
  // In order, a chunk at a time: the cursor can only move past a prefix of the list that is fully
  // prepared. Each chunk's sends are enqueued as soon as its items are written, with their place in
  // the tick's spread less the time preparing took, so sending starts while the rest is prepared.
  let slowestChunkMs = 0;
  for (let i = 0; i < recipients.length; i += parallelism) {
    // Room for another chunk (as slow as the slowest yet, twice over) and for finishing the tick.
    if (deps.remainingMs && deps.remainingMs() < FINISHING_MARGIN_MS + 2 * slowestChunkMs) break;
    const chunkStarted = clock().getTime();
    const chunk = recipients.slice(i, i + parallelism);
    const results = await Promise.all(
      chunk.map((recipient) => prepareOne(running, recipient, { wabaId: account!.wabaId!, template: template!, category, at: startedAt }, deps)),
    );
    const sends: Array<PreparedSend & { delaySeconds: number }> = [];
    const elapsed = elapsedSeconds();
    results.forEach((result, j) => {
      if (result.kind === 'send') sends.push({ ...result.send, delaySeconds: Math.max(0, Math.floor((delays[i + j] ?? 0) - elapsed)) });
      else if (result.kind === 'failed') failed++;
    });
    if (sends.length > 0)
      await deps.sendQueue.enqueue(
        sends.map(({ conversationKey, outboundId, accountId, delaySeconds }) => ({ conversationKey, outboundId, accountId, delaySeconds })),
      );
    enqueued += sends.length;
    reach += sends.filter((s) => s.countsAgainstLimit).length;
    done = i + chunk.length;
    slowestChunkMs = Math.max(slowestChunkMs, clock().getTime() - chunkStarted);
  }
  if (done === 0) return { outcome: 'ignored', reason: 'no_time_left' };
  // A page may hold fewer than asked (DynamoDB's 1 MB per query): the cursor moves past what was prepared.
  const nextSeq = recipients[done - 1]!.seq + 1;

  if (reach > 0) await deps.store.recordReach(running.businessId, reach, startedAt);

  if (!(await deps.store.advanceRelease(running.businessId, running.campaignId, tick.tick, { nextSeq, at })))
    return { outcome: 'overtaken', prepared: enqueued };
  // A crash right here leaves the tick's positions unchecked; the watch is a safety net, not the path.
  await deps.scheduleCheck?.(
    { businessId: running.businessId, campaignId: running.campaignId, check: { fromSeq: release.nextSeq, toSeq: nextSeq, round: 1 } },
    deps.checkDelaySeconds ?? RELEASE_CHECK_DELAY_SECONDS,
  );
  if (nextSeq >= release.total) return complete(running, { ...release, nextSeq }, tick.tick + 1, at, deps, enqueued, failed, true);

  // The next tick comes when this one's sends are spread out; the time spent preparing them counts.
  const nextTickSeconds = Math.max(0, Math.round(plan.tickSeconds - elapsedSeconds()));
  await deps.ticks.schedule({ ...tick, tick: tick.tick + 1 }, nextTickSeconds);
  await deps.counts.rollUp(running.businessId, running.campaignId, nextSeq);
  return { outcome: 'released', released: enqueued, failed, nextTickSeconds, completed: false };
}

/** The next `size` recipients from `fromSeq`, read a page at a time (a page holds at most 1,000 and 1 MB). */
async function recipientsToRelease(store: CampaignStore, campaign: Campaign, fromSeq: number, size: number): Promise<CampaignRecipient[]> {
  const out: CampaignRecipient[] = [];
  let next = fromSeq;
  while (out.length < size) {
    const page = await store.recipientsFrom(campaign.businessId, campaign.campaignId, next, size - out.length);
    if (page.length === 0) break;
    out.push(...page);
    next = page.at(-1)!.seq + 1;
  }
  return out.slice(0, size);
}

type Prepared = { kind: 'send'; send: PreparedSend } | { kind: 'failed' } | { kind: 'skipped' };

async function prepareOne(
  campaign: Campaign,
  recipient: CampaignRecipient,
  context: { wabaId: string; template: NonNullable<Awaited<ReturnType<ReleaseSources['template']>>>; category: OutboundTemplate['category']; at: Date },
  deps: ReleaseDeps,
): Promise<Prepared> {
  // Failed when the list was released before (its variables no longer fit): nothing to send.
  if (recipient.state === 'failed') return { kind: 'skipped' };
  const result = await deps.outbox.prepare({
    campaign,
    wabaId: context.wabaId,
    template: context.template,
    category: context.category,
    recipient,
    at: context.at,
  });
  const at = context.at.toISOString();
  if (!result.ok) {
    if (await deps.store.advanceRecipient(campaign.businessId, campaign.campaignId, recipient.seq, 'failed', { at, errorCode: result.reason })) {
      await deps.counts.countReleaseFailure(campaign.businessId, campaign.campaignId, result.reason, `${campaign.campaignId}#${recipient.seq}`);
    }
    return { kind: 'failed' };
  }
  await deps.store.advanceRecipient(campaign.businessId, campaign.campaignId, recipient.seq, 'released', {
    at,
    messageId: result.send.outboundId,
    conversationKey: result.send.conversationKey,
  });
  return { kind: 'send', send: result.send };
}

/** Everything is released: the campaign is completed (its counts keep moving as receipts arrive). */
async function complete(
  campaign: Campaign,
  cursor: ReleaseCursor,
  tick: number,
  at: string,
  deps: ReleaseDeps,
  released: number,
  failed: number,
  cursorMoved = false,
): Promise<ReleaseOutcome> {
  // A tick that found the list already done moves the cursor too, so its copies find a stale tick.
  if (!cursorMoved && !(await deps.store.advanceRelease(campaign.businessId, campaign.campaignId, tick, { nextSeq: cursor.nextSeq, at }))) {
    return { outcome: 'overtaken', prepared: 0 };
  }
  const done = await deps.store.transition(campaign.businessId, campaign.campaignId, ['running'], 'completed', at);
  if (done.ok) {
    await deps.publisher.publish([
      campaignChangedEvent({
        businessId: campaign.businessId,
        campaignId: campaign.campaignId,
        state: 'completed',
        previousState: 'running',
        version: done.value.version,
        at,
      }),
    ]);
  }
  await deps.counts.rollUp(campaign.businessId, campaign.campaignId, cursor.nextSeq);
  return { outcome: 'released', released, failed, nextTickSeconds: 0, completed: true };
}
