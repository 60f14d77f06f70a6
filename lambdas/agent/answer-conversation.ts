import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, cancelledOnlyByConditions, isConditionalCheckFailed } from '#lambdas/adapters/dynamodb';
import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import type { HistoryTurn } from '#lambdas/agent/assistant/assistant-history';
import type { AgentAssistant } from '#lambdas/agent/assistant/claude-assistant';
import {
  composeFlowReply,
  composeOpenAnswer,
  handoffReply,
  joinedText,
  languageOf,
  type ComposeContext,
  type ComposedReply,
  type ConversationMemory,
  type CustomerMessage,
  type ReplyKind,
} from '#lambdas/agent/compose-reply';
import { handoffRequestedEvent, handoffSummary, stateTransition } from '#lambdas/agent/conversation-state';
import type { ReplyLanguage } from '#lambdas/agent/detect-language';
import { csatScoreOf } from '#lambdas/agent/csat';
import { ConversationBusyError } from '#lambdas/agent/errors';
import { echoIsFromPerson, endQuietPeriod, noteHumanActivity } from '#lambdas/agent/human-activity';
import { DEFAULT_HUMAN_QUIET_MINUTES, type BusinessFlows } from '#lambdas/agent/flows/business-flows-schema';
import { isWithinBusinessHours } from '#lambdas/agent/flows/business-hours';
import { messageReceivedDetailSchema } from '#lambdas/agent/message-received-detail';
import { handOverWithoutBot, NO_BOT_CONFIGURED } from '#lambdas/agent/no-bot-handoff';
import { outboundIdFor } from '#lambdas/agent/outbound-id';
import { endDueAt, type EndWatch } from '#lambdas/conversation-end/end-watch';
import { savingQuietMs, type MessageSaving } from '#lambdas/agent/message-saving';
import { DEFAULT_REPLY_QUIET_MS, quietPeriodDecision } from '#lambdas/agent/quiet-period';
import { customerTextOf, unansweredFromSk, unansweredMessages, type StoredMessage } from '#lambdas/agent/unanswered-messages';
import type { BotSettingsSource } from '#lambdas/bot-settings/account-bot-settings';
import type { Channel } from '#lambdas/conversation/model';
import { CONVERSATION_SK, conversationPk, expiresAt, messageSk, messageTimeSk } from '#lambdas/conversation/table-keys';
import type { OutboundMessageItem } from '#lambdas/outbound/outbound-message';
import { replyRequestedEvent } from '#lambdas/outbound/reply-requested';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { WHATSAPP_WINDOW_MS } from '#lambdas/conversation/reply-window';

export interface AgentDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  publisher: EventPublisher;
  /** Retention of the reply items, as for every other operational item. */
  retentionDays: number;
  now?: () => Date;
  /**
   * The bot settings of the business owning the conversation's account. A business without any
   * gets no bot: its customers go to its people, never answered with another business's words.
   */
  botSettings: BotSettingsSource;
  /** Generative answers for open questions; without it the flows and FAQ answer everything. */
  assistant?: AgentAssistant;
  /** The end-of-conversation sweep's watch: each customer message the bot takes moves the conversation's end (conversation-end/). */
  endWatch?: EndWatch;
  /** How long the customer must have been quiet before a burst is answered (quiet-period.ts); 0 answers at once. */
  replyQuietMs?: number;
  /** Whether the business is saving messages (80% of its Meta budget spent; message-saving.ts). Default: never. */
  saving?: MessageSaving;
}

/** How the generative assistant took part in a reply. */
export type AssistantUse = 'answered' | 'handoff' | 'failed';

export type AgentSkipReason =
  | 'not_customer_message'
  | 'own_echo'
  | 'no_conversation'
  | 'not_bot'
  | 'nothing_to_answer'
  /** Only small talk that needs no answer ("ok", 👍 after a thanks): marked answered, nothing sent. */
  | 'nothing_to_say'
  | 'window_closed'
  /** A newer message of the same burst is waiting; its own wake-up answers the burst. */
  | 'newer_message_pending';

export type AgentOutcome =
  | { outcome: 'invalid'; issues: string[] }
  /** A person at the business wrote: the bot is quiet until `quietUntil`. */
  | { outcome: 'human_active'; quietUntil: string; handoff: boolean }
  | { outcome: 'skipped'; reason: AgentSkipReason; resumedOutboundId?: string; saving?: boolean }
  /** No bot answers on the account: the conversation went to the business's people, nothing was sent. */
  | { outcome: 'handed_off'; reason: typeof NO_BOT_CONFIGURED; resumedOutboundId?: string }
  /** The customer may still be writing: wake up again after `waitMs` (quiet-period.ts). */
  | { outcome: 'waiting'; waitMs: number; resumedOutboundId?: string }
  | {
      outcome: 'replied';
      outboundId: string;
      answeredCount: number;
      kind: ReplyKind;
      resumedOutboundId?: string;
      /** Composed while the business saves messages (no optional small talk, no language offer). */
      saving?: boolean;
      handoff?: boolean;
      optOut?: boolean;
      optIn?: boolean;
      assistant?: AssistantUse;
    };

const MAX_ROUNDS = 4;

/**
 * The Conversation attributes the agent reads and writes. `pendingReplyId`/`pendingReplyThroughSk`
 * mark a reply that is written but whose request may not be published yet.
 */
interface ConversationItem {
  state?: string;
  channel: Channel;
  accountId: string;
  businessAccountId?: string;
  customerId: string;
  answeredThroughSk?: string;
  /** Set when a person (close, hand-back) marked `answeredThroughSk`; see unanswered-messages.ts. */
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
  /** What the bot's last reply asked for (see ConversationMemory). */
  awaitingField?: 'order_id';
  capturedOrderId?: string;
  /** The bot has offered another language once (compose-reply.ts): it does not ask again. */
  languageAsked?: boolean;
  lastFaqId?: string;
  lastReplyKind?: ReplyKind;
}

function memoryOf(conversation: ConversationItem): ConversationMemory {
  return {
    ...(conversation.language ? { language: conversation.language } : {}),
    ...(conversation.awaitingField ? { awaiting: conversation.awaitingField } : {}),
    ...(conversation.capturedOrderId ? { capturedOrderId: conversation.capturedOrderId } : {}),
    ...(conversation.languageAsked ? { languageAsked: true } : {}),
    ...(conversation.lastFaqId ? { lastFaqId: conversation.lastFaqId } : {}),
    ...(conversation.lastReplyKind ? { lastReplyKind: conversation.lastReplyKind } : {}),
  };
}

/**
 * `message.received` → at most one reply to everything the customer wrote since the last one.
 *
 * A reply goes through three steps, each safe to repeat:
 *   (a) one transaction writes the reply item (`pending`, keyed by an id derived from the burst)
 *       and claims the conversation (`pendingReplyId`), on condition that nobody answered or
 *       claimed since we read it;
 *   (b) `reply.requested` is published;
 *   (c) `answeredThroughSk` moves forward and the claim is released.
 * A wake-up that finds a claim finishes it first (b, c), so a crash between steps delays a reply
 * but never loses it, and two wake-ups racing over overlapping bursts never both answer the
 * same messages.
 */
export async function answerConversation(detail: unknown, deps: AgentDeps): Promise<AgentOutcome> {
  const parsed = messageReceivedDetailSchema.safeParse(detail);
  if (!parsed.success) {
    return { outcome: 'invalid', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) };
  }
  const event = parsed.data;
  const now = (deps.now ?? (() => new Date()))();
  const key = event.conversationKey;
  const fromBusinessPerson = event.origin === 'business_app' || event.origin === 'business_echo';
  if (fromBusinessPerson && event.standby !== true) {
    const message = { ...event, occurredAt: event.occurredAt ?? now.toISOString() };
    if (!(await echoIsFromPerson(message, deps))) return { outcome: 'skipped', reason: 'own_echo' };
    const business = await deps.botSettings.forAccount(event.accountId);
    const noted = await noteHumanActivity(message, await loadConversation(key, deps), business?.humanQuietMinutes ?? DEFAULT_HUMAN_QUIET_MINUTES, now, deps);
    return { outcome: 'human_active', quietUntil: noted.quietUntil, handoff: noted.startedHandoff };
  }
  if ((event.origin !== undefined && event.origin !== 'customer') || event.standby === true) {
    return { outcome: 'skipped', reason: 'not_customer_message' };
  }
  let resumed: { resumedOutboundId: string } | Record<string, never> = {};

  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const conversation = await loadConversation(key, deps);
    if (!conversation) return { outcome: 'skipped', reason: 'no_conversation', ...resumed };

    if (conversation.pendingReplyId && conversation.pendingReplyThroughSk) {
      await finishReply(key, conversation, conversation.pendingReplyId, conversation.pendingReplyThroughSk, now, deps);
      resumed = { resumedOutboundId: conversation.pendingReplyId };
      continue;
    }
    if (conversation.state === 'human' && conversation.humanQuietUntil && conversation.humanQuietUntil <= now.toISOString()) {
      await endQuietPeriod(key, conversation.accountId, conversation.humanQuietUntil, now, deps);
      continue;
    }
    if (conversation.state !== 'bot' && conversation.state !== 'closed') return { outcome: 'skipped', reason: 'not_bot', ...resumed };

    const unanswered = unansweredMessages(
      await messagesSince(key, unansweredFromSk(conversation.answeredThroughSk, conversation.answeredAt), deps),
      conversation.answeredThroughSk,
      conversation.answeredAt,
    );
    const latest = unanswered.at(-1);
    if (!latest?.providerMessageId) return { outcome: 'skipped', reason: 'nothing_to_answer', ...resumed };
    // Read (from a minute's cache) before the quiet period: a saving business waits longer for a burst.
    const saving = (await deps.saving?.savingFor(conversation.accountId, now)) ?? false;
    const quiet = quietPeriodDecision(unanswered, event.providerMessageId, now, savingQuietMs(deps.replyQuietMs ?? DEFAULT_REPLY_QUIET_MS, saving));
    if (quiet.kind === 'newer_message_pending') return { outcome: 'skipped', reason: 'newer_message_pending', ...resumed };
    if (quiet.kind === 'wait') return { outcome: 'waiting', waitMs: quiet.waitMs, ...resumed };

    const business = await deps.botSettings.forAccount(conversation.accountId);
    if (!business) {
      const texts = unanswered.map((m) => m.text ?? '');
      if (await handOverWithoutBot(key, conversation, texts, now, deps)) return { outcome: 'handed_off', reason: NO_BOT_CONFIGURED, ...resumed };
      continue;
    }
    await deps.endWatch?.watch(key, endDueAt(latest.occurredAt, business.conversationEndHours));
    if (now.getTime() - Date.parse(latest.occurredAt) > WHATSAPP_WINDOW_MS) {
      return { outcome: 'skipped', reason: 'window_closed', ...resumed };
    }

    const score = conversation.state === 'closed' && conversation.csatRequestedAt && conversation.csatScore === undefined ? csatScoreOf(latest) : undefined;
    if (conversation.state === 'closed' && score === undefined) {
      // Anything but the satisfaction answer opens a new conversation with the bot.
      await reopenForBot(key, conversation, now, deps);
      continue;
    }
    const customerMessages: CustomerMessage[] = unanswered.map((m) => ({
      type: m.type ?? 'unsupported',
      text: customerTextOf(m),
      choiceId: m.choiceId,
      choiceTitle: m.choiceTitle,
      providerMessageId: m.providerMessageId,
    }));
    // With an assistant at hand, a message that names an order (a long number) goes to its look-up tool.
    const namesOrder = deps.assistant !== undefined && /\d{3,}/.test(joinedText(customerMessages));
    const ctx: ComposeContext = {
      business,
      fallbackLanguage: conversation.language,
      memory: memoryOf(conversation),
      ...(conversation.channel === 'whatsapp' ? { phoneNumber: latest.customerWaId ?? conversation.customerId } : {}),
      now,
      skipFaq: namesOrder,
      orderLookup: deps.assistant !== undefined,
      ...(saving ? { saving: true } : {}),
    };
    let assistantUse: AssistantUse | undefined;
    let reply: ComposedReply;
    if (score !== undefined) {
      const language = conversation.language ?? business.defaultLanguage;
      reply = { language, kind: 'csat_thanks', text: business.csat.thanks[language], csatScore: score };
    } else {
      const flowReply = composeFlowReply(customerMessages, ctx);
      if (flowReply) reply = flowReply;
      else if (!deps.assistant) reply = composeOpenAnswer(customerMessages, ctx);
      else ({ reply, assistantUse } = await askAssistant(deps.assistant, key, conversation, business, customerMessages, ctx, deps));
    }
    if (reply.kind === 'none') {
      // Nothing to say (an "ok" after small talk): the messages count as answered, nothing is sent.
      if (await markAnsweredSilently(key, conversation, latest.lsi1sk, reply, deps)) {
        return { outcome: 'skipped', reason: 'nothing_to_say', ...(saving ? { saving: true } : {}), ...resumed };
      }
      continue;
    }
    const outboundId = outboundIdFor(key, latest.providerMessageId);
    const item = replyItem(key, conversation, unanswered, latest, outboundId, reply, now, deps);
    const effects = sideEffects(key, conversation, unanswered, reply, now);
    if (reply.csatScore !== undefined) {
      effects.set.push('csatScore = :csatScore', 'csatAnsweredAt = :csatAt', 'csatMessageId = :csatMessage');
      Object.assign(effects.values, { ':csatScore': reply.csatScore, ':csatAt': latest.occurredAt, ':csatMessage': latest.providerMessageId });
    }
    const claim = await claimReply(key, conversation, item, latest.lsi1sk, conversation.state === 'closed' ? 'closed' : 'bot', effects, deps);
    if (claim === 'conversation_changed') continue;
    const claimed: ConversationItem = {
      ...conversation,
      ...(reply.handoff ? { handoffOutboundId: outboundId, handoffReason: reply.handoff.reason } : {}),
      ...(reply.optOut ? { consentOutboundId: outboundId, consentStatus: 'opted_out' as const, consentEvidenceMessageId: reply.optOut.evidenceMessageId } : {}),
      ...(reply.optIn && !reply.optOut
        ? { consentOutboundId: outboundId, consentStatus: 'opted_in' as const, consentEvidenceMessageId: reply.optIn.evidenceMessageId }
        : {}),
    };
    await finishReply(key, claimed, outboundId, latest.lsi1sk, now, deps);
    return {
      outcome: 'replied',
      outboundId,
      answeredCount: unanswered.length,
      kind: reply.kind,
      ...(saving ? { saving: true } : {}),
      ...(reply.handoff ? { handoff: true } : {}),
      ...(reply.optOut ? { optOut: true } : {}),
      ...(reply.optIn ? { optIn: true } : {}),
      ...(assistantUse ? { assistant: assistantUse } : {}),
      ...resumed,
    };
  }
  throw new ConversationBusyError(MAX_ROUNDS);
}

/**
 * Nothing to say to the burst: move the answered mark past it, on the same conditions as a claim
 * (still the bot's, nobody answered or claimed since we read it). False when someone got there first.
 */
async function markAnsweredSilently(key: string, conversation: ConversationItem, throughSk: string, reply: ComposedReply, deps: AgentDeps): Promise<boolean> {
  const seen = conversation.answeredThroughSk;
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: { pk: conversationPk(key), sk: CONVERSATION_SK },
        UpdateExpression: 'SET answeredThroughSk = :through, lastReplyKind = :kind, #language = :language REMOVE answeredAt',
        ConditionExpression:
          '#state = :bot AND attribute_not_exists(pendingReplyId) AND ' +
          (seen === undefined ? 'attribute_not_exists(answeredThroughSk)' : 'answeredThroughSk = :seen'),
        ExpressionAttributeNames: { '#state': 'state', '#language': 'language' },
        ExpressionAttributeValues: {
          ':through': throughSk,
          ':kind': reply.memory?.lastReplyKind ?? conversation.lastReplyKind ?? 'none',
          ':language': reply.language,
          ':bot': 'bot',
          ...(seen === undefined ? {} : { ':seen': seen }),
        },
      }),
    );
    return true;
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    return false;
  }
}

async function loadConversation(key: string, deps: AgentDeps): Promise<ConversationItem | undefined> {
  const out = await deps.db.send(new GetCommand({ TableName: deps.tableName, Key: { pk: conversationPk(key), sk: CONVERSATION_SK }, ConsistentRead: true }));
  return out.Item as ConversationItem | undefined;
}

/**
 * The conversation's messages after the answered mark, oldest first. The range ends at `MSG$`
 * (`$` sorts right after `#`) so that status and change items on the same index stay out.
 */
async function messagesSince(key: string, fromSk: string, deps: AgentDeps): Promise<StoredMessage[]> {
  const items: StoredMessage[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await deps.db.send(
      new QueryCommand({
        TableName: deps.tableName,
        IndexName: 'byTime',
        KeyConditionExpression: 'pk = :pk AND lsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': conversationPk(key), ':from': fromSk, ':to': 'MSG$' },
        ConsistentRead: true,
        ScanIndexForward: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((out.Items ?? []) as StoredMessage[]));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

function replyItem(
  key: string,
  conversation: ConversationItem,
  unanswered: StoredMessage[],
  latest: StoredMessage,
  outboundId: string,
  reply: ComposedReply,
  now: Date,
  deps: AgentDeps,
): OutboundMessageItem {
  const at = now.toISOString();
  const recipientId = conversation.channel === 'whatsapp' ? (latest.customerWaId ?? latest.customerUserId ?? conversation.customerId) : conversation.customerId;
  return {
    pk: conversationPk(key),
    sk: messageSk(outboundId),
    lsi1sk: messageTimeSk(at, outboundId),
    entity: 'Message',
    messageId: outboundId,
    conversationKey: key,
    channel: conversation.channel,
    accountId: conversation.accountId,
    ...(conversation.businessAccountId ? { businessAccountId: conversation.businessAccountId } : {}),
    customerId: conversation.customerId,
    recipientId,
    direction: 'outbound',
    origin: 'agent',
    type: reply.options ? 'interactive' : 'text',
    text: reply.text,
    ...(reply.options ? { replyOptions: reply.options } : {}),
    ...(reply.optionsLabel ? { optionsLabel: reply.optionsLabel } : {}),
    language: reply.language,
    replyKind: reply.kind,
    ...(reply.saysAway ? { saysAway: true } : {}),
    ...(reply.faqId ? { faqId: reply.faqId } : {}),
    replyToMessageIds: unanswered.map((m) => m.providerMessageId).filter((id): id is string => id !== undefined),
    status: 'pending',
    occurredAt: at,
    createdAt: at,
    expiresAt: expiresAt(at, deps.retentionDays),
  };
}

/**
 * What a reply changes besides itself: an opt-out writes a consent record and marks the
 * conversation; a handoff moves the conversation to the human queue with its reason and summary.
 * Both ride in the claim transaction, so they happen exactly when the reply that announces them does.
 */
interface ReplyEffects {
  set: string[];
  add: string[];
  remove: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
  extraItems: Array<Record<string, unknown>>;
}

function sideEffects(key: string, conversation: ConversationItem, unanswered: StoredMessage[], reply: ComposedReply, now: Date): ReplyEffects {
  const at = now.toISOString();
  const effects: ReplyEffects = { set: [], add: [], remove: [], names: {}, values: {}, extraItems: [] };
  const consent = reply.optOut ? { status: 'opted_out', evidence: reply.optOut } : reply.optIn ? { status: 'opted_in', evidence: reply.optIn } : undefined;
  if (consent) {
    const { evidence } = consent;
    const said = unanswered.find((m) => m.providerMessageId === evidence.evidenceMessageId)?.occurredAt ?? at;
    effects.set.push('consentStatus = :consentStatus', 'consentChangedAt = :consentAt', 'consentEvidenceMessageId = :evidence', 'consentOutboundId = :id');
    effects.values[':consentStatus'] = consent.status;
    effects.values[':consentAt'] = said;
    effects.values[':evidence'] = evidence.evidenceMessageId;
    effects.extraItems.push({
      pk: conversationPk(key),
      sk: `CONSENT#${said}#${evidence.evidenceMessageId}`,
      entity: 'ConsentChange',
      conversationKey: key,
      channel: conversation.channel,
      accountId: conversation.accountId,
      customerId: conversation.customerId,
      consent: consent.status,
      scope: 'promotional',
      evidenceMessageId: evidence.evidenceMessageId,
      evidenceKind: evidence.evidenceKind,
      // What the customer wrote or tapped: the proof of the decision, kept with it.
      evidenceText: evidence.evidenceText,
      occurredAt: said,
      recordedAt: at,
      // No expiresAt: proof of a consent decision must outlive the conversation's retention.
    });
  }
  if (reply.handoff) {
    const transition = stateTransition('human', conversation.accountId, key, at);
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
      ':handoffReason': reply.handoff.reason,
      ':handoffSummary': handoffSummary(
        reply.handoff.reason,
        reply.language,
        unanswered.map((m) => customerTextOf(m) ?? ''),
        conversation.lastFaqId ? [conversation.lastFaqId] : [],
        reply.memory?.capturedOrderId ?? conversation.capturedOrderId,
      ),
      ':handoffAt': at,
      ':handoffPriority': reply.handoff.priority === true,
      ':one': 1,
    });
  }
  if (reply.memory) {
    const memory = reply.memory;
    effects.set.push('lastReplyKind = :lastReplyKind');
    effects.values[':lastReplyKind'] = memory.lastReplyKind ?? reply.kind;
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
  return effects;
}

/** Step (a). The conversation condition is what keeps two wake-ups from answering the same messages. */
async function claimReply(
  key: string,
  conversation: ConversationItem,
  item: OutboundMessageItem,
  throughSk: string,
  expectedState: 'bot' | 'closed',
  effects: ReplyEffects,
  deps: AgentDeps,
): Promise<'claimed' | 'reply_exists' | 'conversation_changed'> {
  const seen = conversation.answeredThroughSk;
  const set = ['pendingReplyId = :id', 'pendingReplyThroughSk = :through', '#language = :language', ...effects.set];
  try {
    await deps.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: deps.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            Update: {
              TableName: deps.tableName,
              Key: { pk: conversationPk(key), sk: CONVERSATION_SK },
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
                ':through': throughSk,
                ':language': item.language,
                ':expectedState': expectedState,
                ...(seen === undefined ? {} : { ':seen': seen }),
                ...effects.values,
              },
            },
          },
          ...effects.extraItems.map((Item) => ({ Put: { TableName: deps.tableName, Item } })),
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
}

/** Steps (b) and (c); repeating them is harmless because the sender is idempotent per outbound id. */
async function finishReply(key: string, conversation: ConversationItem, outboundId: string, throughSk: string, now: Date, deps: AgentDeps): Promise<void> {
  await deps.publisher.publish([
    replyRequestedEvent(EVENT_SOURCE.agent, {
      conversationKey: key,
      outboundId,
      channel: conversation.channel,
      accountId: conversation.accountId,
    }),
    ...(conversation.handoffOutboundId === outboundId
      ? [
          handoffRequestedEvent(EVENT_SOURCE.agent, {
            conversationKey: key,
            channel: conversation.channel,
            accountId: conversation.accountId,
            reason: conversation.handoffReason ?? 'customer_request',
            requestedAt: now.toISOString(),
            outboundId,
          }),
        ]
      : []),
    ...(conversation.consentOutboundId === outboundId
      ? [
          {
            source: EVENT_SOURCE.agent,
            // The contacts consumer records either on the customer's contact and for the sender.
            detailType: conversation.consentStatus === 'opted_in' ? DETAIL_TYPE.consentGiven : DETAIL_TYPE.consentWithdrawn,
            detail: {
              v: 1,
              conversationKey: key,
              channel: conversation.channel,
              accountId: conversation.accountId,
              customerId: conversation.customerId,
              evidenceMessageId: conversation.consentEvidenceMessageId,
            },
          },
        ]
      : []),
  ]);
  const conversationKeyAttrs = { pk: conversationPk(key), sk: CONVERSATION_SK };
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: conversationKeyAttrs,
        UpdateExpression: 'SET answeredThroughSk = :through, lastAgentReplyAt = :now REMOVE pendingReplyId, pendingReplyThroughSk, answeredAt',
        ConditionExpression:
          '(attribute_not_exists(pendingReplyId) OR pendingReplyId = :id) AND ' + '(attribute_not_exists(answeredThroughSk) OR answeredThroughSk < :through)',
        ExpressionAttributeValues: { ':id': outboundId, ':through': throughSk, ':now': now.toISOString() },
      }),
    );
    return;
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
  // Someone else finished it, or the mark is already past it: only make sure our claim is gone.
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: conversationKeyAttrs,
        UpdateExpression: 'REMOVE pendingReplyId, pendingReplyThroughSk',
        ConditionExpression: 'pendingReplyId = :id',
        ExpressionAttributeValues: { ':id': outboundId },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/** A closed conversation the customer writes to again goes back to the bot (unless someone got there first). */
async function reopenForBot(key: string, conversation: ConversationItem, now: Date, deps: AgentDeps): Promise<void> {
  const transition = stateTransition('bot', conversation.accountId, key, now.toISOString());
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: { pk: conversationPk(key), sk: CONVERSATION_SK },
        UpdateExpression: `SET ${transition.set.join(', ')}, reopenedAt = :stateAt ADD version :one`,
        ConditionExpression: '#state = :closed AND attribute_not_exists(pendingReplyId)',
        ExpressionAttributeNames: transition.names,
        ExpressionAttributeValues: { ...transition.values, ':closed': 'closed', ':one': 1 },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/**
 * An open question goes to the assistant with the conversation's recent history. Whatever goes
 * wrong on its side (timeout, overload, a bad answer) the customer still gets the flows' answer:
 * the fallback with the menu, which offers a person.
 */
async function askAssistant(
  assistant: AgentAssistant,
  key: string,
  conversation: ConversationItem,
  business: BusinessFlows,
  messages: CustomerMessage[],
  ctx: ComposeContext,
  deps: AgentDeps,
): Promise<{ reply: ComposedReply; assistantUse: AssistantUse }> {
  const history = await recentHistory(key, deps);
  const language = languageOf(messages, ctx);
  try {
    // The customer the business's tools act for comes from the stored conversation, never from the model.
    const customer = { channel: conversation.channel, accountId: conversation.accountId, customerId: conversation.customerId };
    const captured = conversation.capturedOrderId ? { orderId: conversation.capturedOrderId } : undefined;
    const answer = await assistant.answer({ business, language, history, conversation: customer, ...(captured ? { captured } : {}) });
    if (answer.handoff) {
      return { reply: handoffReply(business, answer.language, isWithinBusinessHours(business, ctx.now), 'assistant_decision'), assistantUse: 'handoff' };
    }
    if (answer.text) {
      return {
        reply: { language: answer.language, kind: 'generated', text: answer.text, ...(answer.faqIds[0] ? { faqId: answer.faqIds[0] } : {}) },
        assistantUse: 'answered',
      };
    }
  } catch {
    // Reported through the outcome (and its metric); the flows answer below.
  }
  return { reply: composeOpenAnswer(messages, ctx), assistantUse: 'failed' };
}

const HISTORY_MESSAGES = 30;

/** The conversation's latest messages with text, oldest first, as the assistant reads them. */
async function recentHistory(key: string, deps: AgentDeps): Promise<HistoryTurn[]> {
  const out = await deps.db.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: 'byTime',
      KeyConditionExpression: 'pk = :pk AND lsi1sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': conversationPk(key), ':from': 'MSG#', ':to': 'MSG$' },
      ScanIndexForward: false,
      Limit: HISTORY_MESSAGES,
      ConsistentRead: true,
    }),
  );
  return ((out.Items ?? []) as Array<StoredMessage & { deletedAt?: string }>)
    .reverse()
    .filter((m) => m.entity === 'Message' && typeof m.text === 'string' && m.text.length > 0 && m.deletedAt === undefined && m.origin !== 'history')
    .map((m) => ({ from: m.direction === 'inbound' ? ('customer' as const) : ('business' as const), text: m.text ?? '' }));
}
