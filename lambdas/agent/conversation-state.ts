import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import type { Channel } from '#lambdas/conversation/model';
import { conversationsByStatePk } from '#lambdas/conversation/table-keys';
import { DETAIL_TYPE } from '#lambdas/shared/event-contract';

/** Who answers the customer: the bot, a person, or nobody until the customer writes again. */
export type ConversationState = 'bot' | 'human' | 'closed';

/**
 * The SET clauses and values that move a conversation to `state`. `gsi1pk` moves in the same write
 * so the by-state index (the human agents' waiting list) never disagrees with `state`; `gsi1sk`
 * starts with the transition time, so the list reads oldest waiting first.
 */
export function stateTransition(
  state: ConversationState,
  accountId: string,
  conversationKey: string,
  at: string,
): { set: string[]; names: Record<string, string>; values: Record<string, unknown> } {
  return {
    set: ['#state = :toState', 'gsi1pk = :toGsi1pk', 'gsi1sk = :toGsi1sk', 'stateChangedAt = :stateAt'],
    names: { '#state': 'state' },
    values: {
      ':toState': state,
      ':toGsi1pk': conversationsByStatePk(accountId, state),
      ':toGsi1sk': `${at}#${conversationKey}`,
      ':stateAt': at,
    },
  };
}

export interface HandoffRequestedDetail {
  conversationKey: string;
  channel: Channel;
  accountId: string;
  reason: string;
  requestedAt: string;
  /** The acknowledgement sent to the customer, when the bot sent one. */
  outboundId?: string;
}

/** Ids and the reason only: the summary stays on the Conversation item with the rest of the PII. */
export function handoffRequestedEvent(source: string, detail: HandoffRequestedDetail): DomainEvent {
  return {
    source,
    detailType: DETAIL_TYPE.conversationHandoffRequested,
    detail: { v: 1, ...detail },
  };
}

const SUMMARY_MAX_CHARS = 500;

/**
 * A few lines a person reads before taking over: why, in which language, and what the customer
 * wrote last (cut to fit an item attribute comfortably).
 */
export function handoffSummary(reason: string, language: string, customerTexts: readonly string[], faqIds: readonly string[] = [], orderId?: string): string {
  const wrote = customerTexts
    .map((t) => t.replace(/\s+/g, ' ').trim())
    .filter((t) => t.length > 0)
    .join(' / ');
  const lines = [
    `Reason: ${reason}. Language: ${language}.`,
    ...(orderId ? [`Order number given: ${orderId}.`] : []),
    ...(faqIds.length > 0 ? [`FAQ already given: ${faqIds.join(', ')}.`] : []),
    ...(wrote ? [`Customer wrote: ${wrote}`] : []),
  ];
  const summary = lines.join('\n');
  return [...summary].length <= SUMMARY_MAX_CHARS ? summary : `${[...summary].slice(0, SUMMARY_MAX_CHARS - 1).join('')}…`;
}
