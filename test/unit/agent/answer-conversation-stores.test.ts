import { beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '#lambdas/adapters/event-publisher';
import { answerConversation, type AgentDeps } from '#lambdas/agent/answer-conversation';
import { demoBotSettings } from '#lambdas/agent/flows/demo-bot-settings';
import { outboundIdFor } from '#lambdas/agent/outbound-id';
import type { StoredMessage } from '#lambdas/agent/unanswered-messages';
import { fixedBotSettings } from '#lambdas/bot-settings/account-bot-settings';
import type { ConversationItem } from '#lambdas/conversation/conversation-store';
import { inMemoryConversationStores } from '#test/helpers/fakes/conversation-store-fake';

/** The agent's decisions over in-memory stores: it reaches the table only through them. */
const KEY = 'wa:100:5511999';
const NOW = new Date('2026-11-21T12:00:00.000Z');

const wakeUp = (providerMessageId: string, overrides: Record<string, unknown> = {}) => ({
  v: 1,
  conversationKey: KEY,
  channel: 'whatsapp',
  accountId: '100',
  eventId: `wa:msg:${providerMessageId}`,
  occurredAt: '2026-11-21T11:59:00.000Z',
  providerMessageId,
  type: 'text',
  origin: 'customer',
  direction: 'inbound',
  standby: false,
  ...overrides,
});

const conversation = (overrides: Partial<ConversationItem> = {}): ConversationItem => ({
  state: 'bot',
  channel: 'whatsapp',
  accountId: '100',
  businessAccountId: '200',
  customerId: '5511999',
  ...overrides,
});

const inbound = (id: string, at: string, text: string): StoredMessage => ({
  sk: `MSG#${id}`,
  lsi1sk: `MSG#${at}#${id}`,
  entity: 'Message',
  providerMessageId: id,
  direction: 'inbound',
  origin: 'customer',
  type: 'text',
  text,
  occurredAt: at,
  customerWaId: '5511999',
});

const burst = [
  inbound('wamid.1', '2026-11-21T11:58:00.000Z', 'hola'),
  inbound('wamid.2', '2026-11-21T11:58:30.000Z', 'mi pedido no llegó'),
  inbound('wamid.3', '2026-11-21T11:59:00.000Z', 'es urgente por favor'),
];

let published: DomainEvent[];
beforeEach(() => {
  published = [];
});

function world(conv: ConversationItem, messages: StoredMessage[], overrides: Partial<AgentDeps> = {}) {
  const stores = inMemoryConversationStores({ conversations: { [KEY]: conv }, messages: { [KEY]: messages } });
  const deps: AgentDeps = {
    conversations: stores.conversationStore,
    messages: stores.messageStore,
    publisher: { publish: async (events) => void published.push(...events) },
    retentionDays: 30,
    now: () => NOW,
    botSettings: fixedBotSettings(demoBotSettings()),
    ...overrides,
  };
  return { deps, ...stores };
}

describe('answerConversation over its stores', () => {
  it('answers a burst with one reply keyed by the latest message, then moves the answered mark and releases the claim', async () => {
    const { deps, replies, conversations } = world(conversation(), burst);

    const outboundId = outboundIdFor(KEY, 'wamid.3');
    expect(await answerConversation(wakeUp('wamid.3'), deps)).toEqual({ outcome: 'replied', outboundId, answeredCount: 3, kind: 'faq_answer' });
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({
      throughSk: burst[2]!.lsi1sk,
      expectedState: 'bot',
      seenAnsweredThroughSk: undefined,
      reply: {
        messageId: outboundId,
        status: 'pending',
        recipientId: '5511999',
        language: 'es',
        replyToMessageIds: ['wamid.1', 'wamid.2', 'wamid.3'],
        faqId: 'order_tracking',
      },
    });
    expect(published.map((e) => e.detailType)).toEqual(['reply.requested']);
    const after = conversations.get(KEY)!;
    expect(after.answeredThroughSk).toBe(burst[2]!.lsi1sk);
    expect(after.pendingReplyId).toBeUndefined();
    // A redelivered wake-up finds nothing left to answer.
    expect(await answerConversation(wakeUp('wamid.3'), deps)).toEqual({ outcome: 'skipped', reason: 'nothing_to_answer' });
  });

  it('finishes a claimed reply before anything else', async () => {
    const { deps, conversations } = world(conversation({ pendingReplyId: 'out_earlier', pendingReplyThroughSk: burst[2]!.lsi1sk }), burst);

    expect(await answerConversation(wakeUp('wamid.3'), deps)).toEqual({ outcome: 'skipped', reason: 'nothing_to_answer', resumedOutboundId: 'out_earlier' });
    expect(published.map((e) => e.detail.outboundId)).toEqual(['out_earlier']);
    expect(conversations.get(KEY)).toMatchObject({ answeredThroughSk: burst[2]!.lsi1sk });
  });

  it('reopens a closed conversation for the bot when the customer writes something other than a score', async () => {
    const { deps, conversations } = world(conversation({ state: 'closed', csatRequestedAt: '2026-11-21T11:00:00.000Z' }), burst);

    expect(await answerConversation(wakeUp('wamid.3'), deps)).toMatchObject({ outcome: 'replied', kind: 'faq_answer' });
    expect(conversations.get(KEY)!.state).toBe('bot');
  });

  it('hands the conversation to people when the business has no bot', async () => {
    const { deps, conversations, replies } = world(conversation(), burst, { botSettings: { forAccount: async () => undefined } });

    expect(await answerConversation(wakeUp('wamid.3'), deps)).toEqual({ outcome: 'handed_off', reason: 'no_bot_configured' });
    expect(conversations.get(KEY)).toMatchObject({ state: 'human', handoffReason: 'no_bot_configured' });
    expect(replies).toEqual([]);
    expect(published.map((e) => e.detailType)).toEqual(['conversation.handoff_requested']);
  });

  it("steps aside for a person's message and counts what came before it as answered", async () => {
    const { deps, conversations } = world(conversation(), burst);
    const person = wakeUp('wamid.p', { origin: 'business_app', direction: 'outbound', occurredAt: '2026-11-21T11:59:30.000Z' });

    expect(await answerConversation(person, deps)).toMatchObject({ outcome: 'human_active', handoff: true, quietUntil: '2026-11-21T12:29:30.000Z' });
    expect(conversations.get(KEY)).toMatchObject({ state: 'human', answeredThroughSk: 'MSG#2026-11-21T11:59:30.000Z#wamid.p' });
    expect(await answerConversation(wakeUp('wamid.3'), deps)).toEqual({ outcome: 'skipped', reason: 'not_bot' });
  });
});
