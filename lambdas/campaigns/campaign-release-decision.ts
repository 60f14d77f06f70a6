import type { BudgetStanding } from '#lambdas/pricing/budget-ports';
import { ATTRIBUTION_WINDOW_DAYS, DEFAULT_MESSAGING_LIMIT, MESSAGING_LIMITS, type Campaign, type PauseReason } from '#lambdas/campaigns/campaign-model';
import type { ReleaseCursor } from '#lambdas/campaigns/campaign-ports';
import { limitsFromAccount } from '#lambdas/outbound/channel-account-limits';

/**
 * The release loop's decisions, without I/O (campaign-release.ts does the reading and writing).
 *
 * Every tick of a running campaign asks three questions, in this order:
 * 1. Is there a reason to stop by itself? (pauseCauseOf: the number's quality is RED, the number
 *    cannot send, the template is paused or disabled, the month's Meta budget is spent.)
 * 2. How many may go now? (releaseSize: the campaign's share of the number's throughput over one
 *    tick, but never more than the business's messaging limit still has room for.)
 * 3. Is the list done? (then the campaign is completed; its counts keep moving as receipts come.)
 */

/** Seconds between two ticks of one campaign at most: short enough to follow a quality drop quickly. */
export const DEFAULT_TICK_SECONDS = 10;
/**
 * Recipients one tick hands out at most. One tick writes three small items per recipient and
 * enqueues it; 2,000 of them take a couple of seconds in AWS (16 at a time), far inside the
 * release function's timeout. A number faster than 2,000 per tick (over 200 msg/s at the default
 * tick) gets shorter ticks instead (tickPlan).
 */
export const DEFAULT_MAX_PER_TICK = 2_000;
/** While the messaging limit has no room, look again after this long (Meta's window moves by the hour). */
export const LIMIT_WAIT_SECONDS = 60;

/** What the registry holds about the sending number (lambdas/accounts/channel-account.ts and apply-account-health.ts). */
export interface SendingAccount {
  accountId: string;
  channel?: string;
  status?: string;
  wabaId?: string;
  throughputPerSecond?: number;
  coexistence?: boolean;
  /** GREEN, YELLOW, RED, UNKNOWN (from the number's health check). */
  qualityRating?: string;
  /** Set by `phone_number_quality_update` FLAGGED (Meta's word that quality fell to low), cleared by UNFLAGGED/UPGRADE. */
  qualityFlagged?: boolean;
  /** `TIER_250`, `TIER_1K`, … from `phone_number_quality_update.current_limit`. */
  messagingLimitTier?: string;
  /** The business portfolio's limit Meta reports (`max_daily_conversations_per_business`): a number, `-1` unlimited. */
  maxDailyConversations?: string | number;
}

/** What the stored template item says (lambdas/templates/template-item.ts); undefined when there is none. */
export interface TemplateStanding {
  status: string;
}

export interface PauseInputs {
  account: SendingAccount | undefined;
  template: TemplateStanding | undefined;
  budget: BudgetStanding | undefined;
}

/** Template statuses a campaign may send with (FLAGGED is Meta's warning before a pause: still sendable). */
const SENDABLE_TEMPLATE = new Set(['APPROVED', 'FLAGGED', 'REINSTATED']);
/** Statuses that may clear by themselves (Meta lifts a pause; a re-review ends): the campaign waits paused. */
const TEMPORARILY_UNSENDABLE = new Set(['PAUSED', 'PENDING', 'IN_APPEAL', 'LIMIT_EXCEEDED']);

/**
 * Why the campaign must not send now, or undefined. The same reading serves the resume API: a
 * campaign that paused itself is resumed only once its cause is gone.
 */
export function pauseCauseOf(inputs: PauseInputs): PauseReason | undefined {
  const { account, template, budget } = inputs;
  // Only an active number sends: restricted, disabled, waiting for a new token or leaving.
  if (account?.status !== 'active' || (account.channel !== undefined && account.channel !== 'whatsapp')) return 'account_not_serving';
  if (account.qualityRating?.toUpperCase() === 'RED' || account.qualityFlagged === true) return 'quality_red';
  const status = template?.status.toUpperCase();
  if (status === undefined || !SENDABLE_TEMPLATE.has(status)) {
    return status !== undefined && TEMPORARILY_UNSENDABLE.has(status) ? 'template_paused' : 'template_disabled';
  }
  if (budget?.budgetMicros !== undefined && budget.budgetMicros >= 0 && budget.spentMicros >= budget.budgetMicros) return 'budget_exhausted';
  return undefined;
}

/**
 * The business's messaging limit: unique customers reached outside a customer service window per
 * moving 24 hours, set per business portfolio since 7 October 2025 (Meta, "Messaging limits").
 * The portfolio figure Meta reports wins over the number's tier; a business Meta told us nothing
 * about starts at the newcomer's 250.
 */
export function messagingLimitOf(account: SendingAccount | undefined): number {
  const reported = account?.maxDailyConversations;
  const max = typeof reported === 'number' ? reported : typeof reported === 'string' && /^-?\d+$/.test(reported.trim()) ? Number(reported) : undefined;
  if (max !== undefined) return max < 0 ? Number.POSITIVE_INFINITY : max;
  const tier = account?.messagingLimitTier?.toUpperCase();
  if (tier && Object.hasOwn(MESSAGING_LIMITS, tier)) return MESSAGING_LIMITS[tier]!;
  return DEFAULT_MESSAGING_LIMIT;
}

/** The campaign's pace: its share of the number's messages per second (the rest stays for conversations). */
export function campaignRatePerSecond(campaign: Pick<Campaign, 'rateShare'>, account: SendingAccount | undefined): number {
  const { messagesPerSecond } = limitsFromAccount(account as Record<string, unknown> | undefined);
  return Math.max(0.01, campaign.rateShare * messagesPerSecond);
}

export interface TickPlan {
  /** Recipients a full tick hands out. */
  perTick: number;
  /** Seconds the tick's sends are spread over, and the time to the next tick. */
  tickSeconds: number;
}

/**
 * How much one tick releases and how long it lasts: `rate × tickSeconds`, unless that is over the
 * per-tick cap, in which case the tick gets shorter (a 1,000 msg/s number at 0.8 releases 1,600
 * every 2 s rather than 8,000 every 10 s). Ticks are whole seconds (SQS delays are).
 */
export function tickPlan(ratePerSecond: number, options: { tickSeconds?: number; maxPerTick?: number } = {}): TickPlan {
  const longest = Math.max(1, Math.floor(options.tickSeconds ?? DEFAULT_TICK_SECONDS));
  const cap = Math.max(1, Math.floor(options.maxPerTick ?? DEFAULT_MAX_PER_TICK));
  const tickSeconds = Math.max(1, Math.min(longest, Math.floor(cap / ratePerSecond)));
  const perTick = Math.max(1, Math.min(cap, Math.floor(ratePerSecond * tickSeconds)));
  return { perTick, tickSeconds };
}

export interface ReleaseSizeInputs {
  plan: TickPlan;
  cursor: Pick<ReleaseCursor, 'nextSeq' | 'total'>;
  messagingLimit: number;
  /** Unique customers the business's campaigns reached in the last 24 hours. */
  reachedInLast24h: number;
}

/** Recipients this tick releases: the tick's pace, the limit's room and what is left on the list, whichever is least. */
export function releaseSize(inputs: ReleaseSizeInputs): number {
  const left = Math.max(0, inputs.cursor.total - inputs.cursor.nextSeq);
  const room = Math.max(0, inputs.messagingLimit - inputs.reachedInLast24h);
  return Math.max(0, Math.min(inputs.plan.perTick, room, left));
}

/**
 * Whole seconds of delay for each of `count` sends spread evenly over `seconds`: the first leaves
 * now, the rest follow at `count / seconds` per second (SQS delays are whole seconds; the sender's
 * pacer spreads each second's sends across it).
 */
export function spreadDelays(count: number, seconds: number): number[] {
  const span = Math.max(1, Math.floor(seconds));
  return Array.from({ length: count }, (_, i) => Math.min(span - 1, Math.floor((i * span) / Math.max(1, count))));
}

export type StateDecision =
  /** Nothing to do for this tick (no campaign, a stale or repeated tick, a draft). */
  | { action: 'ignore'; reason: 'no_campaign' | 'no_release_cursor' | 'stale_tick' | 'not_scheduled' | 'list_not_ready' }
  /** Scheduled for later: look again in `delaySeconds` (SQS waits 15 minutes at most; the watchdog covers the rest). */
  | { action: 'wait_for_start'; delaySeconds: number }
  /** Scheduled and due: start it, then release. */
  | { action: 'start' }
  /** Running: release. */
  | { action: 'release' }
  /** Paused: the loop stops; resuming kicks it again. */
  | { action: 'stop_paused' }
  /** Completed or cancelled: the loop stops for good. */
  | { action: 'stop_ended' };

/** The longest SQS delivery delay. */
export const MAX_DELAY_SECONDS = 900;

/** What a tick does given the campaign's state and its cursor. */
export function decideState(
  campaign: (Pick<Campaign, 'state' | 'startAt'> & Partial<Pick<Campaign, 'list'>>) | undefined,
  cursor: Pick<ReleaseCursor, 'tick'> | undefined,
  tick: number,
  now: Date,
): StateDecision {
  if (!campaign) return { action: 'ignore', reason: 'no_campaign' };
  if (campaign.state === 'completed' || campaign.state === 'cancelled') return { action: 'stop_ended' };
  if (campaign.state === 'paused') return { action: 'stop_paused' };
  if (campaign.state === 'draft') return { action: 'ignore', reason: 'not_scheduled' };
  // Nothing is released before the whole list is written: the finished build kicks the loop.
  if (campaign.list && campaign.list.status !== 'ready') return { action: 'ignore', reason: 'list_not_ready' };
  if (!cursor) return { action: 'ignore', reason: 'no_release_cursor' };
  // A tick that is not the cursor's was overtaken (a repeat, or a kick racing the loop): the loop
  // that moved the cursor owns the campaign now.
  if (cursor.tick !== tick) return { action: 'ignore', reason: 'stale_tick' };
  if (campaign.state === 'scheduled') {
    const startAt = campaign.startAt ? Date.parse(campaign.startAt) : Number.NaN;
    if (Number.isFinite(startAt) && startAt > now.getTime()) {
      return { action: 'wait_for_start', delaySeconds: Math.min(MAX_DELAY_SECONDS, Math.ceil((startAt - now.getTime()) / 1000)) };
    }
    return { action: 'start' };
  }
  return { action: 'release' };
}

/**
 * What the watchdog does with a campaign on its running list (besides rolling its counts up):
 * kick a scheduled one that is due, or a running one whose loop has not ticked for three ticks (a
 * lost message, a redrive that never came); leave a paused one for a person (resuming kicks it);
 * keep an ended one while its counts can still move (replies and opt-outs count for
 * ATTRIBUTION_WINDOW_DAYS, receipts arrive for days), then take it off the list.
 */
export function watchdogVerdict(
  campaign: (Pick<Campaign, 'state'> & Partial<Pick<Campaign, 'startAt' | 'startedAt' | 'scheduledAt' | 'completedAt' | 'updatedAt'>>) | undefined,
  cursor: Pick<ReleaseCursor, 'lastTickAt'> | undefined,
  now: Date,
  tickSeconds: number = DEFAULT_TICK_SECONDS,
): 'kick' | 'leave' | 'unlist' {
  if (!campaign) return 'unlist';
  if (campaign.state === 'completed' || campaign.state === 'cancelled') {
    const ended = Date.parse(campaign.completedAt ?? campaign.updatedAt ?? '');
    const keepMs = (ATTRIBUTION_WINDOW_DAYS + 1) * 86_400_000;
    return !Number.isFinite(ended) || now.getTime() - ended > keepMs ? 'unlist' : 'leave';
  }
  if (campaign.state === 'draft' || campaign.state === 'paused' || !cursor) return 'leave';
  // Since the loop last moved the cursor; before its first move, since it was started or scheduled
  // (a first tick still preparing a slow batch is not a lost one).
  const since = [cursor.lastTickAt, campaign.startedAt, campaign.scheduledAt, campaign.startAt]
    .map((t) => (t ? Date.parse(t) : Number.NaN))
    .find(Number.isFinite);
  // Three ticks, or a wait for the messaging limit and a tick: the loop's own longest gap is not a lost tick.
  const quiet = since === undefined || now.getTime() - since > Math.max(3 * tickSeconds, LIMIT_WAIT_SECONDS + tickSeconds) * 1000;
  if (campaign.state === 'scheduled') {
    // Before its start a scheduled campaign's own delayed tick is waiting (or the next kick after it).
    const startAt = campaign.startAt ? Date.parse(campaign.startAt) : Number.NaN;
    const due = !Number.isFinite(startAt) || startAt <= now.getTime();
    return due && quiet ? 'kick' : 'leave';
  }
  return quiet ? 'kick' : 'leave';
}
