import type { DomainEvent, EventPublisher } from '#lambdas/adapters/event-publisher';
import { handoffRequestedEvent } from '#lambdas/agent/conversation-state';
import { csatOptions } from '#lambdas/agent/csat';
import type { ReplyLanguage } from '#lambdas/agent/detect-language';
import type { BotSettingsSource } from '#lambdas/bot-settings/account-bot-settings';
import { getConversation, latestCustomerMessageSk, type ConversationRecord } from '#lambdas/human-agent/conversation-views';
import type { ConversationViewsStore } from '#lambdas/human-agent/conversation-views-store';
import { HumanAgentRequestError } from '#lambdas/human-agent/errors';
import type { HumanAgentMessage, HumanAgentStore } from '#lambdas/human-agent/human-agent-store';
import type { ReplyOption } from '#lambdas/outbound/outbound-message';
import { replyRequestedEvent } from '#lambdas/outbound/reply-requested';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { sha256Hex } from '#lambdas/shared/hash';
import type { CloseOutcome } from '#lambdas/routing/routing-model';
import { humanReplyWindow, WHATSAPP_WINDOW_MS } from '#lambdas/conversation/reply-window';
import { outcomeReason, outcomeTags } from '#lambdas/conversation/conversation-outcome';

/** The stores the actions read and write (human-agent/human-agent-stores.ts builds the DynamoDB ones). */
export interface HumanAgentDeps {
  /** The writes a person's actions make: replies, hand-backs, closes, the answered mark. */
  humanActions: HumanAgentStore;
  /** The conversation and its messages as the operator's views read them. */
  views: ConversationViewsStore;
  publisher: EventPublisher;
  /** The bot settings of the conversation's business (the CSAT question on close); none: no question. */
  botSettings: BotSettingsSource;
  now?: () => Date;
}

const source = EVENT_SOURCE.humanAgent;
const nowOf = (deps: HumanAgentDeps) => (deps.now ?? (() => new Date()))();

async function mustGet(key: string, deps: HumanAgentDeps): Promise<ConversationRecord> {
  const conversation = await getConversation(key, deps);
  if (!conversation) throw new HumanAgentRequestError(404, 'conversation_not_found', 'No such conversation');
  return conversation;
}

/** The bot's (and the CSAT question's) window: 24 hours on every channel. */
function windowOpen(conversation: ConversationRecord, now: Date, windowMs = WHATSAPP_WINDOW_MS): boolean {
  return conversation.lastInboundAt !== undefined && now.getTime() - Date.parse(conversation.lastInboundAt) <= windowMs;
}

/**
 * A person may answer for longer than the bot: Instagram and Messenger allow human agents 7 days
 * (the outbound sender adds the HUMAN_AGENT tag); WhatsApp allows 24 hours for everyone.
 */
function humanReplyWindowOpen(conversation: ConversationRecord, now: Date): boolean {
  return humanReplyWindow(conversation, now).windowOpen;
}

/** An attachment a person sends by link (the outbound sender passes the link to the Graph API). */
export interface HumanReplyMedia {
  kind: 'image' | 'document' | 'audio' | 'video';
  link: string;
  filename?: string;
}

function outboundMessage(
  conversation: ConversationRecord,
  outboundId: string,
  text: string,
  kind: string,
  now: Date,
  options?: ReplyOption[],
  language?: string,
  media?: HumanReplyMedia,
): HumanAgentMessage {
  const at = now.toISOString();
  return {
    messageId: outboundId,
    conversationKey: conversation.conversationKey,
    channel: conversation.channel,
    accountId: conversation.accountId,
    ...(conversation.businessAccountId ? { businessAccountId: conversation.businessAccountId } : {}),
    customerId: conversation.customerId,
    // The customer id of a WhatsApp conversation is the wa_id (else the user id), which is whom the Graph API sends to.
    recipientId: conversation.customerId,
    direction: 'outbound',
    origin: 'human_agent',
    type: media ? media.kind : options ? 'interactive' : 'text',
    ...(text ? { text } : {}),
    ...(media ? { media: { link: media.link, ...(media.filename ? { filename: media.filename } : {}) } } : {}),
    ...(options ? { replyOptions: options } : {}),
    ...(language ? { language } : {}),
    replyKind: kind,
    replyToMessageIds: conversation.lastInboundMessageId ? [conversation.lastInboundMessageId] : [],
    status: 'pending',
    occurredAt: at,
    createdAt: at,
  };
}

const requested = (conversation: ConversationRecord, outboundId: string): DomainEvent =>
  replyRequestedEvent(source, {
    conversationKey: conversation.conversationKey,
    outboundId,
    channel: conversation.channel,
    accountId: conversation.accountId,
  });

/**
 * A human agent's reply. `requestId` is the caller's idempotency key: the same request repeated
 * names the same outbound id, so a retried HTTP call cannot send twice. Replying to a
 * conversation the bot holds takes it over.
 */
export async function replyAsHuman(
  key: string,
  input: { text: string; requestId: string; agentId: string; media?: HumanReplyMedia; macroId?: string },
  deps: HumanAgentDeps,
): Promise<{ outboundId: string; repeated: boolean; tookOver: boolean }> {
  const now = nowOf(deps);
  const conversation = await mustGet(key, deps);
  if (conversation.state === 'closed') throw new HumanAgentRequestError(409, 'conversation_closed', 'The conversation is closed');
  if (!humanReplyWindowOpen(conversation, now)) {
    throw new HumanAgentRequestError(409, 'window_closed', 'The customer service window has closed; a template is needed');
  }
  const outboundId = `out_h_${sha256Hex(`${key}|${input.requestId}`).slice(0, 32)}`;
  const tookOver = conversation.state === 'bot';
  const at = now.toISOString();
  const recorded = await deps.humanActions.recordHumanReply({
    conversationKey: key,
    accountId: conversation.accountId,
    message: {
      ...outboundMessage(conversation, outboundId, input.text, 'human_reply', now, undefined, undefined, input.media),
      agentId: input.agentId,
      ...(input.macroId ? { macroId: input.macroId } : {}),
    },
    agentId: input.agentId,
    at,
    seenState: conversation.state,
    ...(tookOver ? { takeOverReason: 'agent_takeover' } : {}),
  });
  if (recorded === 'changed') {
    throw new HumanAgentRequestError(409, 'conversation_changed', 'The conversation changed meanwhile; read it again');
  }
  if (recorded === 'repeated') {
    // The same request again: request the send again (the sender sends an outbound id at most once).
    await deps.publisher.publish([requested(conversation, outboundId)]);
    return { outboundId, repeated: true, tookOver: false };
  }
  await deps.publisher.publish([
    requested(conversation, outboundId),
    ...(tookOver
      ? [
          handoffRequestedEvent(source, {
            conversationKey: key,
            channel: conversation.channel,
            accountId: conversation.accountId,
            reason: 'agent_takeover',
            requestedAt: at,
          }),
        ]
      : []),
  ]);
  return { outboundId, repeated: false, tookOver };
}

/**
 * What the customer wrote while the person owned the conversation was the person's to answer:
 * the bot starts after it.
 */
async function markAllAnswered(key: string, deps: HumanAgentDeps): Promise<void> {
  const latest = await latestCustomerMessageSk(key, deps);
  if (!latest) return;
  await deps.humanActions.markAnsweredThrough(key, latest, nowOf(deps).toISOString());
}

/** human → bot. Refused (409) unless a person owns the conversation. */
export async function handBackToBot(key: string, agentId: string, deps: HumanAgentDeps): Promise<{ state: 'bot' }> {
  const now = nowOf(deps);
  const conversation = await mustGet(key, deps);
  if (conversation.state !== 'human') throw new HumanAgentRequestError(409, 'not_human', `The conversation is ${conversation.state}`);
  await markAllAnswered(key, deps);
  const at = now.toISOString();
  if (!(await deps.humanActions.handBackToBot(key, conversation.accountId, agentId, at))) {
    throw new HumanAgentRequestError(409, 'not_human', 'The conversation left human hands meanwhile');
  }
  await deps.publisher.publish([
    {
      source,
      detailType: DETAIL_TYPE.conversationHandedBack,
      detail: { v: 1, conversationKey: key, channel: conversation.channel, accountId: conversation.accountId, handedBackAt: at },
    },
  ]);
  return { state: 'bot' };
}

/**
 * bot|human → closed, with the satisfaction question (scores 1–5) in the customer's language
 * when the 24-hour window still allows a free-form message. The question's id derives from the
 * conversation version the close was decided on, so a retried close cannot ask twice.
 */
export async function closeConversation(
  key: string,
  agentId: string,
  deps: HumanAgentDeps,
  outcome: CloseOutcome = 'resolved',
): Promise<{ state: 'closed'; closeOutcome: CloseOutcome; csatOutboundId?: string }> {
  const now = nowOf(deps);
  const conversation = await mustGet(key, deps);
  if (conversation.state === 'closed') throw new HumanAgentRequestError(409, 'conversation_closed', 'The conversation is already closed');
  await markAllAnswered(key, deps);
  const at = now.toISOString();
  // A business without bot settings has no words of its own to ask with, and no other business's are used.
  const business = await deps.botSettings.forAccount(conversation.accountId);
  const language = (conversation.language as ReplyLanguage | undefined) ?? business?.defaultLanguage ?? 'en';
  const csatQuestion = business?.csat.question[language];
  const askCsat = csatQuestion !== undefined && windowOpen(conversation, now);
  const csatOutboundId = askCsat ? `out_csat_${sha256Hex(`${key}|${conversation.version ?? 0}`).slice(0, 32)}` : undefined;
  // The reason of a person's close is why the conversation came to people (conversation-outcome.ts);
  // a conversation a person closes straight from the bot had no handoff of its own.
  const reason = conversation.state === 'human' ? outcomeReason(conversation.handoffReason ?? 'none') : 'no_handoff';
  const tags = outcomeTags((conversation as { tags?: unknown }).tags);
  const closed = await deps.humanActions.closeConversation({
    conversationKey: key,
    accountId: conversation.accountId,
    agentId,
    at,
    outcome,
    reason,
    by: 'person',
    seenState: conversation.state,
    seenVersion: conversation.version ?? 0,
    ...(csatOutboundId
      ? {
          csatQuestion: {
            ...outboundMessage(conversation, csatOutboundId, csatQuestion!, 'csat_question', now, csatOptions(), language),
            // The button that opens the score list on WhatsApp, in the conversation language.
            optionsLabel: business!.replies.csatListLabel[language],
            agentId,
          },
        }
      : {}),
  });
  if (!closed) throw new HumanAgentRequestError(409, 'conversation_changed', 'The conversation changed meanwhile; read it again');
  await deps.publisher.publish([
    ...(csatOutboundId ? [requested(conversation, csatOutboundId)] : []),
    {
      source,
      detailType: DETAIL_TYPE.conversationClosed,
      detail: {
        v: 1,
        conversationKey: key,
        channel: conversation.channel,
        accountId: conversation.accountId,
        closedAt: at,
        // The routing Lambda frees the agent and records the outcome from it (routing/wiring/routing-message.ts).
        outcome,
        // Ids and enum values only: the handoff reason and the conversation's routing tags.
        reason,
        tags,
        closedBy: agentId,
        csatAsked: askCsat,
      },
    },
  ]);
  return { state: 'closed', closeOutcome: outcome, ...(csatOutboundId ? { csatOutboundId } : {}) };
}
