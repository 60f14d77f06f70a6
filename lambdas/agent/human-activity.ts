import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { handoffRequestedEvent } from '#lambdas/agent/conversation-state';
import type { ConversationStore } from '#lambdas/conversation/conversation-store';
import type { MessageStore } from '#lambdas/conversation/message-store';
import type { Channel } from '#lambdas/conversation/model';
import { EVENT_SOURCE } from '#lambdas/shared/event-contract';
import { EchoOwnerUnknownError } from '#lambdas/agent/errors';

export interface HumanActivityDeps {
  conversations: ConversationStore;
  messages: MessageStore;
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
  const changed = await deps.conversations.quietForPerson({
    conversationKey: message.conversationKey,
    accountId: message.accountId,
    quietUntil,
    activityAt: message.occurredAt,
    startHandoff: startedHandoff,
    reason: 'business_replied',
    at,
  });
  // The person's message answers what came before it, so the bot never answers that later.
  await deps.conversations.markAnsweredByPerson(message.conversationKey, message.occurredAt, message.providerMessageId);
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
  deps: Pick<HumanActivityDeps, 'conversations'>,
): Promise<boolean> {
  return deps.conversations.endQuietPeriod(conversationKey, accountId, seenQuietUntil, now.toISOString());
}

/**
 * Whether an echo is of a message a person sent, not one of ours. The normalizer drops echoes of
 * sends it already knows, but an echo can overtake the sender's bookkeeping: the sender then points
 * the provider id at its own item, which tells us afterwards; while a send is still in flight we
 * cannot tell yet, and ask to be retried.
 */
export async function echoIsFromPerson(message: BusinessMessage, deps: Pick<HumanActivityDeps, 'messages'>): Promise<boolean> {
  if (await deps.messages.isOwnSend(message.providerMessageId)) return false;
  if (await deps.messages.hasSendInFlight(message.conversationKey)) throw new EchoOwnerUnknownError();
  return true;
}
