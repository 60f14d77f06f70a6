import type { EventPublisher } from '#lambdas/adapters/event-publisher';
import { handoffRequestedEvent, handoffSummary } from '#lambdas/agent/conversation-state';
import { detectLanguage, type ReplyLanguage } from '#lambdas/agent/detect-language';
import type { ConversationStore } from '#lambdas/conversation/conversation-store';
import type { Channel } from '#lambdas/conversation/model';
import { EVENT_SOURCE } from '#lambdas/shared/event-contract';

/** The business owning the account has no bot settings (or the account is not in the registry). */
export const NO_BOT_CONFIGURED = 'no_bot_configured';

export interface NoBotHandoffDeps {
  conversations: ConversationStore;
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
  return deps.conversations.handOverWithoutBot({
    conversationKey: key,
    accountId: conversation.accountId,
    seenState: conversation.state ?? 'bot',
    reason: NO_BOT_CONFIGURED,
    summary: handoffSummary(NO_BOT_CONFIGURED, language, customerTexts),
    at,
  });
}
