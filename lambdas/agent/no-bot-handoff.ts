import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { handoffRequestedEvent, handoffSummary, stateTransition } from '#lambdas/agent/conversation-state';
import { detectLanguage, type ReplyLanguage } from '#lambdas/agent/detect-language';
import type { Channel } from '#lambdas/conversation/model';
import { CONVERSATION_SK, conversationPk } from '#lambdas/conversation/table-keys';
import { EVENT_SOURCE } from '#lambdas/shared/event-contract';

/** The business owning the account has no bot settings (or the account is not in the registry). */
export const NO_BOT_CONFIGURED = 'no_bot_configured';

export interface NoBotHandoffDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  publisher: EventPublisher;
}

export interface NoBotConversation {
  state?: string;
  channel: Channel;
  accountId: string;
  language?: ReplyLanguage;
}

/**
 * A customer wrote to a business that has no bot: nothing is sent in the business's name (no other
 * business's words either); the conversation goes straight to the business's people with the
 * reason `no_bot_configured`. What the customer wrote stays unanswered for the person to answer.
 *
 * As for a person's takeover (human-activity.ts), the event is published before the write: a crash
 * in between repeats the event (consumers are idempotent) rather than lose it. The write only
 * happens while the conversation is still as read (`bot` or `closed`, no reply being finished);
 * `false` means it changed meanwhile and the caller reads it again.
 */
export async function handOverWithoutBot(
  key: string,
  conversation: NoBotConversation,
  customerTexts: readonly string[],
  now: Date,
  deps: NoBotHandoffDeps,
): Promise<boolean> {
  const at = now.toISOString();
  await deps.publisher.publish([
    handoffRequestedEvent(EVENT_SOURCE.agent, {
      conversationKey: key,
      channel: conversation.channel,
      accountId: conversation.accountId,
      reason: NO_BOT_CONFIGURED,
      requestedAt: at,
    }),
  ]);
  const language = detectLanguage(customerTexts.join(' '), conversation.language ?? 'en');
  const transition = stateTransition('human', conversation.accountId, key, at);
  const reopened = conversation.state === 'closed' ? ', reopenedAt = :stateAt' : '';
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: { pk: conversationPk(key), sk: CONVERSATION_SK },
        UpdateExpression:
          `SET ${transition.set.join(', ')}, handoffReason = :reason, handoffSummary = :summary, handoffRequestedAt = :stateAt${reopened} ` +
          'ADD version :one',
        ConditionExpression: '#state = :seenState AND attribute_not_exists(pendingReplyId)',
        ExpressionAttributeNames: transition.names,
        ExpressionAttributeValues: {
          ...transition.values,
          ':reason': NO_BOT_CONFIGURED,
          ':summary': handoffSummary(NO_BOT_CONFIGURED, language, customerTexts),
          ':seenState': conversation.state ?? 'bot',
          ':one': 1,
        },
      }),
    );
    return true;
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    return false;
  }
}
