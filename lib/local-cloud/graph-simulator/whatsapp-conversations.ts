import { newConversationId } from '#lib/local-cloud/graph-simulator/sim-ids';
import type { StatusConversation } from '#lib/local-cloud/graph-simulator/whatsapp-webhooks';
import type { PricingCategory } from '#lib/local-cloud/graph-simulator/whatsapp-pricing';

const CONVERSATION_MS = 24 * 60 * 60 * 1000;

/**
 * The `conversation` object of WhatsApp statuses: one id per business number, customer and
 * category, valid 24 hours from its first message, as Meta reports it.
 */
export class WhatsAppConversations {
  private readonly open = new Map<string, { id: string; expiresAt: number }>();

  conversationFor(phoneNumberId: string, customerId: string, category: PricingCategory, now: number): StatusConversation {
    const key = `${phoneNumberId}:${customerId}:${category}`;
    let conversation = this.open.get(key);
    if (!conversation || conversation.expiresAt <= now) {
      conversation = { id: newConversationId(), expiresAt: now + CONVERSATION_MS };
      this.open.set(key, conversation);
    }
    return { id: conversation.id, expirationSec: Math.floor(conversation.expiresAt / 1000), category };
  }

  reset(): void {
    this.open.clear();
  }
}
