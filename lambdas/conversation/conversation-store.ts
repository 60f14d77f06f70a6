import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, cancelledOnlyByConditions, conditionalWrite } from '#lambdas/adapters/dynamodb';
import type { ReplyKind } from '#lambdas/agent/compose-reply';
import { stateTransition, type ConversationState } from '#lambdas/agent/conversation-state';
import type { ReplyLanguage } from '#lambdas/agent/detect-language';
import type { Channel } from '#lambdas/conversation/model';
import { CONVERSATION_SK, conversationPk, messageSk, messageTimeSk } from '#lambdas/conversation/table-keys';
import type { OutboundMessageItem } from '#lambdas/outbound/outbound-message';

/**
 * The Conversation item (`CONV#<key>` / `CONV`): created and counted by the normalizer with each
 * message (message-store.ts), moved between the bot, people and closed, and carrying the agent's
 * reply bookkeeping. `pendingReplyId`/`pendingReplyThroughSk` mark a reply that is written but
 * whose request may not be published yet.
 */
export interface ConversationItem {
  pk?: string;
  sk?: string;
  entity?: 'Conversation';
  conversationKey?: string;
  state?: ConversationState;
  channel: Channel;
  accountId: string;
  businessAccountId?: string;
  customerId: string;
  customerName?: string;
  createdAt?: string;
  updatedAt?: string;
  version?: number;
  inboundCount?: number;
  outboundCount?: number;
  importedCount?: number;
  lastInboundAt?: string;
  lastInboundMessageId?: string;
  lastOutboundAt?: string;
  lastOutboundMessageId?: string;
  answeredThroughSk?: string;
  /** Set when a person (close, hand-back) marked `answeredThroughSk`; see agent/unanswered-messages.ts. */
  answeredAt?: string;
  pendingReplyId?: string;
  pendingReplyThroughSk?: string;
  language?: ReplyLanguage;
  /** The reply whose claim also handed the conversation to a person (its event is published with it). */
  handoffOutboundId?: string;
  handoffReason?: string;
  /** The reply that confirmed an opt-out or opt-in (its `consent.withdrawn` / `consent.given` event is published with it). */
  consentOutboundId?: string;
  consentEvidenceMessageId?: string;
  consentStatus?: 'opted_in' | 'opted_out';
  /** Set while a person writing from the business app or inbox keeps the bot quiet. */
  humanQuietUntil?: string;
  csatRequestedAt?: string;
  csatScore?: number;
  /** What the bot's last reply asked for (see agent/compose-reply.ts ConversationMemory). */
  awaitingField?: 'order_id';
  capturedOrderId?: string;
  /** The bot has offered another language once (agent/compose-reply.ts): it does not ask again. */
  languageAsked?: boolean;
  lastFaqId?: string;
  lastReplyKind?: ReplyKind;
}

/** Which of the conversation's "last" times a message moves: the customer's (inbound) or the business's. */
export type ActivitySide = 'inbound' | 'outbound';

/** The `(time, message id)` attribute pair each side moves. */
export const ACTIVITY_FIELDS = {
  inbound: ['lastInboundAt', 'lastInboundMessageId'],
  outbound: ['lastOutboundAt', 'lastOutboundMessageId'],
} as const satisfies Record<ActivitySide, readonly [string, string]>;

/** A consent decision the reply confirms: marked on the conversation, and kept as its own ConsentChange record. */
export interface ReplyConsent {
  status: 'opted_in' | 'opted_out';
  /** When the customer said it (the evidence message's time). */
  changedAt: string;
  evidenceMessageId: string;
  evidenceKind: string;
  /** What the customer wrote or tapped: the proof of the decision, kept with it. */
  evidenceText: string;
  scope: 'promotional';
  recordedAt: string;
}

/** The reply hands the conversation to a person. */
export interface ReplyHandoff {
  reason: string;
  summary: string;
  priority: boolean;
  at: string;
}

/** The conversation's memory after the reply (agent/compose-reply.ts ConversationMemory): what is absent is removed. */
export interface ReplyMemory {
  lastReplyKind: string;
  awaiting?: string;
  lastFaqId?: string;
  languageAsked?: boolean;
  capturedOrderId?: string;
}

/** The reply item without its keys: the store keys it by conversation and outbound id. */
export type ReplyMessage = Omit<OutboundMessageItem, 'pk' | 'sk' | 'lsi1sk'>;

/**
 * Step (a) of a reply (agent/answer-conversation.ts): the reply item and the claim on the
 * conversation, with what the reply changes besides itself, in one transaction.
 */
export interface ReplyClaim {
  conversationKey: string;
  accountId: string;
  channel: Channel;
  customerId: string;
  reply: ReplyMessage;
  /** The latest message the reply answers (its time-ordered key). */
  throughSk: string;
  expectedState: 'bot' | 'closed';
  /** `answeredThroughSk` as read: the claim holds only if nobody answered since. */
  seenAnsweredThroughSk: string | undefined;
  consent?: ReplyConsent;
  handoff?: ReplyHandoff;
  memory?: ReplyMemory;
  csat?: { score: number; answeredAt: string; messageId: string };
}

export type ClaimOutcome = 'claimed' | 'reply_exists' | 'conversation_changed';

/** A person at the business wrote: the bot is quiet until `quietUntil`; `startHandoff` when it still held the conversation. */
export interface PersonActivity {
  conversationKey: string;
  accountId: string;
  quietUntil: string;
  /** When the person wrote. */
  activityAt: string;
  startHandoff: boolean;
  reason: string;
  at: string;
}

/** A business without a bot: the conversation goes to its people, while still as read. */
export interface HandoverWithoutBot {
  conversationKey: string;
  accountId: string;
  seenState: string;
  reason: string;
  summary: string;
  at: string;
}

/** The Conversation item's reads and conditional transitions. */
export interface ConversationStore {
  /** The conversation as it is now (a consistent read), or undefined when there is none. */
  conversation(conversationKey: string): Promise<ConversationItem | undefined>;
  /** The conversation's last activity time on one side (a consistent read of that attribute only). */
  lastActivityAt(conversationKey: string, side: ActivitySide): Promise<string | undefined>;
  /**
   * Moves the last activity of one side to a message, only forward and only on an existing
   * conversation. False when refused.
   */
  advanceLastActivity(conversationKey: string, side: ActivitySide, at: string, messageId: string): Promise<boolean>;
  /** Writes the reply and claims the conversation for it, on condition that nobody answered or claimed since it was read. */
  claimReply(claim: ReplyClaim): Promise<ClaimOutcome>;
  /**
   * Steps (c): the answered mark moves to `throughSk` and the claim is released; when someone else
   * finished it or the mark is already past it, only the claim (if still ours) is released.
   */
  finishReply(conversationKey: string, outboundId: string, throughSk: string, at: string): Promise<void>;
  /**
   * Nothing to say to a burst: the answered mark moves past it, on the claim's conditions (still the
   * bot's, nobody answered or claimed since `seenAnsweredThroughSk`). False when refused.
   */
  markAnsweredSilently(
    conversationKey: string,
    seenAnsweredThroughSk: string | undefined,
    throughSk: string,
    memory: { lastReplyKind: string; language: string },
  ): Promise<boolean>;
  /** A closed conversation goes back to the bot, unless it is no longer closed or a reply is being finished. */
  reopenForBot(conversationKey: string, accountId: string, at: string): Promise<boolean>;
  /**
   * A person's message keeps the bot quiet until `quietUntil` (never shortening a longer quiet), and
   * moves the conversation to people when `startHandoff`. False when refused.
   */
  quietForPerson(activity: PersonActivity): Promise<boolean>;
  /** A person's message answers what came before it: the answered mark moves forward to it, unless a reply is being finished. */
  markAnsweredByPerson(conversationKey: string, occurredAt: string, providerMessageId: string): Promise<boolean>;
  /** The quiet period is over: back to the bot, unless it was extended or taken over since `seenQuietUntil`. */
  endQuietPeriod(conversationKey: string, accountId: string, seenQuietUntil: string, at: string): Promise<boolean>;
  /** No bot on the account: the conversation goes to people, while still in `seenState` with no reply being finished. */
  handOverWithoutBot(handover: HandoverWithoutBot): Promise<boolean>;
}

export function createConversationStore(db: DynamoDBDocumentClient, tableName: string): ConversationStore {
  const Key = (conversationKey: string) => ({ pk: conversationPk(conversationKey), sk: CONVERSATION_SK });
  const update = (input: Omit<UpdateCommandInput, 'TableName'>) => conditionalWrite(db.send(new UpdateCommand({ TableName: tableName, ...input })));
  return {
    async conversation(conversationKey) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: Key(conversationKey), ConsistentRead: true }));
      return out.Item as ConversationItem | undefined;
    },

    async lastActivityAt(conversationKey, side) {
      const [atField] = ACTIVITY_FIELDS[side];
      const out = await db.send(
        new GetCommand({
          TableName: tableName,
          Key: Key(conversationKey),
          ProjectionExpression: '#at',
          ExpressionAttributeNames: { '#at': atField },
          ConsistentRead: true,
        }),
      );
      const at = out.Item?.[atField];
      return typeof at === 'string' ? at : undefined;
    },

    advanceLastActivity(conversationKey, side, at, messageId) {
      const [atField, idField] = ACTIVITY_FIELDS[side];
      return update({
        Key: Key(conversationKey),
        UpdateExpression: `SET ${atField} = :at, ${idField} = :id`,
        ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(${atField}) OR ${atField} < :at)`,
        ExpressionAttributeValues: { ':at': at, ':id': messageId },
      });
    },

    async claimReply(claim) {
      const { conversationKey: key, reply } = claim;
      const seen = claim.seenAnsweredThroughSk;
      const effects = claimEffects(claim);
      const set = ['pendingReplyId = :id', 'pendingReplyThroughSk = :through', '#language = :language', ...effects.set];
      const item: OutboundMessageItem = {
        ...reply,
        pk: conversationPk(key),
        sk: messageSk(reply.messageId),
        lsi1sk: messageTimeSk(reply.occurredAt, reply.messageId),
      };
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Update: {
                  TableName: tableName,
                  Key: Key(key),
                  UpdateExpression:
                    `SET ${set.join(', ')}` +
                    (effects.remove.length > 0 ? ` REMOVE ${effects.remove.join(', ')}` : '') +
                    (effects.add.length > 0 ? ` ADD ${effects.add.join(', ')}` : ''),
                  ConditionExpression:
                    '#state = :expectedState AND attribute_not_exists(pendingReplyId) AND ' +
                    (seen === undefined ? 'attribute_not_exists(answeredThroughSk)' : 'answeredThroughSk = :seen'),
                  ExpressionAttributeNames: { '#state': 'state', '#language': 'language', ...effects.names },
                  ExpressionAttributeValues: {
                    ':id': item.messageId,
                    ':through': claim.throughSk,
                    ':language': item.language,
                    ':expectedState': claim.expectedState,
                    ...(seen === undefined ? {} : { ':seen': seen }),
                    ...effects.values,
                  },
                },
              },
              ...effects.extraItems.map((Item) => ({ Put: { TableName: tableName, Item } })),
            ],
          }),
        );
        return 'claimed';
      } catch (err) {
        if (!cancelledOnlyByConditions(err)) throw err;
        const [replyCode, conversationCode] = cancellationCodes(err);
        if (conversationCode === 'ConditionalCheckFailed') return 'conversation_changed';
        if (replyCode === 'ConditionalCheckFailed') return 'reply_exists';
        throw err;
      }
    },

    async finishReply(conversationKey, outboundId, throughSk, at) {
      const finished = await update({
        Key: Key(conversationKey),
        UpdateExpression: 'SET answeredThroughSk = :through, lastAgentReplyAt = :now REMOVE pendingReplyId, pendingReplyThroughSk, answeredAt',
        ConditionExpression:
          '(attribute_not_exists(pendingReplyId) OR pendingReplyId = :id) AND ' + '(attribute_not_exists(answeredThroughSk) OR answeredThroughSk < :through)',
        ExpressionAttributeValues: { ':id': outboundId, ':through': throughSk, ':now': at },
      });
      if (finished) return;
      // Someone else finished it, or the mark is already past it: only make sure our claim is gone.
      await update({
        Key: Key(conversationKey),
        UpdateExpression: 'REMOVE pendingReplyId, pendingReplyThroughSk',
        ConditionExpression: 'pendingReplyId = :id',
        ExpressionAttributeValues: { ':id': outboundId },
      });
    },

    markAnsweredSilently(conversationKey, seen, throughSk, memory) {
      return update({
        Key: Key(conversationKey),
        UpdateExpression: 'SET answeredThroughSk = :through, lastReplyKind = :kind, #language = :language REMOVE answeredAt',
        ConditionExpression:
          '#state = :bot AND attribute_not_exists(pendingReplyId) AND ' +
          (seen === undefined ? 'attribute_not_exists(answeredThroughSk)' : 'answeredThroughSk = :seen'),
        ExpressionAttributeNames: { '#state': 'state', '#language': 'language' },
        ExpressionAttributeValues: {
          ':through': throughSk,
          ':kind': memory.lastReplyKind,
          ':language': memory.language,
          ':bot': 'bot',
          ...(seen === undefined ? {} : { ':seen': seen }),
        },
      });
    },

    reopenForBot(conversationKey, accountId, at) {
      const transition = stateTransition('bot', accountId, conversationKey, at);
      return update({
        Key: Key(conversationKey),
        UpdateExpression: `SET ${transition.set.join(', ')}, reopenedAt = :stateAt ADD version :one`,
        ConditionExpression: '#state = :closed AND attribute_not_exists(pendingReplyId)',
        ExpressionAttributeNames: transition.names,
        ExpressionAttributeValues: { ...transition.values, ':closed': 'closed', ':one': 1 },
      });
    },

    quietForPerson(activity) {
      const { startHandoff } = activity;
      const transition = stateTransition('human', activity.accountId, activity.conversationKey, activity.at);
      return update({
        Key: Key(activity.conversationKey),
        UpdateExpression:
          `SET humanQuietUntil = :until, ${startHandoff ? `${transition.set.join(', ')}, handoffReason = :reason, handoffRequestedAt = :stateAt, ` : ''}` +
          'lastHumanActivityAt = :activity ADD version :one',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(humanQuietUntil) OR humanQuietUntil < :until) AND ' +
          (startHandoff ? '#state <> :human' : '#state = :human'),
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':until': activity.quietUntil,
          ':activity': activity.activityAt,
          ':human': 'human',
          ':one': 1,
          ...(startHandoff ? { ...transition.values, ':reason': activity.reason } : {}),
        },
      });
    },

    markAnsweredByPerson(conversationKey, occurredAt, providerMessageId) {
      return update({
        Key: Key(conversationKey),
        UpdateExpression: 'SET answeredThroughSk = :through',
        ConditionExpression:
          'attribute_exists(pk) AND attribute_not_exists(pendingReplyId) AND ' + '(attribute_not_exists(answeredThroughSk) OR answeredThroughSk < :through)',
        ExpressionAttributeValues: { ':through': messageTimeSk(occurredAt, providerMessageId) },
      });
    },

    endQuietPeriod(conversationKey, accountId, seenQuietUntil, at) {
      const transition = stateTransition('bot', accountId, conversationKey, at);
      return update({
        Key: Key(conversationKey),
        UpdateExpression: `SET ${transition.set.join(', ')} REMOVE humanQuietUntil ADD version :one`,
        ConditionExpression: '#state = :human AND humanQuietUntil = :seen',
        ExpressionAttributeNames: transition.names,
        ExpressionAttributeValues: { ...transition.values, ':human': 'human', ':seen': seenQuietUntil, ':one': 1 },
      });
    },

    handOverWithoutBot(handover) {
      const transition = stateTransition('human', handover.accountId, handover.conversationKey, handover.at);
      const reopened = handover.seenState === 'closed' ? ', reopenedAt = :stateAt' : '';
      return update({
        Key: Key(handover.conversationKey),
        UpdateExpression:
          `SET ${transition.set.join(', ')}, handoffReason = :reason, handoffSummary = :summary, handoffRequestedAt = :stateAt${reopened} ` +
          'ADD version :one',
        ConditionExpression: '#state = :seenState AND attribute_not_exists(pendingReplyId)',
        ExpressionAttributeNames: transition.names,
        ExpressionAttributeValues: {
          ...transition.values,
          ':reason': handover.reason,
          ':summary': handover.summary,
          ':seenState': handover.seenState,
          ':one': 1,
        },
      });
    },
  };
}

/** The claim's update clauses for what the reply changes besides itself. */
interface ClaimEffects {
  set: string[];
  add: string[];
  remove: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
  extraItems: Array<Record<string, unknown>>;
}

/**
 * An opt-out or opt-in writes a consent record and marks the conversation; a handoff moves the
 * conversation to the human queue with its reason and summary; the reply's memory and a
 * satisfaction score are kept. All ride in the claim transaction, so they happen exactly when the
 * reply that announces them does.
 */
function claimEffects(claim: ReplyClaim): ClaimEffects {
  const key = claim.conversationKey;
  const effects: ClaimEffects = { set: [], add: [], remove: [], names: {}, values: {}, extraItems: [] };
  const { consent, handoff, memory, csat } = claim;
  if (consent) {
    effects.set.push('consentStatus = :consentStatus', 'consentChangedAt = :consentAt', 'consentEvidenceMessageId = :evidence', 'consentOutboundId = :id');
    effects.values[':consentStatus'] = consent.status;
    effects.values[':consentAt'] = consent.changedAt;
    effects.values[':evidence'] = consent.evidenceMessageId;
    effects.extraItems.push({
      pk: conversationPk(key),
      sk: `CONSENT#${consent.changedAt}#${consent.evidenceMessageId}`,
      entity: 'ConsentChange',
      conversationKey: key,
      channel: claim.channel,
      accountId: claim.accountId,
      customerId: claim.customerId,
      consent: consent.status,
      scope: consent.scope,
      evidenceMessageId: consent.evidenceMessageId,
      evidenceKind: consent.evidenceKind,
      evidenceText: consent.evidenceText,
      occurredAt: consent.changedAt,
      recordedAt: consent.recordedAt,
      // No expiresAt: proof of a consent decision must outlive the conversation's retention.
    });
  }
  if (handoff) {
    const transition = stateTransition('human', claim.accountId, key, handoff.at);
    effects.set.push(
      ...transition.set,
      'handoffReason = :handoffReason',
      'handoffSummary = :handoffSummary',
      'handoffRequestedAt = :handoffAt',
      'handoffOutboundId = :id',
      'handoffPriority = :handoffPriority',
    );
    effects.add.push('version :one');
    effects.names = { ...effects.names, ...transition.names };
    Object.assign(effects.values, transition.values, {
      ':handoffReason': handoff.reason,
      ':handoffSummary': handoff.summary,
      ':handoffAt': handoff.at,
      ':handoffPriority': handoff.priority,
      ':one': 1,
    });
  }
  if (memory) {
    effects.set.push('lastReplyKind = :lastReplyKind');
    effects.values[':lastReplyKind'] = memory.lastReplyKind;
    if (memory.awaiting) {
      effects.set.push('awaitingField = :awaiting');
      effects.values[':awaiting'] = memory.awaiting;
    } else effects.remove.push('awaitingField');
    if (memory.lastFaqId) {
      effects.set.push('lastFaqId = :lastFaqId');
      effects.values[':lastFaqId'] = memory.lastFaqId;
    } else effects.remove.push('lastFaqId');
    if (memory.languageAsked) {
      effects.set.push('languageAsked = :languageAsked');
      effects.values[':languageAsked'] = true;
    }
    if (memory.capturedOrderId) {
      effects.set.push('capturedOrderId = :capturedOrderId');
      effects.values[':capturedOrderId'] = memory.capturedOrderId;
    }
  }
  if (csat) {
    effects.set.push('csatScore = :csatScore', 'csatAnsweredAt = :csatAt', 'csatMessageId = :csatMessage');
    Object.assign(effects.values, { ':csatScore': csat.score, ':csatAt': csat.answeredAt, ':csatMessage': csat.messageId });
  }
  return effects;
}
