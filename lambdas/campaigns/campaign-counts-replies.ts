import * as z from 'zod';
import { lastCampaignOf, withinAttribution, type CampaignCounter } from '#lambdas/campaigns/campaign-counts';
import type { ConversationCampaignReader } from '#lambdas/campaigns/campaign-counts-store';
import type { CampaignStore } from '#lambdas/campaigns/campaign-ports';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';

/** Where the conversation's last campaign is read (campaigns/campaign-counts-store.ts). */
export interface ReplyCountDeps {
  conversations: ConversationCampaignReader;
  counter: CampaignCounter;
  store: Pick<CampaignStore, 'markReplied'>;
  now?: () => Date;
}

export type ReplyCountOutcome =
  | { outcome: 'invalid'; issues: string[] }
  | { outcome: 'ignored'; reason: 'not_whatsapp' | 'not_a_customer_message' | 'no_campaign' | 'outside_window' | 'other_event' }
  | { outcome: 'counted'; what: 'replied' | 'optedOut' }
  | { outcome: 'already_counted'; what: 'replied' | 'optedOut' };

const envelopeSchema = z.looseObject({
  source: z.string(),
  'detail-type': z.string(),
  detail: z.looseObject({
    conversationKey: z.string().min(1).max(1_000),
    channel: z.string().optional(),
    occurredAt: z.string().max(64).optional(),
    origin: z.string().optional(),
  }),
});

/**
 * A customer's reply or opt-out, attributed to the campaign whose message reached them last
 * (`lastCampaign` on the conversation, set when the campaign released it) if it came within
 * ATTRIBUTION_WINDOW_DAYS: counted once per customer and campaign (the mark sits on the
 * conversation). Woken by `message.received` (WhatsApp customers' messages) and
 * `consent.withdrawn`; costs one read of the conversation per such event, and a transaction only
 * for the first reply or opt-out after a campaign.
 *
 * The reply itself is an ordinary customer message: the bot or routing answers it as any other.
 */
export async function countCampaignReply(body: string, deps: ReplyCountDeps): Promise<ReplyCountOutcome> {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { outcome: 'invalid', issues: ['body: not JSON'] };
  }
  const parsed = envelopeSchema.safeParse(raw);
  if (!parsed.success) return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  const envelope = parsed.data;
  const detailType = envelope['detail-type'];
  let what: 'replied' | 'optedOut';
  if (detailType === DETAIL_TYPE.messageReceived && envelope.source === EVENT_SOURCE.normalizer) {
    if (envelope.detail.origin !== undefined && envelope.detail.origin !== 'customer') return { outcome: 'ignored', reason: 'not_a_customer_message' };
    what = 'replied';
  } else if (detailType === DETAIL_TYPE.consentWithdrawn) {
    what = 'optedOut';
  } else {
    return { outcome: 'ignored', reason: 'other_event' };
  }
  if (envelope.detail.channel !== undefined && envelope.detail.channel !== 'whatsapp') return { outcome: 'ignored', reason: 'not_whatsapp' };

  const key = envelope.detail.conversationKey;
  const conversation = await deps.conversations.lastCampaignOf(key);
  const lastCampaign = lastCampaignOf(conversation);
  if (!lastCampaign) return { outcome: 'ignored', reason: 'no_campaign' };
  if (lastCampaign[what]) return { outcome: 'already_counted', what };
  const occurredAt = envelope.detail.occurredAt ? new Date(envelope.detail.occurredAt) : (deps.now ?? (() => new Date()))();
  if (Number.isNaN(occurredAt.getTime()) || !withinAttribution(lastCampaign, occurredAt)) return { outcome: 'ignored', reason: 'outside_window' };

  // The recipient's own mark first (for the recipients view; repeating it is harmless), then the
  // count, which is the part that must happen once.
  const waId = typeof conversation?.customerId === 'string' ? conversation.customerId : undefined;
  if (what === 'replied' && waId) await deps.store.markReplied(lastCampaign.businessId, lastCampaign.campaignId, waId);
  const counted = what === 'replied' ? await deps.counter.countReply(key, lastCampaign) : await deps.counter.countOptOut(key, lastCampaign);
  return counted ? { outcome: 'counted', what } : { outcome: 'already_counted', what };
}
