import { messageTimeSk } from '#lambdas/conversation/table-keys';
import type { ConversationViewsStore } from '#lambdas/human-agent/conversation-views-store';
import type { ConversationClose, HumanAgentMessage, HumanAgentStore, HumanReplyRecord } from '#lambdas/human-agent/human-agent-store';

type Item = Record<string, unknown>;

/**
 * The human agent's stores in memory (human-agent-store.ts, conversation-views-store.ts), with the
 * same conditions: a message id is written once, a change is refused when the conversation left
 * the state (or version) it was decided on. Conversations and messages are plain items.
 */
export class InMemoryHumanAgentStore implements HumanAgentStore, ConversationViewsStore {
  readonly conversations = new Map<string, Item>();
  readonly messages = new Map<string, Map<string, Item>>();

  putConversation(item: Item & { conversationKey: string }): void {
    this.conversations.set(item.conversationKey, structuredClone(item));
  }

  /** A customer's (inbound) or the business's (outbound) message at `at`. */
  putMessage(conversationKey: string, messageId: string, at: string, direction: 'inbound' | 'outbound'): void {
    this.messagesOf(conversationKey).set(messageId, {
      messageId,
      conversationKey,
      direction,
      occurredAt: at,
      createdAt: at,
      lsi1sk: messageTimeSk(at, messageId),
    });
  }

  message(conversationKey: string, messageId: string): Item | undefined {
    return this.messages.get(conversationKey)?.get(messageId);
  }

  // The views.

  async conversation(conversationKey: string) {
    const found = this.conversations.get(conversationKey);
    return found ? structuredClone(found) : undefined;
  }

  async conversationsInState(accountId: string, state: string, limit: number) {
    const items = [...this.conversations.values()]
      .filter((c) => c.accountId === accountId && c.state === state)
      .sort((a, b) => String(a.stateChangedAt ?? '').localeCompare(String(b.stateChangedAt ?? '')));
    return { items: items.slice(0, limit).map((i) => structuredClone(i)) };
  }

  async latestMessages(conversationKey: string, limit: number) {
    return this.byTime(conversationKey)
      .reverse()
      .slice(0, limit)
      .map((m) => structuredClone(m));
  }

  async latestCustomerMessageSk(conversationKey: string) {
    return this.byTime(conversationKey)
      .reverse()
      .find((m) => m.direction === 'inbound')?.lsi1sk as string | undefined;
  }

  // The writes.

  async recordHumanReply(reply: HumanReplyRecord) {
    if (this.message(reply.conversationKey, reply.message.messageId)) return 'repeated' as const;
    const conversation = this.conversations.get(reply.conversationKey);
    if (!conversation || conversation.state !== reply.seenState) return 'changed' as const;
    this.write(reply.message);
    Object.assign(conversation, {
      assignedAgentId: reply.agentId,
      lastHumanReplyAt: reply.at,
      firstHumanReplyAt: conversation.firstHumanReplyAt ?? reply.at,
      ...(reply.takeOverReason ? { state: 'human', stateChangedAt: reply.at, handoffReason: reply.takeOverReason, handoffRequestedAt: reply.at } : {}),
      version: Number(conversation.version ?? 0) + 1,
    });
    delete conversation.humanQuietUntil;
    return 'recorded' as const;
  }

  async markAnsweredThrough(conversationKey: string, throughSk: string, at: string) {
    const conversation = this.conversations.get(conversationKey);
    if (!conversation || conversation.pendingReplyId !== undefined) return false;
    if (conversation.answeredThroughSk !== undefined && !(String(conversation.answeredThroughSk) < throughSk)) return false;
    Object.assign(conversation, { answeredThroughSk: throughSk, answeredAt: at });
    return true;
  }

  async handBackToBot(conversationKey: string, _accountId: string, agentId: string, at: string) {
    const conversation = this.conversations.get(conversationKey);
    if (conversation?.state !== 'human') return false;
    Object.assign(conversation, { state: 'bot', stateChangedAt: at, handedBackAt: at, handedBackBy: agentId, version: Number(conversation.version ?? 0) + 1 });
    delete conversation.humanQuietUntil;
    return true;
  }

  async closeConversation(close: ConversationClose) {
    const conversation = this.conversations.get(close.conversationKey);
    if (!conversation || conversation.state !== close.seenState || (conversation.version ?? 0) !== close.seenVersion) return false;
    if (close.csatQuestion && this.message(close.conversationKey, close.csatQuestion.messageId)) return false;
    if (close.csatQuestion) this.write(close.csatQuestion);
    Object.assign(conversation, {
      state: 'closed',
      stateChangedAt: close.at,
      closedAt: close.at,
      closedBy: close.agentId,
      closeOutcome: close.outcome,
      closeReason: close.reason,
      outcome: close.outcome,
      outcomeBy: close.by,
      outcomeAt: close.at,
      ...(close.csatQuestion ? { csatRequestedAt: close.at, csatOutboundId: close.csatQuestion.messageId } : {}),
      version: Number(conversation.version ?? 0) + 1,
    });
    for (const gone of ['humanQuietUntil', 'csatScore', 'csatAnsweredAt', 'csatMessageId']) delete conversation[gone];
    return true;
  }

  private messagesOf(conversationKey: string): Map<string, Item> {
    let messages = this.messages.get(conversationKey);
    if (!messages) {
      messages = new Map();
      this.messages.set(conversationKey, messages);
    }
    return messages;
  }

  private write(message: HumanAgentMessage): void {
    this.messagesOf(message.conversationKey).set(message.messageId, {
      ...structuredClone(message),
      lsi1sk: messageTimeSk(message.createdAt, message.messageId),
    });
  }

  private byTime(conversationKey: string): Item[] {
    return [...(this.messages.get(conversationKey)?.values() ?? [])].sort((a, b) => String(a.lsi1sk).localeCompare(String(b.lsi1sk)));
  }
}
