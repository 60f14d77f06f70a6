import type { ClaimOutcome, ConversationItem, ConversationStore, ReplyClaim } from '#lambdas/conversation/conversation-store';
import type { MessageRef, MessageStore } from '#lambdas/conversation/message-store';
import type { StoredMessage } from '#lambdas/agent/unanswered-messages';
import { messageTimeSk } from '#lambdas/conversation/table-keys';

/**
 * The Conversation and Message stores in memory, with the same conditions as the DynamoDB ones
 * (test/integration/conversation-stores.test.ts holds those to the same behaviour). Enough for the
 * agent's use cases; recording inbound messages is the DynamoDB store's alone.
 */
export function inMemoryConversationStores(seed: { conversations?: Record<string, ConversationItem>; messages?: Record<string, StoredMessage[]> } = {}) {
  const conversations = new Map<string, ConversationItem>(Object.entries(seed.conversations ?? {}).map(([k, v]) => [k, { ...v }]));
  const messages = new Map<string, StoredMessage[]>(Object.entries(seed.messages ?? {}).map(([k, v]) => [k, [...v]]));
  const replies: ReplyClaim[] = [];
  const list = (key: string) => [...(messages.get(key) ?? [])].sort((a, b) => (a.lsi1sk < b.lsi1sk ? -1 : a.lsi1sk > b.lsi1sk ? 1 : 0));
  const change = (key: string, patch: Partial<ConversationItem>, remove: Array<keyof ConversationItem> = []) => {
    const current = conversations.get(key);
    if (!current) return;
    const next = { ...current, ...patch };
    for (const field of remove) delete next[field];
    conversations.set(key, next);
  };

  const conversationStore: ConversationStore = {
    async conversation(key) {
      const found = conversations.get(key);
      return found ? { ...found } : undefined;
    },
    async lastActivityAt(key, side) {
      const c = conversations.get(key);
      return side === 'inbound' ? c?.lastInboundAt : c?.lastOutboundAt;
    },
    async advanceLastActivity(key, side, at, messageId) {
      const c = conversations.get(key);
      if (!c) return false;
      const current = side === 'inbound' ? c.lastInboundAt : c.lastOutboundAt;
      if (current !== undefined && current >= at) return false;
      change(key, side === 'inbound' ? { lastInboundAt: at, lastInboundMessageId: messageId } : { lastOutboundAt: at, lastOutboundMessageId: messageId });
      return true;
    },
    async claimReply(claim): Promise<ClaimOutcome> {
      const c = conversations.get(claim.conversationKey);
      if (!c || c.state !== claim.expectedState || c.pendingReplyId !== undefined || c.answeredThroughSk !== claim.seenAnsweredThroughSk) {
        return 'conversation_changed';
      }
      if (replies.some((r) => r.reply.messageId === claim.reply.messageId)) return 'reply_exists';
      replies.push(claim);
      const list = messages.get(claim.conversationKey) ?? [];
      list.push({
        ...claim.reply,
        sk: `MSG#${claim.reply.messageId}`,
        lsi1sk: messageTimeSk(claim.reply.occurredAt, claim.reply.messageId),
      } as StoredMessage);
      messages.set(claim.conversationKey, list);
      const remove: Array<keyof ConversationItem> = [];
      if (claim.memory && !claim.memory.awaiting) remove.push('awaitingField');
      if (claim.memory && !claim.memory.lastFaqId) remove.push('lastFaqId');
      change(
        claim.conversationKey,
        {
          pendingReplyId: claim.reply.messageId,
          pendingReplyThroughSk: claim.throughSk,
          language: claim.reply.language as ConversationItem['language'],
          ...(claim.consent
            ? { consentStatus: claim.consent.status, consentEvidenceMessageId: claim.consent.evidenceMessageId, consentOutboundId: claim.reply.messageId }
            : {}),
          ...(claim.handoff ? { state: 'human' as const, handoffReason: claim.handoff.reason, handoffOutboundId: claim.reply.messageId } : {}),
          ...(claim.memory
            ? {
                lastReplyKind: claim.memory.lastReplyKind as ConversationItem['lastReplyKind'],
                ...(claim.memory.awaiting ? { awaitingField: claim.memory.awaiting as 'order_id' } : {}),
                ...(claim.memory.lastFaqId ? { lastFaqId: claim.memory.lastFaqId } : {}),
                ...(claim.memory.languageAsked ? { languageAsked: true } : {}),
                ...(claim.memory.capturedOrderId ? { capturedOrderId: claim.memory.capturedOrderId } : {}),
              }
            : {}),
          ...(claim.csat ? { csatScore: claim.csat.score } : {}),
        },
        remove,
      );
      return 'claimed';
    },
    async finishReply(key, outboundId, throughSk) {
      const c = conversations.get(key);
      if (!c) return;
      if ((c.pendingReplyId === undefined || c.pendingReplyId === outboundId) && (c.answeredThroughSk === undefined || c.answeredThroughSk < throughSk)) {
        change(key, { answeredThroughSk: throughSk }, ['pendingReplyId', 'pendingReplyThroughSk', 'answeredAt']);
      } else if (c.pendingReplyId === outboundId) change(key, {}, ['pendingReplyId', 'pendingReplyThroughSk']);
    },
    async markAnsweredSilently(key, seen, throughSk, memory) {
      const c = conversations.get(key);
      if (c?.state !== 'bot' || c.pendingReplyId !== undefined || c.answeredThroughSk !== seen) return false;
      change(
        key,
        {
          answeredThroughSk: throughSk,
          lastReplyKind: memory.lastReplyKind as ConversationItem['lastReplyKind'],
          language: memory.language as ConversationItem['language'],
        },
        ['answeredAt'],
      );
      return true;
    },
    async reopenForBot(key) {
      const c = conversations.get(key);
      if (c?.state !== 'closed' || c.pendingReplyId !== undefined) return false;
      change(key, { state: 'bot' });
      return true;
    },
    async quietForPerson(activity) {
      const c = conversations.get(activity.conversationKey);
      if (!c || (c.humanQuietUntil !== undefined && c.humanQuietUntil >= activity.quietUntil)) return false;
      if (activity.startHandoff ? c.state === 'human' : c.state !== 'human') return false;
      change(activity.conversationKey, {
        humanQuietUntil: activity.quietUntil,
        ...(activity.startHandoff ? { state: 'human' as const, handoffReason: activity.reason } : {}),
      });
      return true;
    },
    async markAnsweredByPerson(key, occurredAt, providerMessageId) {
      const c = conversations.get(key);
      const through = messageTimeSk(occurredAt, providerMessageId);
      if (!c || c.pendingReplyId !== undefined || (c.answeredThroughSk !== undefined && c.answeredThroughSk >= through)) return false;
      change(key, { answeredThroughSk: through });
      return true;
    },
    async endQuietPeriod(key, _accountId, seen) {
      const c = conversations.get(key);
      if (c?.state !== 'human' || c.humanQuietUntil !== seen) return false;
      change(key, { state: 'bot' }, ['humanQuietUntil']);
      return true;
    },
    async handOverWithoutBot(handover) {
      const c = conversations.get(handover.conversationKey);
      if (!c || c.state !== handover.seenState || c.pendingReplyId !== undefined) return false;
      change(handover.conversationKey, { state: 'human', handoffReason: handover.reason });
      return true;
    },
  };

  const messageStore: MessageStore = {
    async recordMessage() {
      throw new Error('not in the in-memory fake: record inbound messages with the DynamoDB store');
    },
    async recordChange() {
      throw new Error('not in the in-memory fake');
    },
    async findMessage(providerMessageId, conversationKey): Promise<MessageRef> {
      return { conversationKey, sk: `MSG#${providerMessageId}` };
    },
    async markDeleted() {
      return false;
    },
    async applyEdit() {
      return false;
    },
    async messagesSince(key, fromSk) {
      return list(key).filter((m) => m.lsi1sk >= fromSk && m.lsi1sk <= 'MSG$');
    },
    async latestMessages(key, limit) {
      return list(key).slice(-limit);
    },
    async isOwnSend() {
      return false;
    },
    async hasSendInFlight(key) {
      return list(key)
        .slice(-20)
        .some((m) => m.direction === 'outbound' && (m as { status?: string }).status === 'sending');
    },
  };

  return { conversationStore, messageStore, conversations, messages, replies };
}
