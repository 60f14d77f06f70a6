import type { ReplyMetricsChange, ReplyMetricsStore } from '#lambdas/status/reply-metrics-store';

/**
 * Conversations' reply metrics in memory, with the DynamoDB store's conditions
 * (lambdas/status/reply-metrics-store.ts): only an existing conversation, the last reply only
 * forward, the first response only earlier.
 */
export interface FakeReplyMetricsStore extends ReplyMetricsStore {
  /** Conversation items by conversation key. */
  conversations: Map<string, Record<string, unknown>>;
  /** Customer messages' times by conversation key. */
  customerMessages: Map<string, string[]>;
  reads: number;
  writes: ReplyMetricsChange[];
}

export function fakeReplyMetricsStore(): FakeReplyMetricsStore {
  const conversations = new Map<string, Record<string, unknown>>();
  const customerMessages = new Map<string, string[]>();
  const store: FakeReplyMetricsStore = {
    conversations,
    customerMessages,
    reads: 0,
    writes: [],
    async readReplyMetrics(conversationKey) {
      store.reads++;
      const c = conversations.get(conversationKey);
      if (!c) return undefined;
      const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const [last, first] = [text(c.lastAgentReplyAt), text(c.firstResponseAt)];
      return { ...(last !== undefined ? { lastAgentReplyAt: last } : {}), ...(first !== undefined ? { firstResponseAt: first } : {}) };
    },
    async firstCustomerMessageBefore(conversationKey, at) {
      const first = [...(customerMessages.get(conversationKey) ?? [])].sort().find((t) => t <= at);
      return first ? { occurredAt: first } : undefined;
    },
    async recordReplyMetrics(conversationKey, change) {
      const c = conversations.get(conversationKey);
      if (!c) return false;
      if (change.moveLast && !(c.lastAgentReplyAt === undefined || String(c.lastAgentReplyAt) < change.at)) return false;
      if (change.first && !(c.firstResponseAt === undefined || String(c.firstResponseAt) > change.at)) return false;
      store.writes.push(structuredClone(change));
      if (change.moveLast) Object.assign(c, { lastAgentReplyAt: change.at, lastAgentReplyMessageId: change.messageId });
      if (change.first) {
        Object.assign(c, {
          firstResponseAt: change.at,
          firstResponseMs: change.first.ms,
          firstResponseMessageId: change.messageId,
          firstInboundAt: change.first.inboundAt,
        });
      }
      return true;
    },
  };
  return store;
}
