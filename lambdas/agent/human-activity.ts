import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { handoffRequestedEvent, stateTransition } from '#lambdas/agent/conversation-state';
import type { Channel } from '#lambdas/conversation/model';
import { CONVERSATION_SK, conversationPk, messageSk, messageTimeSk, PROVIDER_ID_SK, providerIdPk } from '#lambdas/conversation/table-keys';
import { EVENT_SOURCE } from '#lambdas/shared/event-contract';

export interface HumanActivityDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  publisher: EventPublisher;
}

export interface BusinessMessage {
  conversationKey: string;
  channel: Channel;
  accountId: string;
  providerMessageId: string;
  occurredAt: string;
}

export type HumanActivityOutcome = { changed: boolean; quietUntil: string; startedHandoff: boolean };

/**
 * A person at the business wrote to the customer (WhatsApp Business App on a coexistence number,
 * or the Instagram/Messenger inbox — our own sends never get here: their echoes are recognised
 * by provider id and not published). The bot steps aside until `quietMinutes` after the person's
 * latest message, and what the customer wrote before it counts as answered by that person.
 *
 * A conversation a human agent took over through the API (no `humanQuietUntil`) is left alone:
 * only the agent's hand-back returns it to the bot.
 */
export async function noteHumanActivity(
  message: BusinessMessage,
  conversation: { state?: string; humanQuietUntil?: string } | undefined,
  quietMinutes: number,
  now: Date,
  deps: HumanActivityDeps,
): Promise<HumanActivityOutcome> {
  const quietUntil = new Date(Date.parse(message.occurredAt) + quietMinutes * 60_000).toISOString();
  if (!conversation || (conversation.state === 'human' && !conversation.humanQuietUntil)) {
    return { changed: false, quietUntil, startedHandoff: false };
  }
  const startedHandoff = conversation.state !== 'human';
  const at = now.toISOString();
  if (startedHandoff) {
    // Published before the write: a crash in between repeats the event (consumers are idempotent) rather than lose it.
    await deps.publisher.publish([
      handoffRequestedEvent(EVENT_SOURCE.agent, {
        conversationKey: message.conversationKey,
        channel: message.channel,
        accountId: message.accountId,
        reason: 'business_replied',
        requestedAt: at,
      }),
    ]);
  }
  const transition = stateTransition('human', message.accountId, message.conversationKey, at);
  const key = { pk: conversationPk(message.conversationKey), sk: CONVERSATION_SK };
  let changed = true;
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: key,
        UpdateExpression:
          `SET humanQuietUntil = :until, ${startedHandoff ? `${transition.set.join(', ')}, handoffReason = :reason, handoffRequestedAt = :stateAt, ` : ''}` +
          'lastHumanActivityAt = :activity ADD version :one',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(humanQuietUntil) OR humanQuietUntil < :until) AND ' +
          (startedHandoff ? '#state <> :human' : '#state = :human'),
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':until': quietUntil,
          ':activity': message.occurredAt,
          ':human': 'human',
          ':one': 1,
          ...(startedHandoff ? { ...transition.values, ':reason': 'business_replied' } : {}),
        },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    changed = false;
  }
  // The person's message answers what came before it, so the bot never answers that later.
  const through = messageTimeSk(message.occurredAt, message.providerMessageId);
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: key,
        UpdateExpression: 'SET answeredThroughSk = :through',
        ConditionExpression:
          'attribute_exists(pk) AND attribute_not_exists(pendingReplyId) AND ' + '(attribute_not_exists(answeredThroughSk) OR answeredThroughSk < :through)',
        ExpressionAttributeValues: { ':through': through },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
  return { changed, quietUntil, startedHandoff: startedHandoff && changed };
}

/**
 * The quiet period after a person's message is over: the conversation returns to the bot, on
 * condition that nobody extended it or took it over meanwhile.
 */
export async function endQuietPeriod(
  conversationKey: string,
  accountId: string,
  seenQuietUntil: string,
  now: Date,
  deps: Pick<HumanActivityDeps, 'db' | 'tableName'>,
): Promise<boolean> {
  const transition = stateTransition('bot', accountId, conversationKey, now.toISOString());
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: { pk: conversationPk(conversationKey), sk: CONVERSATION_SK },
        UpdateExpression: `SET ${transition.set.join(', ')} REMOVE humanQuietUntil ADD version :one`,
        ConditionExpression: '#state = :human AND humanQuietUntil = :seen',
        ExpressionAttributeNames: transition.names,
        ExpressionAttributeValues: { ...transition.values, ':human': 'human', ':seen': seenQuietUntil, ':one': 1 },
      }),
    );
    return true;
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    return false;
  }
}

/** An echo arrived while one of our own sends was in flight: it may be that send's echo. Retryable. */
export class EchoOwnerUnknownError extends Error {
  override name = 'EchoOwnerUnknownError';
  constructor() {
    super('an echo arrived while a send of ours was in flight; retry once the send is recorded');
  }
}

/**
 * Whether an echo is of a message a person sent, not one of ours. The normalizer drops echoes of
 * sends it already knows, but an echo can overtake the sender's bookkeeping: the sender then points
 * the provider id at its own item, which tells us afterwards; while a send is still in flight we
 * cannot tell yet, and ask to be retried.
 */
export async function echoIsFromPerson(message: BusinessMessage, deps: Pick<HumanActivityDeps, 'db' | 'tableName'>): Promise<boolean> {
  const pointer = await deps.db.send(
    new GetCommand({
      TableName: deps.tableName,
      Key: { pk: providerIdPk(message.providerMessageId), sk: PROVIDER_ID_SK },
      ConsistentRead: true,
    }),
  );
  const pointsAt = pointer.Item?.messageSk as string | undefined;
  if (pointsAt !== undefined && pointsAt !== messageSk(message.providerMessageId)) return false;
  const recent = await deps.db.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: 'byTime',
      KeyConditionExpression: 'pk = :pk AND lsi1sk BETWEEN :from AND :to',
      FilterExpression: 'direction = :out AND #status = :sending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pk': conversationPk(message.conversationKey),
        ':from': 'MSG#',
        ':to': 'MSG$',
        ':out': 'outbound',
        ':sending': 'sending',
      },
      ScanIndexForward: false,
      Limit: 20,
      ConsistentRead: true,
    }),
  );
  if ((recent.Items ?? []).length > 0) throw new EchoOwnerUnknownError();
  return true;
}
