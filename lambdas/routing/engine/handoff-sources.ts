/**
 * What a handoff reads besides routing: the conversation's facts and latest messages (for the
 * context a person reads before answering), the bot's acknowledgement, and where the out-of-hours
 * notice is written.
 */

export interface HandoffMessage {
  direction: 'inbound' | 'outbound';
  /** `customer` for what the customer wrote; `agent` for the bot; `human_agent` for people. */
  origin?: string;
  text?: string;
  replyKind?: string;
  faqId?: string;
  occurredAt: string;
}

export interface HandoffConversation {
  conversationKey: string;
  channel: 'whatsapp' | 'instagram' | 'messenger';
  accountId: string;
  businessAccountId?: string;
  customerId: string;
  language?: string;
  lastInboundAt?: string;
  lastInboundMessageId?: string;
  capturedOrderId?: string;
  lastFaqId?: string;
  /** The latest messages, newest first (a few dozen at most). */
  recentMessages: HandoffMessage[];
}

export interface OutOfHoursNotice {
  outboundId: string;
  text: string;
  language: string;
  at: string;
}

export interface HandoffSources {
  readConversation(conversationKey: string): Promise<HandoffConversation | undefined>;
  /** The `replyKind` of an outbound message of the conversation; undefined when there is none. */
  outboundReplyKind(conversationKey: string, outboundId: string): Promise<string | undefined>;
  /** Writes the notice's outbound item unless it exists (false: it did already). */
  writeNotice(conversation: HandoffConversation, notice: OutOfHoursNotice): Promise<boolean>;
}
