import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, cancelledOnlyByConditions, conditionalWrite, type DocumentClient } from '#lambdas/adapters/dynamodb';
import { stateTransition } from '#lambdas/agent/conversation-state';
import { latestOutcomeUpdate, type OutcomeBy } from '#lambdas/conversation/conversation-outcome';
import { CONVERSATION_SK, conversationPk, expiresAt, messageSk, messageTimeSk } from '#lambdas/conversation/table-keys';
import type { OutboundMessageItem } from '#lambdas/outbound/outbound-message';
import type { CloseOutcome } from '#lambdas/routing/routing-model';

/**
 * The writes a human agent's actions make: the person's outbound Message (a reply, the CSAT
 * question on close) with the Conversation's change in one transaction, the hand-back to the bot
 * and the mark of what the person has answered.
 *
 *   pk                 sk                                     entity
 *   CONV#<key>         CONV                                   Conversation  (state, version, …)
 *   CONV#<key>         MSG#<outbound id>  (lsi1sk MSG#<at>#<id>) Message     (status pending)
 */

/** A person's outbound message before its keys: the Message item's attributes. */
export type HumanAgentMessage = Omit<OutboundMessageItem, 'pk' | 'sk' | 'lsi1sk' | 'entity' | 'expiresAt'> & {
  agentId?: string;
  macroId?: string;
};

export interface HumanReplyRecord {
  conversationKey: string;
  accountId: string;
  message: HumanAgentMessage;
  agentId: string;
  at: string;
  /** The state the reply was decided on; the conversation must still be in it. */
  seenState: string;
  /** The reply takes the conversation over from the bot: it moves to `human` with this reason. */
  takeOverReason?: string;
}

export interface ConversationClose {
  conversationKey: string;
  accountId: string;
  agentId: string;
  at: string;
  outcome: CloseOutcome;
  /** Why the conversation came to people (conversation-outcome.ts), or `no_handoff`. */
  reason: string;
  by: OutcomeBy;
  /** The state and version the close was decided on; the conversation must still be at them. */
  seenState: string;
  seenVersion: number;
  /** The satisfaction question, written with the close (its id is `csatOutboundId`). */
  csatQuestion?: HumanAgentMessage;
}

export interface HumanAgentStore {
  /**
   * The reply and the conversation's change (assigned agent, reply times, a takeover) in one
   * transaction. `repeated`: the message is already there (the same request again); `changed`:
   * the conversation left the state the reply was decided on.
   */
  recordHumanReply(reply: HumanReplyRecord): Promise<'recorded' | 'repeated' | 'changed'>;
  /**
   * Marks the customer's messages through `throughSk` answered, unless a bot reply is pending or
   * a later mark is there already. False when refused so.
   */
  markAnsweredThrough(conversationKey: string, throughSk: string, at: string): Promise<boolean>;
  /** human → bot. False when the conversation is no longer `human`. */
  handBackToBot(conversationKey: string, accountId: string, agentId: string, at: string): Promise<boolean>;
  /** → closed, with the CSAT question when given. False when the conversation changed meanwhile. */
  closeConversation(close: ConversationClose): Promise<boolean>;
}

export function humanAgentStore(db: DocumentClient, tableName: string, retentionDays: number): HumanAgentStore {
  const messageItem = (message: HumanAgentMessage) => ({
    pk: conversationPk(message.conversationKey),
    sk: messageSk(message.messageId),
    lsi1sk: messageTimeSk(message.createdAt, message.messageId),
    entity: 'Message' as const,
    ...message,
    expiresAt: expiresAt(message.createdAt, retentionDays),
  });
  const conversationKeyOf = (key: string) => ({ pk: conversationPk(key), sk: CONVERSATION_SK });

  return {
    async recordHumanReply(reply) {
      const transition = stateTransition('human', reply.accountId, reply.conversationKey, reply.at);
      const tookOver = reply.takeOverReason !== undefined;
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: messageItem(reply.message), ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Update: {
                  TableName: tableName,
                  Key: conversationKeyOf(reply.conversationKey),
                  UpdateExpression:
                    'SET assignedAgentId = :agent, lastHumanReplyAt = :at, firstHumanReplyAt = if_not_exists(firstHumanReplyAt, :at)' +
                    (tookOver ? `, ${transition.set.join(', ')}, handoffReason = :reason, handoffRequestedAt = :at` : '') +
                    ' REMOVE humanQuietUntil ADD version :one',
                  ConditionExpression: '#state = :seenState',
                  ExpressionAttributeNames: { '#state': 'state' },
                  ExpressionAttributeValues: {
                    ':agent': reply.agentId,
                    ':at': reply.at,
                    ':one': 1,
                    ':seenState': reply.seenState,
                    ...(tookOver ? { ...transition.values, ':reason': reply.takeOverReason } : {}),
                  },
                },
              },
            ],
          }),
        );
        return 'recorded';
      } catch (err) {
        if (!cancelledOnlyByConditions(err)) throw err;
        const [itemCode] = cancellationCodes(err);
        return itemCode === 'ConditionalCheckFailed' ? 'repeated' : 'changed';
      }
    },

    markAnsweredThrough(conversationKey, throughSk, at) {
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: conversationKeyOf(conversationKey),
            // answeredAt tells a customer message stamped in the same second, but sent after this, apart.
            UpdateExpression: 'SET answeredThroughSk = :through, answeredAt = :at',
            ConditionExpression: 'attribute_not_exists(pendingReplyId) AND (attribute_not_exists(answeredThroughSk) OR answeredThroughSk < :through)',
            ExpressionAttributeValues: { ':through': throughSk, ':at': at },
          }),
        ),
      );
    },

    handBackToBot(conversationKey, accountId, agentId, at) {
      const transition = stateTransition('bot', accountId, conversationKey, at);
      return conditionalWrite(
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: conversationKeyOf(conversationKey),
            UpdateExpression: `SET ${transition.set.join(', ')}, handedBackAt = :stateAt, handedBackBy = :agent REMOVE humanQuietUntil ADD version :one`,
            ConditionExpression: '#state = :human',
            ExpressionAttributeNames: transition.names,
            ExpressionAttributeValues: { ...transition.values, ':human': 'human', ':agent': agentId, ':one': 1 },
          }),
        ),
      );
    },

    async closeConversation(close) {
      const transition = stateTransition('closed', close.accountId, close.conversationKey, close.at);
      const latest = latestOutcomeUpdate(close.outcome, close.reason, close.at, close.by);
      const csatOutboundId = close.csatQuestion?.messageId;
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              ...(close.csatQuestion
                ? [{ Put: { TableName: tableName, Item: messageItem(close.csatQuestion), ConditionExpression: 'attribute_not_exists(pk)' } }]
                : []),
              {
                Update: {
                  TableName: tableName,
                  Key: conversationKeyOf(close.conversationKey),
                  UpdateExpression:
                    `SET ${transition.set.join(', ')}, closedAt = :stateAt, closedBy = :agent, closeOutcome = :outcome, closeReason = :closeReason, ${latest.set.join(', ')}` +
                    (csatOutboundId ? ', csatRequestedAt = :stateAt, csatOutboundId = :csatId' : '') +
                    ' REMOVE humanQuietUntil, csatScore, csatAnsweredAt, csatMessageId ADD version :one',
                  ConditionExpression: '#state = :seenState AND version = :seenVersion',
                  ExpressionAttributeNames: transition.names,
                  ExpressionAttributeValues: {
                    ...transition.values,
                    ...latest.values,
                    ':agent': close.agentId,
                    ':outcome': close.outcome,
                    ':closeReason': close.reason,
                    ':one': 1,
                    ':seenState': close.seenState,
                    ':seenVersion': close.seenVersion,
                    ...(csatOutboundId ? { ':csatId': csatOutboundId } : {}),
                  },
                },
              },
            ],
          }),
        );
        return true;
      } catch (err) {
        if (!cancelledOnlyByConditions(err)) throw err;
        return false;
      }
    },
  };
}
