import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import type { BotEndReason, BotOutcome } from '#lambdas/conversation-end/bot-outcome';
import type { Channel } from '#lambdas/conversation/model';
import { DETAIL_TYPE, EVENT_SOURCE } from '#lambdas/shared/event-contract';

/**
 * `conversation.ended` (v1): a conversation the bot alone held ended without a person. Ids and enum
 * values only; consumers key on `conversationKey` + `endedAt` (EventBridge may deliver it twice).
 * Published under the agent's source: the bot's conversations are the agent's.
 */
export interface ConversationEndedDetail {
  conversationKey: string;
  channel: Channel;
  accountId: string;
  endedAt: string;
  outcome: BotOutcome;
  reason: BotEndReason;
  /** The conversation's routing tags. */
  tags: string[];
  /** The customer message the conversation ended after. */
  lastInboundAt: string;
  /** The FAQ entry of the answer that resolved it, for `resolved_by_bot`. */
  faqId?: string;
  /** The hours of silence that ended it (the business's setting). */
  endAfterHours: number;
}

export function conversationEndedEvent(detail: ConversationEndedDetail): DomainEvent {
  return { source: EVENT_SOURCE.agent, detailType: DETAIL_TYPE.conversationEnded, detail: { v: 1, ...detail } };
}
