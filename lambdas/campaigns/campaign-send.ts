import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { campaignMessageProjection, countCampaignMessage, type CampaignCounter, type MessageCount } from '#lambdas/campaigns/campaign-counts';
import type { CampaignStore } from '#lambdas/campaigns/campaign-ports';
import { conversationPk, messageSk } from '#lambdas/conversation/table-keys';
import { replyRequestedDetailSchema } from '#lambdas/outbound/reply-requested';
import type { SendOutcome } from '#lambdas/outbound/send-reply';

export interface CampaignSendCountDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
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
  const out = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: { pk: conversationPk(request.data.conversationKey), sk: messageSk(request.data.outboundId) },
      ConsistentRead: true,
      ...campaignMessageProjection(),
    }),
  );
  return countCampaignMessage(out.Item, {
    counter: deps.counter,
    ...(deps.recipients ? { recipients: deps.recipients } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
}
