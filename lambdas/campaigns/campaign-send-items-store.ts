import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, isConditionalCheckFailed, type DocumentClient } from '#lambdas/adapters/dynamodb';
import type { LastCampaign } from '#lambdas/campaigns/campaign-counts';
import { campaignMessageId } from '#lambdas/campaigns/campaign-keys';
import { STALE_CLAIM_MS, type CampaignMessages, type CampaignOutbox } from '#lambdas/campaigns/campaign-send-items';
import { checkCampaignVariables } from '#lambdas/campaigns/campaign-variables';
import { conversationKey as conversationKeyOf } from '#lambdas/conversation/conversation-key';
import { CONVERSATION_SK, conversationPk, expiresAt, messageSk, messageTimeSk } from '#lambdas/conversation/table-keys';
import type { OutboundMessageItem } from '#lambdas/outbound/outbound-message';
import { CUSTOMER_SERVICE_WINDOW_MS } from '#lambdas/outbound/send-rules';

/**
 * The campaign's send items on the table (campaign-send-items.ts describes them): the outbound
 * Message item a release writes for a recipient with the conversation's `lastCampaign`, and the
 * release check's reads and stale-claim release of those Message items.
 */
export interface DynamoOutboxDeps {
  db: DocumentClient;
  tableName: string;
  /** Days the Message item (customer data) is kept, as every other message. */
  retentionDays: number;
}

export function dynamoCampaignOutbox(deps: DynamoOutboxDeps): CampaignOutbox {
  const { db, tableName } = deps;
  return {
    async prepare(input) {
      // Checked when the list was built; only a template edited since then fails here.
      const checked = checkCampaignVariables(input.template, input.recipient.variables, input.campaign.template.headerMediaLink);
      if (!checked.ok) return { ok: false, reason: 'invalid_variables', detail: checked.parameter ?? 'template' };
      const components = checked.components;
      const { campaign, recipient } = input;
      const key = conversationKeyOf('whatsapp', campaign.accountId, recipient.waId);
      const outboundId = campaignMessageId(campaign.campaignId, recipient.waId);
      const at = input.at.toISOString();
      const item: OutboundMessageItem & { campaignId: string; campaignBusinessId: string; campaignSeq: number } = {
        pk: conversationPk(key),
        sk: messageSk(outboundId),
        lsi1sk: messageTimeSk(at, outboundId),
        entity: 'Message',
        messageId: outboundId,
        conversationKey: key,
        channel: 'whatsapp',
        accountId: campaign.accountId,
        businessAccountId: input.wabaId,
        customerId: recipient.waId,
        recipientId: recipient.waId,
        direction: 'outbound',
        origin: 'campaign',
        type: 'template',
        template: { name: input.template.name, language: input.template.language, category: input.category, ...(components.length > 0 ? { components } : {}) },
        language: input.template.language,
        replyKind: 'campaign',
        replyToMessageIds: [],
        status: 'pending',
        occurredAt: at,
        createdAt: at,
        expiresAt: expiresAt(at, deps.retentionDays),
        campaignId: campaign.campaignId,
        campaignBusinessId: campaign.businessId,
        campaignSeq: recipient.seq,
      };
      // Refused when written by an earlier attempt of this release: the same message, sent at most once.
      await conditionalWrite(db.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })));
      const lastCampaign: LastCampaign = { businessId: campaign.businessId, campaignId: campaign.campaignId, at };
      let countsAgainstLimit = true;
      try {
        const out = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: conversationPk(key), sk: CONVERSATION_SK },
            // A conversation created here is a complete one (the normalizer fills the rest in when
            // the customer writes) but stays out of the state lists until then.
            UpdateExpression:
              'SET entity = if_not_exists(entity, :entity), conversationKey = :key, channel = :channel, accountId = :account, ' +
              'businessAccountId = if_not_exists(businessAccountId, :waba), customerId = if_not_exists(customerId, :customer), ' +
              'createdAt = if_not_exists(createdAt, :at), updatedAt = :at, expiresAt = if_not_exists(expiresAt, :ttl), lastCampaign = :lastCampaign',
            // Set once per campaign: a repeated release keeps the reply or opt-out already counted.
            ConditionExpression: 'attribute_not_exists(lastCampaign) OR lastCampaign.campaignId <> :campaign OR lastCampaign.businessId <> :business',
            ExpressionAttributeValues: {
              ':entity': 'Conversation',
              ':key': key,
              ':channel': 'whatsapp',
              ':account': campaign.accountId,
              ':waba': input.wabaId,
              ':customer': recipient.waId,
              ':at': at,
              ':ttl': item.expiresAt,
              ':lastCampaign': lastCampaign,
              ':campaign': campaign.campaignId,
              ':business': campaign.businessId,
            },
            ReturnValues: 'ALL_OLD',
          }),
        );
        const lastInbound = typeof out.Attributes?.lastInboundAt === 'string' ? Date.parse(out.Attributes.lastInboundAt) : Number.NaN;
        countsAgainstLimit = !(Number.isFinite(lastInbound) && input.at.getTime() - lastInbound <= CUSTOMER_SERVICE_WINDOW_MS);
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
        // Already prepared by an earlier attempt; counted against the limit again (erring on the safe side).
      }
      return { ok: true, send: { conversationKey: key, outboundId, accountId: campaign.accountId, countsAgainstLimit } };
    },
  };
}

export function dynamoCampaignMessages(deps: { db: DocumentClient; tableName: string; staleClaimMs?: number }): CampaignMessages {
  const staleMs = deps.staleClaimMs ?? STALE_CLAIM_MS;
  const read = async (conversationKey: string, outboundId: string) =>
    (
      await deps.db.send(
        new GetCommand({
          TableName: deps.tableName,
          Key: { pk: conversationPk(conversationKey), sk: messageSk(outboundId) },
          ProjectionExpression: '#status, sendingAt, providerMessageId',
          ExpressionAttributeNames: { '#status': 'status' },
          ConsistentRead: true,
        }),
      )
    ).Item as { status?: string; sendingAt?: string; providerMessageId?: string } | undefined;
  return {
    async standing(conversationKey, outboundId, now) {
      const item = await read(conversationKey, outboundId);
      if (!item) return 'missing';
      if (item.status === 'pending') return 'pending';
      if (item.status !== 'sending') return 'done';
      const claimed = item.sendingAt ? Date.parse(item.sendingAt) : Number.NaN;
      return item.providerMessageId === undefined && Number.isFinite(claimed) && now.getTime() - claimed > staleMs ? 'stale_claim' : 'sending';
    },
    async releaseStaleClaim(conversationKey, outboundId, now) {
      const item = await read(conversationKey, outboundId);
      if (item?.status !== 'sending' || item.providerMessageId !== undefined || !item.sendingAt) return false;
      if (now.getTime() - Date.parse(item.sendingAt) <= staleMs) return false;
      return conditionalWrite(
        deps.db.send(
          new UpdateCommand({
            TableName: deps.tableName,
            Key: { pk: conversationPk(conversationKey), sk: messageSk(outboundId) },
            // `releasedByWatchAt` lets a late receipt of that very send still complete it (status/complete-interrupted-send.ts).
            UpdateExpression: 'SET #status = :pending, sendOutcomeUnknownAt = :now, releasedByWatchAt = :now',
            ConditionExpression: '#status = :sending AND sendingAt = :claimedAt AND attribute_not_exists(providerMessageId)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pending': 'pending', ':sending': 'sending', ':claimedAt': item.sendingAt, ':now': now.toISOString() },
          }),
        ),
      );
    },
  };
}
