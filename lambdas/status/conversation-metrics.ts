import type { ReplyMetricsStore } from '#lambdas/status/reply-metrics-store';
import { ConversationMetricsContendedError } from '#lambdas/status/errors';

/**
 * Outbound messages that answer the customer: the bot's and a human agent's replies sent through
 * the pipeline, and a person's replies from the WhatsApp Business App or the Instagram/Messenger
 * inbox (seen as echoes). Campaigns are not answers, and imported history (`history`) happened
 * before the pipeline existed, so neither counts.
 */
const REPLY_ORIGINS = new Set(['agent', 'human_agent', 'business_app', 'business_echo']);

export interface AgentReply {
  messageId: string;
  /** When Meta accepted the reply. */
  sentAt: string;
}

/**
 * The reply a receipt proves was sent, if the message is one. Its time is `sentAt` (recorded by
 * the sender when the Graph API accepted it, or by the `sent` receipt), else the receipt's own
 * time: Instagram and Messenger only send delivery and read receipts. A failed message never
 * reached the customer.
 */
export function agentReplyOf(item: Record<string, unknown>, receiptAt: string): AgentReply | undefined {
  if (item.direction !== 'outbound' || item.status === 'failed') return undefined;
  if (typeof item.origin !== 'string' || !REPLY_ORIGINS.has(item.origin)) return undefined;
  const messageId = typeof item.messageId === 'string' ? item.messageId : typeof item.sk === 'string' ? item.sk.replace(/^MSG#/, '') : undefined;
  if (!messageId) return undefined;
  return { messageId, sentAt: typeof item.sentAt === 'string' ? item.sentAt : receiptAt };
}

/** Milliseconds from the customer's first message to the first reply; undefined if the reply came first. */
export function responseTimeMs(firstInboundAt: string, replyAt: string): number | undefined {
  const ms = Date.parse(replyAt) - Date.parse(firstInboundAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** Attempts before a conversation that keeps changing under us is handed back to the queue. */
export const METRICS_ATTEMPTS = 4;

/**
 * Conversation metrics from one sent reply:
 * - `lastAgentReplyAt` only moves forward, whatever order receipts arrive in;
 * - `firstResponseAt`/`firstResponseMs` measure from the customer's first message to the first
 *   reply sent after it. Receipts arrive out of order, so the earliest reply seen wins: the value
 *   is set once and only ever replaced by an earlier reply, and converges to the true first one.
 *   A reply with no customer message before it (the business wrote first) sets nothing.
 *
 * Reads cost an eighth of writes, so the conversation is read first and written at most once,
 * only when the reply changes something; the write is conditional on exactly what was decided,
 * so a concurrent change makes it refuse and the decision is taken again on a fresh read. A
 * redelivered receipt reads and writes nothing.
 */
export async function recordAgentReply(conversationKey: string, reply: AgentReply, store: ReplyMetricsStore): Promise<void> {
  for (let attempt = 1; attempt <= METRICS_ATTEMPTS; attempt++) {
    // Both values only move one way, so a stale (eventually consistent) read can only suggest a
    // write that the condition then refuses; the retry reads consistently.
    const conversation = await store.readReplyMetrics(conversationKey, attempt > 1);
    if (!conversation) return;
    const lastAt = conversation.lastAgentReplyAt;
    const knownFirst = conversation.firstResponseAt;
    const moveLast = lastAt === undefined || lastAt < reply.sentAt;
    // An older reply than the last one can still be the first: only a known earlier first stops here.
    // Runs until the first response is known, so once per conversation in practice.
    let first: { inboundAt: string; ms: number } | undefined;
    if (knownFirst === undefined || knownFirst > reply.sentAt) {
      const firstInbound = await store.firstCustomerMessageBefore(conversationKey, reply.sentAt);
      const ms = firstInbound ? responseTimeMs(firstInbound.occurredAt, reply.sentAt) : undefined;
      if (firstInbound && ms !== undefined) first = { inboundAt: firstInbound.occurredAt, ms };
    }
    if (!moveLast && !first) return;
    // Conditional on exactly what was decided: a concurrent change refuses it and it is decided again.
    if (await store.recordReplyMetrics(conversationKey, { at: reply.sentAt, messageId: reply.messageId, moveLast, ...(first ? { first } : {}) })) return;
  }
  throw new ConversationMetricsContendedError();
}
