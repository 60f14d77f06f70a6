import type { Campaign, CampaignRecipient } from '#lambdas/campaigns/campaign-model';
import type { OutboundTemplate } from '#lambdas/outbound/outbound-message';
import type { StoredTemplate } from '#lambdas/templates/template-item';

/**
 * What a release writes for one recipient before the campaign sender hears of it: the outbound
 * Message item, `pending`, under the id campaign-keys.ts derives from the campaign and the
 * customer (a release repeated after a crash finds it and reuses it), and the conversation's
 * `lastCampaign`, which attributes the customer's reply or opt-out to the campaign. The table's
 * outbox and messages are campaign-send-items-store.ts.
 */
export interface PreparedSend {
  conversationKey: string;
  outboundId: string;
  accountId: string;
  /**
   * The customer had no open service window: the message counts against the business's messaging
   * limit (Meta counts only customers reached outside a customer service window).
   */
  countsAgainstLimit: boolean;
}

export type PrepareResult = { ok: true; send: PreparedSend } | { ok: false; reason: 'invalid_variables'; detail: string };

export interface PrepareInput {
  campaign: Pick<Campaign, 'businessId' | 'campaignId' | 'accountId' | 'template'>;
  wabaId: string;
  template: StoredTemplate;
  category: OutboundTemplate['category'];
  recipient: Pick<CampaignRecipient, 'waId' | 'seq' | 'variables'>;
  at: Date;
}

export interface CampaignOutbox {
  prepare(input: PrepareInput): Promise<PrepareResult>;
}

/** Where a released campaign message stands, as the release check reads it. */
export type ReleasedMessageStanding = 'done' | 'pending' | 'sending' | 'stale_claim' | 'missing';

/** The release check's view of the Message items (campaign-release-check.ts). */
export interface CampaignMessages {
  standing(conversationKey: string, outboundId: string, now: Date): Promise<ReleasedMessageStanding>;
  /**
   * A claim left `sending` without Meta's answer long ago goes back to `pending`, on condition that
   * the same claim still stands (the reply watch's rule, outbound/watch-reply.ts). True when it did.
   */
  releaseStaleClaim(conversationKey: string, outboundId: string, now: Date): Promise<boolean>;
}

/** A claim older than this is an interrupted send (the sender's invocation lasts 30 s at most). */
export const STALE_CLAIM_MS = 5 * 60_000;
