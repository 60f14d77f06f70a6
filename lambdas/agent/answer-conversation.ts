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
import { handoffRequestedEvent, handoffSummary } from '#lambdas/agent/conversation-state';
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
import type { ConversationItem, ConversationStore, ReplyClaim, ReplyMessage } from '#lambdas/conversation/conversation-store';
import type { MessageStore } from '#lambdas/conversation/message-store';
import { expiresAt } from '#lambdas/conversation/table-keys';
import { replyRequestedEvent } from '#lambdas/outbound/reply-requested';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { WHATSAPP_WINDOW_MS } from '#lambdas/conversation/reply-window';

export interface AgentDeps {
  /** The Conversation items. */
  conversations: ConversationStore;
  /** The Message items. */
  messages: MessageStore;
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
    const noted = await noteHumanActivity(
      message,
      await deps.conversations.conversation(key),
      business?.humanQuietMinutes ?? DEFAULT_HUMAN_QUIET_MINUTES,
      now,
      deps,
    );
    return { outcome: 'human_active', quietUntil: noted.quietUntil, handoff: noted.startedHandoff };
  }
  if ((event.origin !== undefined && event.origin !== 'customer') || event.standby === true) {
    return { outcome: 'skipped', reason: 'not_customer_message' };
  }
  let resumed: { resumedOutboundId: string } | Record<string, never> = {};

  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const conversation = await deps.conversations.conversation(key);
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
      await deps.messages.messagesSince(key, unansweredFromSk(conversation.answeredThroughSk, conversation.answeredAt)),
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
      // Unless someone got there first: then the next round reads what they did.
      await deps.conversations.reopenForBot(key, conversation.accountId, now.toISOString());
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
      const marked = await deps.conversations.markAnsweredSilently(key, conversation.answeredThroughSk, latest.lsi1sk, {
        lastReplyKind: reply.memory?.lastReplyKind ?? conversation.lastReplyKind ?? 'none',
        language: reply.language,
      });
      if (marked) {
        return { outcome: 'skipped', reason: 'nothing_to_say', ...(saving ? { saving: true } : {}), ...resumed };
      }
      continue;
    }
    const outboundId = outboundIdFor(key, latest.providerMessageId);
    const claim = await deps.conversations.claimReply(replyClaim(key, conversation, unanswered, latest, outboundId, reply, now, deps));
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
 * Step (a)'s write: the reply item (`pending`, keyed by an id derived from the burst) and what it
 * changes besides itself. An opt-out or opt-in writes a consent record and marks the conversation;
 * a handoff moves the conversation to the human queue with its reason and summary; the reply's
 * memory and a satisfaction score are kept. All ride in the claim, so they happen exactly when the
 * reply that announces them does; the claim holds only while nobody answered or claimed since the
 * conversation was read.
 */
function replyClaim(
  key: string,
  conversation: ConversationItem,
  unanswered: StoredMessage[],
  latest: StoredMessage,
  outboundId: string,
  reply: ComposedReply,
  now: Date,
  deps: AgentDeps,
): ReplyClaim {
  const at = now.toISOString();
  const recipientId = conversation.channel === 'whatsapp' ? (latest.customerWaId ?? latest.customerUserId ?? conversation.customerId) : conversation.customerId;
  const message: ReplyMessage = {
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
  const consent = reply.optOut
    ? { status: 'opted_out' as const, evidence: reply.optOut }
    : reply.optIn
      ? { status: 'opted_in' as const, evidence: reply.optIn }
      : undefined;
  const memory = reply.memory;
  return {
    conversationKey: key,
    accountId: conversation.accountId,
    channel: conversation.channel,
    customerId: conversation.customerId,
    reply: message,
    throughSk: latest.lsi1sk,
    expectedState: conversation.state === 'closed' ? 'closed' : 'bot',
    seenAnsweredThroughSk: conversation.answeredThroughSk,
    ...(consent
      ? {
          consent: {
            status: consent.status,
            changedAt: unanswered.find((m) => m.providerMessageId === consent.evidence.evidenceMessageId)?.occurredAt ?? at,
            evidenceMessageId: consent.evidence.evidenceMessageId,
            evidenceKind: consent.evidence.evidenceKind,
            evidenceText: consent.evidence.evidenceText,
            scope: 'promotional' as const,
            recordedAt: at,
          },
        }
      : {}),
    ...(reply.handoff
      ? {
          handoff: {
            reason: reply.handoff.reason,
            summary: handoffSummary(
              reply.handoff.reason,
              reply.language,
              unanswered.map((m) => customerTextOf(m) ?? ''),
              conversation.lastFaqId ? [conversation.lastFaqId] : [],
              reply.memory?.capturedOrderId ?? conversation.capturedOrderId,
            ),
            priority: reply.handoff.priority === true,
            at,
          },
        }
      : {}),
    ...(memory
      ? {
          memory: {
            lastReplyKind: memory.lastReplyKind ?? reply.kind,
            ...(memory.awaiting ? { awaiting: memory.awaiting } : {}),
            ...(memory.lastFaqId ? { lastFaqId: memory.lastFaqId } : {}),
            ...(memory.languageAsked ? { languageAsked: true } : {}),
            ...(memory.capturedOrderId ? { capturedOrderId: memory.capturedOrderId } : {}),
          },
        }
      : {}),
    ...(reply.csatScore !== undefined
      ? { csat: { score: reply.csatScore, answeredAt: latest.occurredAt, messageId: latest.providerMessageId as string } }
      : {}),
  };
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
  await deps.conversations.finishReply(key, outboundId, throughSk, now.toISOString());
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
  return (await deps.messages.latestMessages(key, HISTORY_MESSAGES))
    .filter((m) => m.entity === 'Message' && typeof m.text === 'string' && m.text.length > 0 && m.deletedAt === undefined && m.origin !== 'history')
    .map((m) => ({ from: m.direction === 'inbound' ? ('customer' as const) : ('business' as const), text: m.text ?? '' }));
}
