/**
 * How a conversation the bot alone holds ends once the customer has been quiet for the business's
 * end hours (default 24, when the reply window closes). Pure: the sweep (end-quiet-conversations.ts)
 * reads the snapshot and writes the decision.
 *
 * - `opted_out`: the customer withdrew consent since the conversation last ended.
 * - `resolved_by_bot`: the bot's last reply answered (an FAQ entry, a menu answer, the assistant,
 *   a consent confirmation), or the customer closed with thanks or a goodbye.
 * - `no_response`: the bot was waiting for the customer: it greeted and showed the menu and the
 *   customer never wrote again, it asked for something (`awaitingField`, a confirmation), or it was
 *   not sure and offered a person.
 * - `unresolved`: the customer's last messages were never answered by the bot.
 *
 * Not the bot's to end: a conversation a person holds or closed, one whose last business message
 * came from a person (handed back without another word from the customer), one with a reply still
 * being sent, or one already ended for the same customer message.
 */
export type BotOutcome = 'resolved_by_bot' | 'no_response' | 'opted_out' | 'unresolved';

export const BOT_END_REASONS = [
  'answered',
  'answered_by_assistant',
  'customer_thanked',
  'consent_given',
  'consent_kept',
  'csat_answered',
  'consent_opted_out',
  'no_reply_after_greeting',
  'awaiting_order_id',
  'awaiting_customer',
  'awaiting_confirmation',
  'person_offered',
  'awaiting_details',
  'bot_did_not_answer',
  'no_bot_reply',
] as const;
export type BotEndReason = (typeof BOT_END_REASONS)[number];

/** What the decision reads: the Conversation item and the conversation's latest messages. */
export interface BotEndSnapshot {
  state?: string;
  /** The customer's latest message (the reply window's start). */
  lastInboundAt?: string;
  /** The customer message the conversation last ended after; equal to `lastInboundAt`: already ended. */
  endedInboundAt?: string;
  endedAt?: string;
  pendingReplyId?: string;
  /** What the bot's last reply asked for (`order_id`). */
  awaitingField?: string;
  consentStatus?: string;
  consentChangedAt?: string;
  handedBackAt?: string;
  /** The bot's latest reply among the latest messages: its kind (compose-reply.ts ReplyKind) and FAQ entry. */
  lastBotReply?: { kind?: string; faqId?: string; at: string };
  /** The latest business message a person sent (console, business app, Instagram/Messenger inbox). */
  lastPersonMessageAt?: string;
  /** Customer messages after the answered mark: written to the bot and never answered. */
  unansweredCustomerMessages: number;
}

export type BotEndSkip = 'not_bot' | 'no_customer_message' | 'already_ended' | 'not_due' | 'reply_pending' | 'person_handled';

export type BotEndDecision =
  | { end: true; outcome: BotOutcome; reason: BotEndReason; faqId?: string }
  /** `lookAgainAt`: when the conversation may be due (not yet quiet long enough, or a reply still in flight). */
  | { end: false; skip: BotEndSkip; lookAgainAt?: Date };

/** A reply still being sent is looked at again this much later. */
export const PENDING_REPLY_RETRY_MS = 15 * 60_000;

const ANSWERED = new Map<string, BotEndReason>(
  Object.entries({
    faq_answer: 'answered',
    choice_answer: 'answered',
    generated: 'answered_by_assistant',
    small_talk: 'customer_thanked',
    opt_in_confirmed: 'consent_given',
    opt_out_kept: 'consent_kept',
    csat_thanks: 'csat_answered',
  }) as Array<[string, BotEndReason]>,
);
const WAITING = new Map<string, BotEndReason>(
  Object.entries({
    menu: 'no_reply_after_greeting',
    opt_out_question: 'awaiting_confirmation',
    fallback: 'person_offered',
    repeat_offer: 'person_offered',
    attachment_ack: 'awaiting_details',
  }) as Array<[string, BotEndReason]>,
);
/** Replies that handed the conversation to a person: whatever followed was the person's. */
const HANDED_OFF = new Set(['handoff_ack', 'out_of_hours']);

export function decideBotEnd(s: BotEndSnapshot, now: Date, endAfterMs: number): BotEndDecision {
  if (s.state !== 'bot') return { end: false, skip: 'not_bot' };
  const lastInbound = Date.parse(s.lastInboundAt ?? '');
  if (!Number.isFinite(lastInbound)) return { end: false, skip: 'no_customer_message' };
  if (s.endedInboundAt !== undefined && s.endedInboundAt === s.lastInboundAt) return { end: false, skip: 'already_ended' };
  const due = lastInbound + endAfterMs;
  if (now.getTime() < due) return { end: false, skip: 'not_due', lookAgainAt: new Date(due) };
  if (s.pendingReplyId) return { end: false, skip: 'reply_pending', lookAgainAt: new Date(now.getTime() + PENDING_REPLY_RETRY_MS) };

  const botAt = s.lastBotReply?.at ?? '';
  if ((s.handedBackAt !== undefined && s.handedBackAt >= s.lastInboundAt!) || (s.lastPersonMessageAt !== undefined && s.lastPersonMessageAt > botAt)) {
    return { end: false, skip: 'person_handled' };
  }
  if (s.consentStatus === 'opted_out' && (s.consentChangedAt ?? '') > (s.endedAt ?? '')) {
    return { end: true, outcome: 'opted_out', reason: 'consent_opted_out' };
  }
  if (s.unansweredCustomerMessages > 0) return { end: true, outcome: 'unresolved', reason: 'bot_did_not_answer' };
  const kind = s.lastBotReply?.kind;
  if (!s.lastBotReply) return { end: true, outcome: 'unresolved', reason: 'no_bot_reply' };
  if (kind !== undefined && HANDED_OFF.has(kind)) return { end: false, skip: 'person_handled' };
  if (s.awaitingField) return { end: true, outcome: 'no_response', reason: s.awaitingField === 'order_id' ? 'awaiting_order_id' : 'awaiting_customer' };
  if (kind === 'opt_out_confirmed') return { end: true, outcome: 'opted_out', reason: 'consent_opted_out' };
  const answered = kind === undefined ? undefined : ANSWERED.get(kind);
  if (answered) return { end: true, outcome: 'resolved_by_bot', reason: answered, ...(s.lastBotReply.faqId ? { faqId: s.lastBotReply.faqId } : {}) };
  const waiting = kind === undefined ? undefined : WAITING.get(kind);
  return { end: true, outcome: 'no_response', reason: waiting ?? 'awaiting_customer' };
}
