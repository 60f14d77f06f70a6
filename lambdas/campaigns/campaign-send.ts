import { countCampaignMessage, type CampaignCounter, type MessageCount } from '#lambdas/campaigns/campaign-counts';
import type { CampaignMessageReader } from '#lambdas/campaigns/campaign-counts-store';
import type { CampaignStore } from '#lambdas/campaigns/campaign-ports';
import { replyRequestedDetailSchema } from '#lambdas/outbound/reply-requested';
import type { SendOutcome } from '#lambdas/outbound/send-reply';

/** Where the campaign message's Message item is read (campaigns/campaign-counts-store.ts). */
export interface CampaignSendCountDeps {
  messages: CampaignMessageReader;
  counter: CampaignCounter;
  recipients?: Pick<CampaignStore, 'advanceRecipient'>;
  now?: () => Date;
}

/** Outcomes after which the message's status is settled enough to count (sent, or failed with a reason). */
const COUNTED_OUTCOMES = new Set<SendOutcome['outcome']>(['sent', 'failed', 'refused', 'already_done']);

/**
 * After the campaign sender's send: counts the message on its campaign, once — `sent`, or `failed`
 * with Meta's code or our refusal (`marketing_opt_in_missing`, `marketing_opted_out`). The Message
 * item is read again (one consistent read) because it carries the campaign and the counts already
 * made: a repeated delivery of the same send (`already_done`) finds them made and writes nothing,
 * and one whose first delivery died between sending and counting counts now.
 */
export async function countCampaignSend(detail: unknown, outcome: SendOutcome, deps: CampaignSendCountDeps): Promise<MessageCount[]> {
  if (!COUNTED_OUTCOMES.has(outcome.outcome)) return [];
  const request = replyRequestedDetailSchema.safeParse(detail);
  if (!request.success) return [];
  const messages = deps.messages;
  const item = await messages.campaignMessage(request.data.conversationKey, request.data.outboundId);
  return countCampaignMessage(item, {
    counter: deps.counter,
    ...(deps.recipients ? { recipients: deps.recipients } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
}
