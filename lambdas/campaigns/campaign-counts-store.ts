import { BatchGetCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { cancelledOnlyByConditions, conditionalWrite, type DocumentClient } from '#lambdas/adapters/dynamodb';
import {
  CAMPAIGN_MESSAGE_ATTRIBUTES,
  COUNT_SHARD_SK,
  COUNT_SHARDS,
  campaignMessageOf,
  countShardPk,
  countsDue,
  failureKey,
  shardOf,
  sumShards,
  type CampaignCounter,
  type LastCampaign,
  type MessageCount,
  type ShardTotals,
} from '#lambdas/campaigns/campaign-counts';
import { campaignSk, campaignsPk } from '#lambdas/campaigns/campaign-keys';
import { CONVERSATION_SK, conversationPk, messageSk } from '#lambdas/conversation/table-keys';

/**
 * A campaign's counts on the table (the design is described in campaign-counts.ts): each count one
 * transaction of the anchor's conditional mark (the Message item's `campaignCounted`, the
 * conversation's `lastCampaign.replied` / `lastCampaign.optedOut`) and an ADD on a counter shard;
 * the roll-up of the shards' sums onto the campaign item.
 */
const RETRIES = 4;

export function dynamoCampaignCounts(deps: { db: DocumentClient; tableName: string; shards?: number; now?: () => Date }): CampaignCounter {
  const { db, tableName } = deps;
  const shards = deps.shards ?? COUNT_SHARDS;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();

  /** The shard's side of a count transaction: ADDs, and the item's identity on first use. */
  function shardUpdate(businessId: string, campaignId: string, anchor: string, adds: Record<string, number>, errorKey?: string) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':entity': 'CampaignCountShard', ':business': businessId, ':campaign': campaignId };
    const addClauses = Object.entries(adds).map(([name, n], i) => {
      names[`#a${i}`] = name;
      values[`:a${i}`] = n;
      return `#a${i} :a${i}`;
    });
    // A failure's code counts in its own attribute (`fail_<code>`): a nested map would have to exist
    // before an ADD into it, which a first write cannot promise.
    if (errorKey !== undefined) {
      names['#err'] = `fail_${errorKey}`;
      values[':one'] = 1;
      addClauses.push('#err :one');
    }
    return {
      TableName: tableName,
      Key: { pk: countShardPk(businessId, campaignId, shardOf(anchor, shards)), sk: COUNT_SHARD_SK },
      UpdateExpression: `SET entity = :entity, businessId = :business, campaignId = :campaign ADD ${addClauses.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }

  return {
    async countMessage(message) {
      let due = countsDue(message);
      const made: MessageCount[] = [];
      for (let attempt = 0; attempt < RETRIES && due.length > 0; attempt++) {
        const marks = Object.fromEntries(due.map((c, i) => [`:c${i}`, c]));
        try {
          await db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: tableName,
                    Key: { pk: message.pk, sk: message.sk },
                    UpdateExpression: 'ADD campaignCounted :marks',
                    // None of these counted yet: a concurrent or repeated count of the same news refuses.
                    ConditionExpression: ['attribute_exists(pk)', ...due.map((_, i) => `NOT contains(campaignCounted, :c${i})`)].join(' AND '),
                    ExpressionAttributeValues: { ':marks': new Set(due), ...marks },
                  },
                },
                {
                  Update: shardUpdate(
                    message.campaignBusinessId,
                    message.campaignId,
                    message.sk,
                    Object.fromEntries(due.map((c) => [c, 1])),
                    due.includes('failed') ? failureKey(message) : undefined,
                  ),
                },
              ],
            }),
          );
          made.push(...due);
          return made;
        } catch (err) {
          if (!cancelledOnlyByConditions(err)) throw err;
        }
        // Someone counted part of it meanwhile: count what is still missing.
        const out = await db.send(
          new GetCommand({ TableName: tableName, Key: { pk: message.pk, sk: message.sk }, ConsistentRead: true, ...campaignMessageProjection() }),
        );
        const current = campaignMessageOf(out.Item);
        if (!current) return made;
        due = countsDue(current);
      }
      return made;
    },

    async countReleaseFailure(businessId, campaignId, reason, anchor) {
      await db.send(new UpdateCommand(shardUpdate(businessId, campaignId, anchor, { failed: 1 }, failureKey({ failureReason: reason }))));
      return true;
    },

    async countReply(conversationKey, lastCampaign) {
      return countOnConversation(conversationKey, lastCampaign, 'replied');
    },

    async countOptOut(conversationKey, lastCampaign) {
      return countOnConversation(conversationKey, lastCampaign, 'optedOut');
    },

    async totals(businessId, campaignId) {
      return readTotals(businessId, campaignId);
    },

    async rollUp(businessId, campaignId, released) {
      const totals = await readTotals(businessId, campaignId);
      // Monotonic: every count and `released` only grow, so their sum orders roll-ups; an older
      // roll-up finishing late cannot overwrite a newer one.
      const weight = totals.sent + totals.delivered + totals.read + totals.failed + totals.replied + totals.optedOut + Math.max(0, Math.floor(released));
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: campaignsPk(businessId), sk: campaignSk(campaignId) },
            UpdateExpression:
              'SET #c.#released = :released, #c.#sent = :sent, #c.#delivered = :delivered, #c.#read = :read, #c.#failed = :failed, ' +
              '#c.#failedByError = :byError, #c.#replied = :replied, #c.#optedOut = :optedOut, countsWeight = :w, countsRolledUpAt = :at',
            ConditionExpression: 'attribute_exists(pk) AND attribute_exists(#c) AND (attribute_not_exists(countsWeight) OR countsWeight < :w)',
            ExpressionAttributeNames: {
              '#c': 'counts',
              '#released': 'released',
              '#sent': 'sent',
              '#delivered': 'delivered',
              '#read': 'read',
              '#failed': 'failed',
              '#failedByError': 'failedByError',
              '#replied': 'replied',
              '#optedOut': 'optedOut',
            },
            ExpressionAttributeValues: {
              ':released': Math.max(0, Math.floor(released)),
              ':sent': totals.sent,
              ':delivered': totals.delivered,
              ':read': totals.read,
              ':failed': totals.failed,
              ':byError': totals.failedByError,
              ':replied': totals.replied,
              ':optedOut': totals.optedOut,
              ':w': weight,
              ':at': now(),
            },
          }),
        ),
      );
    },
  };

  async function countOnConversation(conversationKey: string, lastCampaign: LastCampaign, what: 'replied' | 'optedOut'): Promise<boolean> {
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: { pk: conversationPk(conversationKey), sk: CONVERSATION_SK },
                UpdateExpression: 'SET lastCampaign.#what = :yes',
                // The same campaign's message still (a later campaign took over the conversation
                // otherwise), and not counted yet.
                ConditionExpression: 'lastCampaign.campaignId = :campaign AND lastCampaign.businessId = :business AND attribute_not_exists(lastCampaign.#what)',
                ExpressionAttributeNames: { '#what': what },
                ExpressionAttributeValues: { ':yes': true, ':campaign': lastCampaign.campaignId, ':business': lastCampaign.businessId },
              },
            },
            { Update: shardUpdate(lastCampaign.businessId, lastCampaign.campaignId, conversationKey, { [what]: 1 }) },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (cancelledOnlyByConditions(err)) return false;
      throw err;
    }
  }

  async function readTotals(businessId: string, campaignId: string): Promise<ShardTotals> {
    let keys = Array.from({ length: shards }, (_, n) => ({ pk: countShardPk(businessId, campaignId, n), sk: COUNT_SHARD_SK }));
    const items: Array<Record<string, unknown>> = [];
    for (let round = 0; keys.length > 0 && round < 5; round++) {
      const out = await db.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }));
      items.push(...(out.Responses?.[tableName] ?? []));
      keys = (out.UnprocessedKeys?.[tableName]?.Keys as typeof keys | undefined) ?? [];
    }
    if (keys.length > 0) throw new Error('campaign count shards could not be read');
    return sumShards(items);
  }
}

/** Reads the Message item a campaign send made, with the campaign fields countsDue needs. */
export interface CampaignMessageReader {
  campaignMessage(conversationKey: string, messageId: string): Promise<Record<string, unknown> | undefined>;
}

/** One consistent read of the Message item, projected to CAMPAIGN_MESSAGE_ATTRIBUTES. */
export function dynamoCampaignMessageReader(db: DocumentClient, tableName: string): CampaignMessageReader {
  return {
    async campaignMessage(conversationKey, messageId) {
      const out = await db.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: conversationPk(conversationKey), sk: messageSk(messageId) },
          ConsistentRead: true,
          ...campaignMessageProjection(),
        }),
      );
      return out.Item;
    },
  };
}

/** The conversation's `lastCampaign` and customer, read for a reply or opt-out to count. */
export interface ConversationCampaignReader {
  lastCampaignOf(conversationKey: string): Promise<{ lastCampaign?: unknown; customerId?: unknown } | undefined>;
}

export function dynamoConversationCampaignReader(db: DocumentClient, tableName: string): ConversationCampaignReader {
  return {
    async lastCampaignOf(conversationKey) {
      const out = await db.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: conversationPk(conversationKey), sk: CONVERSATION_SK },
          ProjectionExpression: 'lastCampaign, customerId',
        }),
      );
      return out.Item;
    },
  };
}

/**
 * A projection reading CAMPAIGN_MESSAGE_ATTRIBUTES (some are reserved words), for the stores that
 * read a Message item to count it (campaign-counts-store.ts, the status tracking's).
 */
export function campaignMessageProjection(): { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> } {
  return {
    ProjectionExpression: CAMPAIGN_MESSAGE_ATTRIBUTES.map((_, i) => `#p${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(CAMPAIGN_MESSAGE_ATTRIBUTES.map((a, i) => [`#p${i}`, a])),
  };
}
