import { ATTRIBUTION_WINDOW_DAYS } from '#lambdas/campaigns/campaign-model';
import type { CampaignStore } from '#lambdas/campaigns/campaign-ports';
import { countKey } from '#lambdas/campaigns/campaign-store-rules';
import { boundedId } from '#lambdas/shared/bounded-id';
import { sha256Hex } from '#lambdas/shared/hash';

/**
 * A campaign's delivery counts, each counted once however often and in whatever order the news
 * arrives.
 *
 * The once is anchored where the news lands, never on the campaign: a message's counts on its own
 * Message item (`campaignCounted`, the set of counts already made for it), a reply and an opt-out
 * on the customer's conversation (`lastCampaign.replied`, `lastCampaign.optedOut`). Each count is
 * one transaction: the anchor's conditional mark and an atomic ADD on a counter shard. Meta's
 * duplicates and redeliveries find the mark and write nothing (the mark is on the item the caller
 * already holds, so they are told apart without a read).
 *
 * The ADDs go to COUNT_SHARDS counter items with a partition key each, not to the campaign item:
 * at an upgraded number's 1,000 msg/s a campaign makes about 3,000 counts a second (sent,
 * delivered, read), and a single item takes 1,000 write units a second at most (transactional
 * writes cost two). The campaign item's `counts` are the shards' sums, rolled up by the release
 * loop every tick and by the watchdog every minute (rollUp), so the API reads one item.
 *
 *   pk                                        sk      entity
 *   CAMPAIGNCOUNT#<business>#<campaign>#<n>   COUNTS  CampaignCountShard   sent, delivered, read, failed, failedByError{}, replied, optedOut
 */
export const COUNT_SHARDS = 16;
export const countShardPk = (businessId: string, campaignId: string, shard: number) =>
  `CAMPAIGNCOUNT#${boundedId(businessId)}#${boundedId(campaignId)}#${shard}`;
export const COUNT_SHARD_SK = 'COUNTS';

/** The counts a message's status implies: its funnel (read implies delivered implies sent), or failed. */
export type MessageCount = 'sent' | 'delivered' | 'read' | 'failed';

const FUNNEL: Record<string, readonly MessageCount[]> = {
  sent: ['sent'],
  delivered: ['sent', 'delivered'],
  read: ['sent', 'delivered', 'read'],
  played: ['sent', 'delivered', 'read'],
};

/** The campaign fields of a Message item (campaign-send-items.ts writes them). */
export interface CampaignMessage {
  pk: string;
  sk: string;
  campaignId: string;
  campaignBusinessId: string;
  campaignSeq?: number;
  status: string;
  campaignCounted?: ReadonlySet<string> | string[];
  sentAt?: string;
  deliveredAt?: string;
  readAt?: string;
  /** Meta's code of a failure. */
  errorCode?: number | string;
  /** Our reason for a refused send (`marketing_opt_in_missing`, …). */
  failureReason?: string;
}

/** The attributes a caller holding a Message item must have read for countsDue (e.g. a projection). */
export const CAMPAIGN_MESSAGE_ATTRIBUTES = [
  'pk',
  'sk',
  'campaignId',
  'campaignBusinessId',
  'campaignSeq',
  'status',
  'campaignCounted',
  'sentAt',
  'deliveredAt',
  'readAt',
  'errorCode',
  'failureReason',
] as const;

/** Reads a Message item as a campaign message; undefined when it is not one. */
export function campaignMessageOf(item: Record<string, unknown> | undefined): CampaignMessage | undefined {
  if (!item || typeof item.campaignId !== 'string' || typeof item.campaignBusinessId !== 'string') return undefined;
  if (typeof item.pk !== 'string' || typeof item.sk !== 'string' || typeof item.status !== 'string') return undefined;
  const counted = item.campaignCounted;
  return {
    pk: item.pk,
    sk: item.sk,
    campaignId: item.campaignId,
    campaignBusinessId: item.campaignBusinessId,
    status: item.status,
    ...(typeof item.campaignSeq === 'number' ? { campaignSeq: item.campaignSeq } : {}),
    ...(counted instanceof Set || Array.isArray(counted) ? { campaignCounted: counted as ReadonlySet<string> | string[] } : {}),
    ...(typeof item.sentAt === 'string' ? { sentAt: item.sentAt } : {}),
    ...(typeof item.deliveredAt === 'string' ? { deliveredAt: item.deliveredAt } : {}),
    ...(typeof item.readAt === 'string' ? { readAt: item.readAt } : {}),
    ...(typeof item.errorCode === 'number' || typeof item.errorCode === 'string' ? { errorCode: item.errorCode } : {}),
    ...(typeof item.failureReason === 'string' ? { failureReason: item.failureReason } : {}),
  };
}

/** A failure's key in `failedByError`: Meta's code, or our reason, in [a-z0-9_] (at most 40). */
export function failureKey(message: Pick<CampaignMessage, 'errorCode' | 'failureReason'>): string {
  const raw = message.errorCode !== undefined && message.errorCode !== null ? String(message.errorCode) : (message.failureReason ?? 'unknown');
  return countKey(raw);
}

/**
 * The counts the message's current status implies that are not counted yet. A failed message that
 * had been delivered keeps its sent and delivered counts (they happened) and adds failed; the
 * times on the item say how far it got before failing.
 */
export function countsDue(message: CampaignMessage): MessageCount[] {
  const counted = new Set(message.campaignCounted ?? []);
  let implied: readonly MessageCount[];
  if (message.status === 'failed') {
    const reached: MessageCount[] = [];
    if (message.sentAt) reached.push('sent');
    if (message.deliveredAt) reached.push('delivered');
    if (message.readAt) reached.push('read');
    implied = [...reached, 'failed'];
  } else {
    implied = FUNNEL[message.status] ?? [];
  }
  return implied.filter((c) => !counted.has(c));
}

/** The counter shard a message counts on: fixed per message, spread over the shards. */
export function shardOf(key: string, shards: number = COUNT_SHARDS): number {
  return Number.parseInt(sha256Hex(key).slice(0, 8), 16) % shards;
}

/** The campaign a conversation last received (set on the conversation item when a campaign message is released). */
export interface LastCampaign {
  businessId: string;
  campaignId: string;
  /** When the campaign's message was released to this customer. */
  at: string;
  replied?: boolean;
  optedOut?: boolean;
}

export function lastCampaignOf(item: Record<string, unknown> | undefined): LastCampaign | undefined {
  const value = item?.lastCampaign as Record<string, unknown> | undefined;
  if (!value || typeof value !== 'object') return undefined;
  if (typeof value.businessId !== 'string' || typeof value.campaignId !== 'string' || typeof value.at !== 'string') return undefined;
  return {
    businessId: value.businessId,
    campaignId: value.campaignId,
    at: value.at,
    ...(value.replied === true ? { replied: true } : {}),
    ...(value.optedOut === true ? { optedOut: true } : {}),
  };
}

/** Whether something that happened at `at` is within the attribution window of the campaign message. */
export function withinAttribution(lastCampaign: LastCampaign, at: Date): boolean {
  const sent = Date.parse(lastCampaign.at);
  return Number.isFinite(sent) && at.getTime() >= sent && at.getTime() - sent <= ATTRIBUTION_WINDOW_DAYS * 86_400_000;
}

/** The sums of a campaign's counter shards. */
export interface ShardTotals {
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  failedByError: Record<string, number>;
  replied: number;
  optedOut: number;
}

export function emptyTotals(): ShardTotals {
  return { sent: 0, delivered: 0, read: 0, failed: 0, failedByError: {}, replied: 0, optedOut: 0 };
}

/** Counting and rolling up a campaign's counts (DynamoDB: campaign-counts-store.ts; a fake in unit tests). */
export interface CampaignCounter {
  /**
   * Counts what the message's current status implies and was not counted yet (none: no write).
   * Returns the counts made by this call.
   */
  countMessage(message: CampaignMessage): Promise<MessageCount[]>;
  /** A failure before any message existed (the recipient's variables no longer fit the template). */
  countReleaseFailure(businessId: string, campaignId: string, reason: string, anchor: string): Promise<boolean>;
  /** The customer wrote back within the window: once per conversation and campaign. */
  countReply(conversationKey: string, lastCampaign: LastCampaign): Promise<boolean>;
  /** The customer opted out within the window: once per conversation and campaign. */
  countOptOut(conversationKey: string, lastCampaign: LastCampaign): Promise<boolean>;
  totals(businessId: string, campaignId: string): Promise<ShardTotals>;
  /**
   * Writes the shards' sums (and `released`) onto the campaign item's counts, unless a roll-up of
   * the same or newer totals is there already. Returns whether it wrote.
   */
  rollUp(businessId: string, campaignId: string, released: number): Promise<boolean>;
}

/** Adds up counter shard items (their `fail_<code>` attributes become failedByError). */
export function sumShards(items: ReadonlyArray<Record<string, unknown>>): ShardTotals {
  const totals = emptyTotals();
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  for (const item of items) {
    totals.sent += num(item.sent);
    totals.delivered += num(item.delivered);
    totals.read += num(item.read);
    totals.failed += num(item.failed);
    totals.replied += num(item.replied);
    totals.optedOut += num(item.optedOut);
    for (const [name, value] of Object.entries(item)) {
      if (!name.startsWith('fail_')) continue;
      const key = name.slice(5);
      totals.failedByError[key] = (totals.failedByError[key] ?? 0) + num(value);
    }
  }
  return totals;
}

/**
 * Counts a campaign message from the Message item the caller holds (after a send, or after a
 * receipt moved or stamped it): nothing is written when its counts are all made. A failure newly
 * counted also marks the recipient failed on the list, with its code, for the recipients view.
 */
export async function countCampaignMessage(
  item: Record<string, unknown> | undefined,
  deps: { counter: CampaignCounter; recipients?: Pick<CampaignStore, 'advanceRecipient'>; now?: () => Date },
): Promise<MessageCount[]> {
  const message = campaignMessageOf(item);
  if (!message || countsDue(message).length === 0) return [];
  const made = await deps.counter.countMessage(message);
  if (made.includes('failed') && deps.recipients && message.campaignSeq !== undefined) {
    await deps.recipients.advanceRecipient(message.campaignBusinessId, message.campaignId, message.campaignSeq, 'failed', {
      at: (deps.now ?? (() => new Date()))().toISOString(),
      errorCode: failureKey(message),
    });
  }
  return made;
}
