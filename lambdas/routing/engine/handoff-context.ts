import type { HandoffConversation } from '#lambdas/routing/engine/handoff-sources';
import type { HandoffContext } from '#lambdas/routing/routing-model';
import { truncateUtf8 } from '#lambdas/shared/bounded-id';

const LAST_TEXTS = 5;
const TEXT_BYTES = 1_000;

/**
 * What the bot knew, for the person who answers next: why, in which language, the intent it
 * detected, the customer's last texts and the bot's answers (oldest first, each cut), the data it
 * captured, and the tags.
 */
export function buildHandoffContext(conversation: HandoffConversation, reason: string, tags: readonly string[]): HandoffContext {
  const texts = (origin: (o: string | undefined, direction: string) => boolean) =>
    conversation.recentMessages
      .filter((m) => origin(m.origin, m.direction) && typeof m.text === 'string' && m.text.trim() !== '')
      .slice(0, LAST_TEXTS)
      .reverse()
      .map((m) => truncateUtf8(m.text!.trim(), TEXT_BYTES));
  const intent = conversation.lastFaqId ?? conversation.recentMessages.find((m) => m.direction === 'outbound' && m.faqId)?.faqId;
  const captured: Record<string, string> = {};
  if (conversation.capturedOrderId) captured.orderId = truncateUtf8(conversation.capturedOrderId, 200);
  return {
    reason: truncateUtf8(reason, 64),
    ...(conversation.language ? { language: conversation.language } : {}),
    ...(intent ? { intent: truncateUtf8(intent, 128) } : {}),
    lastCustomerTexts: texts((o, d) => d === 'inbound' && (o === undefined || o === 'customer')),
    botAnswers: texts((o, d) => d === 'outbound' && o === 'agent'),
    captured,
    tags: [...tags],
  };
}
